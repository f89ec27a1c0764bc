/*
 * CPU-bounded pattern matching and table functions (SANDBOX.md rule 7).
 *
 * The count hook never fires inside a C function, so one call to string.find
 * with a crafted pattern, or ("").rep("", 2^40), or table.remove on a sparse
 * table with a huge border, would run for as long as it likes. This file
 * replaces those functions with versions that charge their work to the call's
 * budget through kw_charge, which raises once the budget is gone.
 *
 * The matcher is Lua 5.4.4's own, from lstrlib.c (pattern matching, find,
 * match, gmatch, gsub, rep), changed only where marked "Keyward:":
 *   - every step of match() (each call, each goto back to its top, each
 *     iteration of max_expand/min_expand, each subject byte that %b scans,
 *     each capture back-reference) is counted in the MatchState and charged in
 *     batches of KW_BATCH steps, and once more when the operation ends;
 *   - the plain search (lmemfind) charges each candidate and its memcmp;
 *   - %b and %f never read the byte at src_end (host-side subjects are not
 *     NUL-terminated; for Lua strings the result is the same as stock Lua's);
 *   - rep checks the result size, then charges n plus the result size before
 *     doing any work.
 * Units: see KW_COST_* below.
 *
 * The same matcher serves the GuardedString methods (matches, gsub) over
 * host-side bytes; its error messages name only the pattern or replacement,
 * never subject bytes.
 *
 * ---------------------------------------------------------------------------
 * The matcher and string functions below are derived from lstrlib.c of
 * Lua 5.4.4:
 *
 * Copyright (C) 1994-2022 Lua.org, PUC-Rio.
 *
 * Permission is hereby granted, free of charge, to any person obtaining
 * a copy of this software and associated documentation files (the
 * "Software"), to deal in the Software without restriction, including
 * without limitation the rights to use, copy, modify, merge, publish,
 * distribute, sublicense, and/or sell copies of the Software, and to
 * permit persons to whom the Software is furnished to do so, subject to
 * the following conditions:
 *
 * The above copyright notice and this permission notice shall be
 * included in all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
 * EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
 * MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
 * IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
 * CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
 * TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
 * SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 * ---------------------------------------------------------------------------
 */
#include "sandbox_internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#define kw_unlikely(x) (__builtin_expect(((x) != 0), 0))

/* Steps counted locally before they are charged to the budget. */
#define KW_BATCH 256

/* Costs, in budget units. One unit is one matcher step, a few ns like a VM
   instruction. Byte scans: 1 per 16 bytes for memchr, memcmp and copies, 1
   per 4 bytes of a bracket class, 1 per byte for %b. Creating a string or
   expanding a replacement costs KW_COST_STRING more. The table functions
   charge per element visited, weighted by what an element costs them
   (measured: a shift in insert/remove ~12 ns, a move ~22 ns, a concat
   ~35 ns, a sort comparison ~40-60 ns); a sort without comparator adds 1 per
   32 bytes of its longest string per comparison (strcoll walks strings). */
#define KW_COST_STRING 4
#define KW_COST_SHIFT 3
#define KW_COST_MOVE 5
#define KW_COST_CONCAT 8
#define KW_COST_UNPACK 2
#define KW_COST_COMPARE 10

/* ------------------------------------------------------- cost arithmetic */

static int64_t kw_sat_unsigned(lua_Unsigned u) {
  return u > (lua_Unsigned)INT64_MAX ? INT64_MAX : (int64_t)u;
}

static int64_t kw_sat_add(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

static int64_t kw_sat_mul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}


/*
** {======================================================
** PATTERN MATCHING (Lua 5.4.4 lstrlib.c)
** =======================================================
*/

#if !defined(LUA_MAXCAPTURES)
#define LUA_MAXCAPTURES		32
#endif

/* macro to 'unsign' a character */
#define uchar(c)	((unsigned char)(c))

#define MAX_SIZET	((size_t)(~(size_t)0))

#define MAXSIZE  \
	(sizeof(size_t) < sizeof(int) ? MAX_SIZET : (size_t)(INT_MAX))


/*
** translate a relative initial string position
** (negative means back from end): clip result to [1, inf).
** The length of any string in Lua must fit in a lua_Integer,
** so there are no overflows in the casts.
** The inverted comparison avoids a possible overflow
** computing '-pos'.
*/
static size_t posrelatI (lua_Integer pos, size_t len) {
  if (pos > 0)
    return (size_t)pos;
  else if (pos == 0)
    return 1;
  else if (pos < -(lua_Integer)len)  /* inverted comparison */
    return 1;  /* clip to 1 */
  else return len + (size_t)pos + 1;
}


#define CAP_UNFINISHED	(-1)
#define CAP_POSITION	(-2)


typedef struct MatchState {
  const char *src_init;  /* init of source string */
  const char *src_end;  /* end ('\0') of source string */
  const char *p_end;  /* end ('\0') of pattern */
  lua_State *L;
  int64_t steps;  /* Keyward: work done and not yet charged */
  int matchdepth;  /* control for recursive depth (to avoid C stack overflow) */
  unsigned char level;  /* total number of captures (finished or unfinished) */
  struct {
    const char *init;
    ptrdiff_t len;
  } capture[LUA_MAXCAPTURES];
} MatchState;


/* Keyward: charges the steps counted so far. */
static void ms_flush (MatchState *ms) {
  if (ms->steps > 0) {
    int64_t steps = ms->steps;
    ms->steps = 0;
    kw_charge(ms->L, steps);
  }
}

/* Keyward: counts `n` steps; charges them once a batch is full. */
#define KW_STEP(ms, n) do { \
    (ms)->steps += (int64_t)(n); \
    if ((ms)->steps >= KW_BATCH) ms_flush(ms); \
  } while (0)


/* recursive function */
static const char *match (MatchState *ms, const char *s, const char *p);


/* maximum recursion depth for 'match' */
#if !defined(MAXCCALLS)
#define MAXCCALLS	200
#endif


#define L_ESC		'%'
#define SPECIALS	"^$*+?.([%-"


static int check_capture (MatchState *ms, int l) {
  l -= '1';
  if (kw_unlikely(l < 0 || l >= ms->level ||
                  ms->capture[l].len == CAP_UNFINISHED))
    return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
  return l;
}


static int capture_to_close (MatchState *ms) {
  int level = ms->level;
  for (level--; level>=0; level--)
    if (ms->capture[level].len == CAP_UNFINISHED) return level;
  return luaL_error(ms->L, "invalid pattern capture");
}


static const char *classend (MatchState *ms, const char *p) {
  switch (*p++) {
    case L_ESC: {
      if (kw_unlikely(p == ms->p_end))
        luaL_error(ms->L, "malformed pattern (ends with '%%')");
      return p+1;
    }
    case '[': {
      if (*p == '^') p++;
      do {  /* look for a ']' */
        if (kw_unlikely(p == ms->p_end))
          luaL_error(ms->L, "malformed pattern (missing ']')");
        if (*(p++) == L_ESC && p < ms->p_end)
          p++;  /* skip escapes (e.g. '%]') */
      } while (*p != ']');
      return p+1;
    }
    default: {
      return p;
    }
  }
}


static int match_class (int c, int cl) {
  int res;
  switch (tolower(cl)) {
    case 'a' : res = isalpha(c); break;
    case 'c' : res = iscntrl(c); break;
    case 'd' : res = isdigit(c); break;
    case 'g' : res = isgraph(c); break;
    case 'l' : res = islower(c); break;
    case 'p' : res = ispunct(c); break;
    case 's' : res = isspace(c); break;
    case 'u' : res = isupper(c); break;
    case 'w' : res = isalnum(c); break;
    case 'x' : res = isxdigit(c); break;
    case 'z' : res = (c == 0); break;  /* deprecated option */
    default: return (cl == c);
  }
  return (islower(cl) ? res : !res);
}


static int matchbracketclass (int c, const char *p, const char *ec) {
  int sig = 1;
  if (*(p+1) == '^') {
    sig = 0;
    p++;  /* skip the '^' */
  }
  while (++p < ec) {
    if (*p == L_ESC) {
      p++;
      if (match_class(c, uchar(*p)))
        return sig;
    }
    else if ((*(p+1) == '-') && (p+2 < ec)) {
      p+=2;
      if (uchar(*(p-2)) <= c && c <= uchar(*p))
        return sig;
    }
    else if (uchar(*p) == c) return sig;
  }
  return !sig;
}


static int singlematch (MatchState *ms, const char *s, const char *p,
                        const char *ep) {
  if (s >= ms->src_end)
    return 0;
  else {
    int c = uchar(*s);
    switch (*p) {
      case '.': return 1;  /* matches any char */
      case L_ESC: return match_class(c, uchar(*(p+1)));
      case '[': {
        KW_STEP(ms, (ep - p) >> 2);  /* Keyward: long classes cost more */
        return matchbracketclass(c, p, ep-1);
      }
      default:  return (uchar(*p) == c);
    }
  }
}


static const char *matchbalance (MatchState *ms, const char *s,
                                   const char *p) {
  if (kw_unlikely(p >= ms->p_end - 1))
    luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
  /* Keyward: never read the byte at src_end (stock Lua fails there too) */
  if (s >= ms->src_end || *s != *p) return NULL;
  else {
    const char *start = s;  /* Keyward: charge the bytes scanned */
    int b = *p;
    int e = *(p+1);
    int cont = 1;
    while (++s < ms->src_end) {
      if (*s == e) {
        if (--cont == 0) {
          KW_STEP(ms, s - start);
          return s+1;
        }
      }
      else if (*s == b) cont++;
    }
    KW_STEP(ms, s - start);
  }
  return NULL;  /* string ends out of balance */
}


static const char *max_expand (MatchState *ms, const char *s,
                                 const char *p, const char *ep) {
  ptrdiff_t i = 0;  /* counts maximum expand for item */
  while (singlematch(ms, s + i, p, ep)) {
    i++;
    KW_STEP(ms, 1);
  }
  /* keeps trying to match with the maximum repetitions */
  while (i>=0) {
    const char *res;
    KW_STEP(ms, 1);
    res = match(ms, (s+i), ep+1);
    if (res) return res;
    i--;  /* else didn't match; reduce 1 repetition to try again */
  }
  return NULL;
}


static const char *min_expand (MatchState *ms, const char *s,
                                 const char *p, const char *ep) {
  for (;;) {
    const char *res;
    KW_STEP(ms, 1);
    res = match(ms, s, ep+1);
    if (res != NULL)
      return res;
    else if (singlematch(ms, s, p, ep))
      s++;  /* try with one more repetition */
    else return NULL;
  }
}


static const char *start_capture (MatchState *ms, const char *s,
                                    const char *p, int what) {
  const char *res;
  int level = ms->level;
  if (level >= LUA_MAXCAPTURES) luaL_error(ms->L, "too many captures");
  ms->capture[level].init = s;
  ms->capture[level].len = what;
  ms->level = level+1;
  if ((res=match(ms, s, p)) == NULL)  /* match failed? */
    ms->level--;  /* undo capture */
  return res;
}


static const char *end_capture (MatchState *ms, const char *s,
                                  const char *p) {
  int l = capture_to_close(ms);
  const char *res;
  ms->capture[l].len = s - ms->capture[l].init;  /* close capture */
  if ((res = match(ms, s, p)) == NULL)  /* match failed? */
    ms->capture[l].len = CAP_UNFINISHED;  /* undo capture */
  return res;
}


static const char *match_capture (MatchState *ms, const char *s, int l) {
  size_t len;
  l = check_capture(ms, l);
  len = ms->capture[l].len;
  if ((size_t)(ms->src_end-s) >= len) {
    KW_STEP(ms, 1 + (len >> 4));  /* Keyward: the memcmp below */
    if (memcmp(ms->capture[l].init, s, len) == 0)
      return s+len;
  }
  else KW_STEP(ms, 1);
  return NULL;
}


static const char *match (MatchState *ms, const char *s, const char *p) {
  if (kw_unlikely(ms->matchdepth-- == 0))
    luaL_error(ms->L, "pattern too complex");
  init: /* using goto's to optimize tail recursion */
  KW_STEP(ms, 1);  /* Keyward: every call and every pass through 'init' */
  if (p != ms->p_end) {  /* end of pattern? */
    switch (*p) {
      case '(': {  /* start capture */
        if (*(p + 1) == ')')  /* position capture? */
          s = start_capture(ms, s, p + 2, CAP_POSITION);
        else
          s = start_capture(ms, s, p + 1, CAP_UNFINISHED);
        break;
      }
      case ')': {  /* end capture */
        s = end_capture(ms, s, p + 1);
        break;
      }
      case '$': {
        if ((p + 1) != ms->p_end)  /* is the '$' the last char in pattern? */
          goto dflt;  /* no; go to default */
        s = (s == ms->src_end) ? s : NULL;  /* check end of string */
        break;
      }
      case L_ESC: {  /* escaped sequences not in the format class[*+?-]? */
        switch (*(p + 1)) {
          case 'b': {  /* balanced string? */
            s = matchbalance(ms, s, p + 2);
            if (s != NULL) {
              p += 4; goto init;  /* return match(ms, s, p + 4); */
            }  /* else fail (s == NULL) */
            break;
          }
          case 'f': {  /* frontier? */
            const char *ep; char previous;
            p += 2;
            if (kw_unlikely(*p != '['))
              luaL_error(ms->L, "missing '[' after '%%f' in pattern");
            ep = classend(ms, p);  /* points to what is next */
            KW_STEP(ms, (ep - p) >> 1);  /* Keyward: two class scans */
            previous = (s == ms->src_init) ? '\0' : *(s - 1);
            /* Keyward: the byte at src_end reads as '\0', as in stock Lua */
            if (!matchbracketclass(uchar(previous), p, ep - 1) &&
               matchbracketclass(s < ms->src_end ? uchar(*s) : 0, p, ep - 1)) {
              p = ep; goto init;  /* return match(ms, s, ep); */
            }
            s = NULL;  /* match failed */
            break;
          }
          case '0': case '1': case '2': case '3':
          case '4': case '5': case '6': case '7':
          case '8': case '9': {  /* capture results (%0-%9)? */
            s = match_capture(ms, s, uchar(*(p + 1)));
            if (s != NULL) {
              p += 2; goto init;  /* return match(ms, s, p + 2) */
            }
            break;
          }
          default: goto dflt;
        }
        break;
      }
      default: dflt: {  /* pattern class plus optional suffix */
        const char *ep = classend(ms, p);  /* points to optional suffix */
        if (*p == '[') KW_STEP(ms, (ep - p) >> 2);  /* Keyward: class scan */
        /* does not match at least once? */
        if (!singlematch(ms, s, p, ep)) {
          if (*ep == '*' || *ep == '?' || *ep == '-') {  /* accept empty? */
            p = ep + 1; goto init;  /* return match(ms, s, ep + 1); */
          }
          else  /* '+' or no suffix */
            s = NULL;  /* fail */
        }
        else {  /* matched once */
          switch (*ep) {  /* handle optional suffix */
            case '?': {  /* optional */
              const char *res;
              if ((res = match(ms, s + 1, ep + 1)) != NULL)
                s = res;
              else {
                p = ep + 1; goto init;  /* else return match(ms, s, ep + 1); */
              }
              break;
            }
            case '+':  /* 1 or more repetitions */
              s++;  /* 1 match already done */
              /* FALLTHROUGH */
            case '*':  /* 0 or more repetitions */
              s = max_expand(ms, s, p, ep);
              break;
            case '-':  /* 0 or more repetitions (minimum) */
              s = min_expand(ms, s, p, ep);
              break;
            default:  /* no suffix */
              s++; p = ep; goto init;  /* return match(ms, s + 1, ep); */
          }
        }
        break;
      }
    }
  }
  ms->matchdepth++;
  return s;
}



/* Keyward: stock lmemfind, charging each candidate and its memcmp. */
static const char *lmemfind (lua_State *L, const char *s1, size_t l1,
                               const char *s2, size_t l2) {
  if (l2 == 0) return s1;  /* empty strings are everywhere */
  else if (l2 > l1) return NULL;  /* avoids a negative 'l1' */
  else {
    const char *init;  /* to search for a '*s2' inside 's1' */
    const char *found = NULL;
    int64_t pending = 1;
    l2--;  /* 1st char will be checked by 'memchr' */
    l1 = l1-l2;  /* 's2' cannot be found after that */
    while (l1 > 0 && (init = (const char *)memchr(s1, *s2, l1)) != NULL) {
      pending += 1 + ((init - s1) >> 4) + (int64_t)(l2 >> 4);
      init++;   /* 1st char is already checked */
      if (memcmp(init, s2+1, l2) == 0) {
        found = init-1;
        break;
      }
      else {  /* correct 'l1' and 's1' to try again */
        l1 -= init-s1;
        s1 = init;
      }
      if (pending >= KW_BATCH) {
        kw_charge(L, pending);
        pending = 0;
      }
    }
    if (found == NULL) pending += (int64_t)(l1 >> 4);  /* the last scan */
    kw_charge(L, pending);
    return found;
  }
}


/*
** get information about the i-th capture. If there are no captures
** and 'i==0', return information about the whole match, which
** is the range 's'..'e'. If the capture is a string, return
** its length and put its address in '*cap'. If it is an integer
** (a position), push it on the stack and return CAP_POSITION.
*/
static size_t get_onecapture (MatchState *ms, int i, const char *s,
                              const char *e, const char **cap) {
  if (i >= ms->level) {
    if (kw_unlikely(i != 0))
      luaL_error(ms->L, "invalid capture index %%%d", i + 1);
    *cap = s;
    return e - s;
  }
  else {
    ptrdiff_t capl = ms->capture[i].len;
    *cap = ms->capture[i].init;
    if (kw_unlikely(capl == CAP_UNFINISHED))
      luaL_error(ms->L, "unfinished capture");
    else if (capl == CAP_POSITION)
      lua_pushinteger(ms->L, (ms->capture[i].init - ms->src_init) + 1);
    return capl;
  }
}


/*
** Push the i-th capture on the stack.
*/
static void push_onecapture (MatchState *ms, int i, const char *s,
                                                    const char *e) {
  const char *cap;
  ptrdiff_t l = get_onecapture(ms, i, s, e, &cap);
  if (l != CAP_POSITION) {
    KW_STEP(ms, KW_COST_STRING + (l >> 4));  /* Keyward: a new string */
    lua_pushlstring(ms->L, cap, l);
  }
  /* else position was already pushed */
}


static int push_captures (MatchState *ms, const char *s, const char *e) {
  int i;
  int nlevels = (ms->level == 0 && s) ? 1 : ms->level;
  luaL_checkstack(ms->L, nlevels, "too many captures");
  for (i = 0; i < nlevels; i++)
    push_onecapture(ms, i, s, e);
  return nlevels;  /* number of strings pushed */
}


/* check whether pattern has no special characters */
static int nospecials (const char *p, size_t l) {
  size_t upto = 0;
  do {
    if (strpbrk(p + upto, SPECIALS))
      return 0;  /* pattern has a special character */
    upto += strlen(p + upto) + 1;  /* may have more after \0 */
  } while (upto <= l);
  return 1;  /* no special chars found */
}


static void prepstate (MatchState *ms, lua_State *L,
                       const char *s, size_t ls, const char *p, size_t lp) {
  ms->L = L;
  ms->steps = 0;
  ms->matchdepth = MAXCCALLS;
  ms->src_init = s;
  ms->src_end = s + ls;
  ms->p_end = p + lp;
}


static void reprepstate (MatchState *ms) {
  ms->level = 0;
  /* Keyward: stock Lua asserts this; a gmatch iterator whose last call was
     cut short by a budget or memory error would otherwise keep less depth */
  ms->matchdepth = MAXCCALLS;
}


static int str_find_aux (lua_State *L, int find) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = posrelatI(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {  /* start after string's end? */
    luaL_pushfail(L);  /* cannot find anything */
    return 1;
  }
  kw_charge(L, 1 + (int64_t)(lp >> 4));  /* Keyward: scanning the pattern */
  /* explicit request or no special characters? */
  if (find && (lua_toboolean(L, 4) || nospecials(p, lp))) {
    /* do a plain search */
    const char *s2 = lmemfind(L, s + init, ls - init, p, lp);
    if (s2) {
      lua_pushinteger(L, (s2 - s) + 1);
      lua_pushinteger(L, (s2 - s) + lp);
      return 2;
    }
  }
  else {
    MatchState ms;
    const char *s1 = s + init;
    int anchor = (*p == '^');
    if (anchor) {
      p++; lp--;  /* skip anchor character */
    }
    prepstate(&ms, L, s, ls, p, lp);
    do {
      const char *res;
      reprepstate(&ms);
      if ((res=match(&ms, s1, p)) != NULL) {
        int n;
        if (find) {
          lua_pushinteger(L, (s1 - s) + 1);  /* start */
          lua_pushinteger(L, res - s);   /* end */
          n = push_captures(&ms, NULL, 0) + 2;
        }
        else
          n = push_captures(&ms, s1, res);
        ms_flush(&ms);
        return n;
      }
    } while (s1++ < ms.src_end && !anchor);
    ms_flush(&ms);
  }
  luaL_pushfail(L);  /* not found */
  return 1;
}


static int str_find (lua_State *L) {
  return str_find_aux(L, 1);
}


static int str_match (lua_State *L) {
  return str_find_aux(L, 0);
}


/* state for 'gmatch' */
typedef struct GMatchState {
  const char *src;  /* current position */
  const char *p;  /* pattern */
  const char *lastmatch;  /* end of last match */
  MatchState ms;  /* match state */
} GMatchState;


static int gmatch_aux (lua_State *L) {
  GMatchState *gm = (GMatchState *)lua_touserdata(L, lua_upvalueindex(3));
  const char *src;
  gm->ms.L = L;
  for (src = gm->src; src <= gm->ms.src_end; src++) {
    const char *e;
    reprepstate(&gm->ms);
    KW_STEP(&gm->ms, 1);  /* Keyward: each subject position tried */
    if ((e = match(&gm->ms, src, gm->p)) != NULL && e != gm->lastmatch) {
      int n;
      gm->src = gm->lastmatch = e;
      n = push_captures(&gm->ms, src, e);
      ms_flush(&gm->ms);
      return n;
    }
  }
  ms_flush(&gm->ms);
  return 0;  /* not found */
}


static int gmatch (lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = posrelatI(luaL_optinteger(L, 3, 1), ls) - 1;
  GMatchState *gm;
  lua_settop(L, 2);  /* keep strings on closure to avoid being collected */
  gm = (GMatchState *)lua_newuserdatauv(L, sizeof(GMatchState), 0);
  if (init > ls)  /* start after string's end? */
    init = ls + 1;  /* avoid overflows in 's + init' */
  prepstate(&gm->ms, L, s, ls, p, lp);
  gm->src = s + init; gm->p = p; gm->lastmatch = NULL;
  lua_pushcclosure(L, gmatch_aux, 3);
  return 1;
}


static void add_s (MatchState *ms, luaL_Buffer *b, const char *s,
                                                   const char *e) {
  size_t l;
  lua_State *L = ms->L;
  const char *news = lua_tolstring(L, 3, &l);
  const char *p;
  KW_STEP(ms, KW_COST_STRING + (l >> 4));  /* Keyward: the expansion */
  while ((p = (char *)memchr(news, L_ESC, l)) != NULL) {
    luaL_addlstring(b, news, p - news);
    p++;  /* skip ESC */
    if (*p == L_ESC)  /* '%%' */
      luaL_addchar(b, *p);
    else if (*p == '0')  /* '%0' */
        luaL_addlstring(b, s, e - s);
    else if (isdigit(uchar(*p))) {  /* '%n' */
      const char *cap;
      ptrdiff_t resl = get_onecapture(ms, *p - '1', s, e, &cap);
      if (resl == CAP_POSITION)
        luaL_addvalue(b);  /* add position to accumulated result */
      else {
        KW_STEP(ms, resl >> 4);
        luaL_addlstring(b, cap, resl);
      }
    }
    else
      luaL_error(L, "invalid use of '%c' in replacement string", L_ESC);
    l -= p + 1 - news;
    news = p + 1;
  }
  luaL_addlstring(b, news, l);
}


/*
** Add the replacement value to the string buffer 'b'.
** Return true if the original string was changed. (Function calls and
** table indexing resulting in nil or false do not change the subject.)
*/
static int add_value (MatchState *ms, luaL_Buffer *b, const char *s,
                                      const char *e, int tr) {
  lua_State *L = ms->L;
  switch (tr) {
    case LUA_TFUNCTION: {  /* call the function */
      int n;
      lua_pushvalue(L, 3);  /* push the function */
      n = push_captures(ms, s, e);  /* all captures as arguments */
      ms_flush(ms);  /* Keyward: the callee sees an up-to-date budget */
      lua_call(L, n, 1);  /* call it */
      break;
    }
    case LUA_TTABLE: {  /* index the table */
      push_onecapture(ms, 0, s, e);  /* first capture is the index */
      ms_flush(ms);  /* Keyward: __index may run Lua code */
      lua_gettable(L, 3);
      break;
    }
    default: {  /* LUA_TNUMBER or LUA_TSTRING */
      add_s(ms, b, s, e);  /* add value to the buffer */
      return 1;  /* something changed */
    }
  }
  if (!lua_toboolean(L, -1)) {  /* nil or false? */
    lua_pop(L, 1);  /* remove value */
    luaL_addlstring(b, s, e - s);  /* keep original text */
    return 0;  /* no changes */
  }
  else if (kw_unlikely(!lua_isstring(L, -1)))
    return luaL_error(L, "invalid replacement value (a %s)",
                         luaL_typename(L, -1));
  else {
    luaL_addvalue(b);  /* add result to accumulator */
    return 1;  /* something changed */
  }
}


static int str_gsub (lua_State *L) {
  size_t srcl, lp;
  const char *src = luaL_checklstring(L, 1, &srcl);  /* subject */
  const char *p = luaL_checklstring(L, 2, &lp);  /* pattern */
  const char *lastmatch = NULL;  /* end of last match */
  int tr = lua_type(L, 3);  /* replacement type */
  lua_Integer max_s = luaL_optinteger(L, 4, srcl + 1);  /* max replacements */
  int anchor = (*p == '^');
  lua_Integer n = 0;  /* replacement count */
  int changed = 0;  /* change flag */
  MatchState ms;
  luaL_Buffer b;
  luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING ||
                   tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
                      "string/function/table");
  luaL_buffinit(L, &b);
  if (anchor) {
    p++; lp--;  /* skip anchor character */
  }
  prepstate(&ms, L, src, srcl, p, lp);
  while (n < max_s) {
    const char *e;
    reprepstate(&ms);  /* (re)prepare state for new match */
    KW_STEP(&ms, 1);  /* Keyward: each subject position tried */
    if ((e = match(&ms, src, p)) != NULL && e != lastmatch) {  /* match? */
      n++;
      changed = add_value(&ms, &b, src, e, tr) | changed;
      src = lastmatch = e;
    }
    else if (src < ms.src_end)  /* otherwise, skip one character */
      luaL_addchar(&b, *src++);
    else break;  /* end of subject */
    if (anchor) break;
  }
  if (!changed)  /* no changes? */
    lua_pushvalue(L, 1);  /* return original string */
  else {  /* something changed */
    KW_STEP(&ms, (ms.src_end - src) >> 4);
    luaL_addlstring(&b, src, ms.src_end-src);
    luaL_pushresult(&b);  /* create and return new string */
  }
  ms_flush(&ms);
  lua_pushinteger(L, n);  /* number of substitutions */
  return 2;
}

/* }====================================================== */


/*
** Keyward: string.rep from Lua 5.4.4, which copies its argument n times even
** when the copy is empty: ("").rep("", 2^40) is a CPU bomb. The result size
** is checked first (too large for the call's memory: the memory error the
** allocator would give; not representable: stock Lua's error), then n plus
** the result size is charged, and only then is any work done.
*/
static int str_rep (lua_State *L) {
  size_t l, lsep;
  const char *s = luaL_checklstring(L, 1, &l);
  lua_Integer n = luaL_checkinteger(L, 2);
  const char *sep = luaL_optlstring(L, 3, "", &lsep);
  size_t copies, separators, totallen;
  kw_state *S;
  if (n <= 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (__builtin_mul_overflow((size_t)n, l, &copies) ||
      __builtin_mul_overflow((size_t)(n - 1), lsep, &separators) ||
      __builtin_add_overflow(copies, separators, &totallen))
    return luaL_error(L, "resulting string too large");
  S = kw_from(L);
  if (S != NULL && (S->mem_used > S->mem_cap ||
                    totallen > S->mem_cap - S->mem_used)) {
    /* Lua would try an emergency collection before failing; so do we,
       unless the call has already run out of memory (then it has failed,
       and a collection per attempt would be unbudgeted work). */
    if (!S->flag_oom) lua_gc(L, LUA_GCCOLLECT);
    if (S->mem_used > S->mem_cap || totallen > S->mem_cap - S->mem_used)
      return kw_raise_memory(L);
  }
  if (kw_unlikely(l + lsep < l || l + lsep > MAXSIZE / n))
    return luaL_error(L, "resulting string too large");
  kw_charge(L, kw_sat_add((int64_t)n, (int64_t)(totallen >> 6)));
  if (totallen == 0) {
    lua_pushliteral(L, "");  /* n empty copies: nothing to copy */
    return 1;
  }
  else {
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, totallen);
    while (n-- > 1) {  /* first n-1 copies (followed by separator) */
      memcpy(p, s, l * sizeof(char)); p += l;
      if (lsep > 0) {  /* empty 'memcpy' is not that cheap */
        memcpy(p, sep, lsep * sizeof(char));
        p += lsep;
      }
    }
    memcpy(p, s, l * sizeof(char));  /* last copy (not followed by separator) */
    luaL_pushresultsize(&b, totallen);
  }
  return 1;
}


/* --------------------------------------- matching over host-side bytes */

/* Raises when the output secret holds the subject: appending to it would
   move the bytes being matched. */
static void kw_check_no_alias (lua_State *L, const unsigned char *src,
                               size_t len, size_t out_index) {
  kw_secret *out = kw_secret_at(kw_from(L), out_index);
  if (out == NULL)
    luaL_error(L, "gsub: no output secret");
  if (src != NULL && out->bytes != NULL) {
    uintptr_t a = (uintptr_t)src, b = (uintptr_t)out->bytes;
    if (a < b + out->cap && b < a + len + 1)
      luaL_error(L, "gsub: the output may not be the subject");
  }
}


/* Pushes a NUL-terminated Lua copy of a pattern or replacement (script
   text, never secret: the matcher may read the byte after its end) and
   returns it; NULL reads as "". */
static const char *kw_push_text (lua_State *L, const char *text, size_t *len) {
  luaL_checkstack(L, 4, "pattern");
  if (text == NULL) *len = 0;
  return lua_pushlstring(L, text != NULL ? text : "", *len);
}


int kw_pattern_find (lua_State *L, const unsigned char *src, size_t len,
                     const char *pattern, size_t plen) {
  MatchState ms;
  const char *s = src != NULL ? (const char *)src : "";
  const char *s1;
  const char *p = kw_push_text(L, pattern, &plen);
  int anchor = (*p == '^');
  int found = 0;
  if (src == NULL) len = 0;
  if (anchor) {
    p++; plen--;
  }
  kw_charge(L, 1 + (int64_t)(plen >> 4));
  prepstate(&ms, L, s, len, p, plen);
  s1 = s;
  do {
    reprepstate(&ms);
    KW_STEP(&ms, 1);
    if (match(&ms, s1, p) != NULL) {
      int i;
      /* as string.find would: an unclosed capture is an error */
      for (i = 0; i < ms.level; i++)
        if (ms.capture[i].len == CAP_UNFINISHED)
          luaL_error(L, "unfinished capture");
      found = 1;
      break;
    }
  } while (s1++ < ms.src_end && !anchor);
  ms_flush(&ms);
  lua_pop(L, 1);
  return found;
}


/* Appends the expansion of the replacement `news` (a plain string) for the
   match s..e to the secret `out`. */
static void kw_secret_add_s (MatchState *ms, size_t out, const char *s,
                             const char *e, const char *news, size_t l) {
  lua_State *L = ms->L;
  const char *p;
  KW_STEP(ms, 1 + (l >> 4));
  while ((p = (const char *)memchr(news, L_ESC, l)) != NULL) {
    kw_secret_append(L, out, news, p - news);
    p++;  /* skip ESC */
    if (*p == L_ESC)  /* '%%' */
      kw_secret_append_byte(L, out, (unsigned char)L_ESC);
    else if (*p == '0') {  /* '%0' */
      KW_STEP(ms, (e - s) >> 4);
      kw_secret_append(L, out, s, e - s);
    }
    else if (isdigit(uchar(*p))) {  /* '%n' */
      const char *cap;
      ptrdiff_t resl = get_onecapture(ms, *p - '1', s, e, &cap);
      if (resl == CAP_POSITION) {  /* a position: its decimal digits */
        char digits[32];
        size_t nd = 0;
        lua_Integer pos = lua_tointeger(L, -1);
        lua_pop(L, 1);
        do {
          digits[sizeof digits - 1 - nd++] = (char)('0' + pos % 10);
          pos /= 10;
        } while (pos > 0 && nd < sizeof digits);
        kw_secret_append(L, out, digits + sizeof digits - nd, nd);
      }
      else {
        KW_STEP(ms, resl >> 4);
        kw_secret_append(L, out, cap, resl);
      }
    }
    else
      luaL_error(L, "invalid use of '%c' in replacement string", L_ESC);
    l -= p + 1 - news;
    news = p + 1;
  }
  kw_secret_append(L, out, news, l);
}


lua_Integer kw_pattern_gsub (lua_State *L, const unsigned char *subject,
                             size_t srcl, const char *pattern, size_t lp,
                             const char *repl, size_t rlen,
                             lua_Integer max_n, size_t out_index) {
  const char *src = subject != NULL ? (const char *)subject : "";
  const char *pending;  /* start of the unmatched bytes not yet copied */
  const char *lastmatch = NULL;  /* end of last match */
  const char *p, *news;
  int anchor;
  lua_Integer n = 0;  /* replacement count */
  MatchState ms;
  if (subject == NULL) srcl = 0;
  kw_check_no_alias(L, subject, srcl, out_index);
  p = kw_push_text(L, pattern, &lp);
  news = kw_push_text(L, repl, &rlen);
  if (max_n < 0) max_n = LUA_MAXINTEGER;
  anchor = (*p == '^');
  if (anchor) {
    p++; lp--;  /* skip anchor character */
  }
  kw_charge(L, 1 + (int64_t)(lp >> 4));
  prepstate(&ms, L, src, srcl, p, lp);
  pending = src;
  while (n < max_n) {
    const char *e;
    reprepstate(&ms);
    KW_STEP(&ms, 1);  /* each subject position tried */
    if ((e = match(&ms, src, p)) != NULL && e != lastmatch) {  /* match? */
      n++;
      kw_secret_append(L, out_index, pending, src - pending);
      kw_secret_add_s(&ms, out_index, src, e, news, rlen);
      src = lastmatch = pending = e;
    }
    else if (src < ms.src_end)  /* otherwise, skip one character */
      src++;
    else break;  /* end of subject */
    if (anchor) break;
  }
  KW_STEP(&ms, (ms.src_end - pending) >> 4);
  kw_secret_append(L, out_index, pending, ms.src_end - pending);
  ms_flush(&ms);
  lua_pop(L, 2);
  return n;
}


/* ------------------------------------------------------- installation */

void kw_install_budgeted_string (lua_State *L, int idx) {
  static const luaL_Reg budgeted[] = {
    {"find", str_find},
    {"match", str_match},
    {"gmatch", gmatch},
    {"gsub", str_gsub},
    {"rep", str_rep},
    {NULL, NULL}
  };
  const luaL_Reg *r;
  idx = lua_absindex(L, idx);
  for (r = budgeted; r->name != NULL; r++) {
    /* Replace only what the table holds: installing never widens it. */
    if (lua_getfield(L, idx, r->name) != LUA_TNIL) {
      lua_pushcfunction(L, r->func);
      lua_setfield(L, idx, r->name);
    }
    lua_pop(L, 1);
  }
}


/*
** {======================================================
** TABLE LIBRARY WRAPPERS
** Each wrapper works out how many elements the original (ltablib.c of
** Lua 5.4.4) will loop over, charges that, and runs the original in its
** own call frame, so argument errors read as they always did.
** =======================================================
*/

/* The largest 'unpack' can return before lua_checkstack refuses. */
#define KW_MAX_UNPACK ((lua_Unsigned)1000000)

/* Upvalue 1: the original function; upvalue 2: true when it is a C function
   without upvalues, which can run directly in the wrapper's frame. */
static int kw_call_original (lua_State *L) {
  if (lua_toboolean(L, lua_upvalueindex(2))) {
    lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
    return original(L);
  }
  else {
    int nargs = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, nargs, LUA_MULTRET);
    return lua_gettop(L);
  }
}


/* Whether the value at `idx` is a table without a metatable: reading it raw
   then sees what the original sees. */
static int kw_is_plain_table (lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TTABLE) return 0;
  if (lua_getmetatable(L, idx)) {
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}


/* The length the original will use for the value at `idx` ('#' with __len),
   or 0 when it has none (the original then raises before any loop). Plain
   tables cost a border search; only host-made objects have __len. */
static int kw_length (lua_State *L, int idx, lua_Integer *n) {
  if (kw_is_plain_table(L, idx)) {
    *n = (lua_Integer)lua_rawlen(L, idx);
    return 1;
  }
  if (lua_type(L, idx) == LUA_TTABLE) {
    *n = luaL_len(L, idx);
    return 1;
  }
  if (luaL_getmetafield(L, idx, "__len") != LUA_TNIL) {
    lua_pop(L, 1);
    *n = luaL_len(L, idx);
    return 1;
  }
  return 0;
}


/* Optional integer argument: 1 with its value (or `def` when absent), 0 when
   it is not an integer (the original then raises). */
static int kw_opt_integer (lua_State *L, int arg, lua_Integer def,
                           lua_Integer *out) {
  int ok = 1;
  *out = lua_isnoneornil(L, arg) ? def : lua_tointegerx(L, arg, &ok);
  return ok;
}


/* table.insert(t, [pos,] v): shifts t[pos..#t] up by one. */
static int kw_table_insert (lua_State *L) {
  int64_t cost = 1;
  lua_Integer size, pos;
  int ok;
  if (lua_gettop(L) == 3 && kw_length(L, 1, &size)) {
    lua_Integer e = (lua_Integer)((lua_Unsigned)size + 1u);
    pos = lua_tointegerx(L, 2, &ok);
    if (ok && (lua_Unsigned)pos - 1u < (lua_Unsigned)e)
      cost = kw_sat_add(cost, kw_sat_mul(kw_sat_unsigned((lua_Unsigned)e - (lua_Unsigned)pos),
                                         KW_COST_SHIFT));
  }
  kw_charge(L, cost);
  return kw_call_original(L);
}


/* table.remove(t [, pos]): shifts t[pos+1..#t] down by one. */
static int kw_table_remove (lua_State *L) {
  int64_t cost = 1;
  lua_Integer size, pos;
  if (kw_length(L, 1, &size) && kw_opt_integer(L, 2, size, &pos) &&
      pos < size &&
      (lua_Unsigned)pos - 1u <= (lua_Unsigned)size)  /* else it raises */
    cost = kw_sat_add(cost, kw_sat_mul(kw_sat_unsigned((lua_Unsigned)size - (lua_Unsigned)pos),
                                       KW_COST_SHIFT));
  kw_charge(L, cost);
  return kw_call_original(L);
}


/* table.move(a1, f, e, t [, a2]): copies e - f + 1 elements. */
static int kw_table_move (lua_State *L) {
  int64_t cost = 1;
  int okf, oke, okt;
  lua_Integer f = lua_tointegerx(L, 2, &okf);
  lua_Integer e = lua_tointegerx(L, 3, &oke);
  lua_Integer t = lua_tointegerx(L, 4, &okt);
  if (okf && oke && okt && e >= f &&
      (f > 0 || e < LUA_MAXINTEGER + f)) {  /* else it raises */
    lua_Unsigned n = (lua_Unsigned)e - (lua_Unsigned)f + 1u;
    if (t <= (lua_Integer)((lua_Unsigned)LUA_MAXINTEGER - n + 1u))
      cost = kw_sat_add(cost, kw_sat_mul(kw_sat_unsigned(n), KW_COST_MOVE));
  }
  kw_charge(L, cost);
  return kw_call_original(L);
}


/* table.concat(t [, sep [, i [, j]]]): visits t[i..j] and copies their
   bytes. For a plain table the bytes are counted too (the count walks no
   further than the elements already paid for): one call may copy megabytes. */
static int kw_table_concat (lua_State *L) {
  int64_t cost = 1;
  lua_Integer i, last = 0;
  int known = lua_isnoneornil(L, 4) ? kw_length(L, 1, &last)
                                    : kw_opt_integer(L, 4, 0, &last);
  if (known && kw_opt_integer(L, 3, 1, &i) && i <= last) {
    cost = kw_sat_add(cost, kw_sat_mul(kw_sat_unsigned((lua_Unsigned)last - (lua_Unsigned)i + 1u),
                                       KW_COST_CONCAT));
    kw_charge(L, cost);
    cost = 0;
    if (kw_is_plain_table(L, 1) && lua_type(L, 2) <= LUA_TSTRING) {  /* none, nil, number or string */
      size_t lsep = 0, bytes = 0;
      lua_Integer k = i;
      if (lua_type(L, 2) == LUA_TSTRING) lsep = lua_rawlen(L, 2);
      for (;;) {
        int t = lua_rawgeti(L, 1, k);
        /* the original stops at the first value that is not a string */
        size_t len = t == LUA_TSTRING ? lua_rawlen(L, -1) : (t == LUA_TNUMBER ? 8 : 0);
        lua_pop(L, 1);
        if (t != LUA_TSTRING && t != LUA_TNUMBER) break;
        bytes = bytes + len + lsep < bytes ? MAX_SIZET : bytes + len + lsep;
        if (k >= last) break;
        k++;
      }
      cost = (int64_t)(bytes >> 4);
    }
  }
  kw_charge(L, cost);
  return kw_call_original(L);
}


/* table.unpack(t [, i [, j]]): pushes t[i..j]; more than the stack can take
   (LUAI_MAXSTACK, 10^6 slots) is refused by the original before it loops. */
static int kw_table_unpack (lua_State *L) {
  int64_t cost = 1;
  lua_Integer i, e = 0;
  if (kw_opt_integer(L, 2, 1, &i)) {
    int known = lua_isnoneornil(L, 3) ? kw_length(L, 1, &e)
                                      : kw_opt_integer(L, 3, 0, &e);
    if (known && i <= e) {
      lua_Unsigned n = (lua_Unsigned)e - (lua_Unsigned)i;
      if (n < KW_MAX_UNPACK) cost += ((int64_t)n + 1) * KW_COST_UNPACK;
    }
  }
  kw_charge(L, cost);
  return kw_call_original(L);
}


/* table.sort(t [, comp]): about n·log2(n) comparisons. Without a comparator
   strings compare with strcoll, which walks both strings: a table holding
   one long string many times would otherwise sort for a long while. */
static int kw_table_sort (lua_State *L) {
  lua_Integer n;
  if (kw_length(L, 1, &n) && n > 1 && n < INT_MAX) {
    int64_t log2n = 64 - __builtin_clzll((unsigned long long)n);
    int64_t compares = kw_sat_mul((int64_t)n, log2n);
    kw_charge(L, kw_sat_mul(compares, KW_COST_COMPARE));
    if (lua_isnoneornil(L, 2) && kw_is_plain_table(L, 1)) {
      size_t longest = 0;
      lua_Integer k;
      for (k = 1; k <= n; k++) {  /* already paid for above */
        if (lua_rawgeti(L, 1, k) == LUA_TSTRING) {
          size_t len = lua_rawlen(L, -1);
          if (len > longest) longest = len;
        }
        lua_pop(L, 1);
      }
      if (longest >= 64)
        kw_charge(L, kw_sat_mul(compares, (int64_t)(longest >> 5)));
    }
  }
  else
    kw_charge(L, 1);
  return kw_call_original(L);
}


void kw_install_budgeted_table (lua_State *L, int idx) {
  static const luaL_Reg wrappers[] = {
    {"insert", kw_table_insert},
    {"remove", kw_table_remove},
    {"move", kw_table_move},
    {"concat", kw_table_concat},
    {"sort", kw_table_sort},
    {"unpack", kw_table_unpack},
    {NULL, NULL}
  };
  const luaL_Reg *r;
  idx = lua_absindex(L, idx);
  for (r = wrappers; r->name != NULL; r++) {
    if (lua_getfield(L, idx, r->name) == LUA_TFUNCTION) {
      int direct = 0;
      if (lua_iscfunction(L, -1)) {
        if (lua_getupvalue(L, -1, 1) == NULL) direct = 1;
        else lua_pop(L, 1);  /* the upvalue it pushed */
      }
      lua_pushboolean(L, direct);
      lua_pushcclosure(L, r->func, 2);
      lua_setfield(L, idx, r->name);
    }
    else
      lua_pop(L, 1);  /* absent: installing never widens the table */
  }
}

/* }====================================================== */
