/*
 * The sandbox core: state lifetime, the counting allocator (rules 8, 9), the
 * budget hook (rule 6), the protected call and the strict return check
 * (rules 11, 12), and the per-call lifecycle (rule 14).
 */
#define _GNU_SOURCE
#include "sandbox_internal.h"

#include <lua5.4/lualib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if LUA_VERSION_NUM != 504 || LUA_VERSION_RELEASE_NUM < 50404
#error "Keyward needs the Lua 5.4.4 headers or newer (Debian liblua5.4-dev)"
#endif

/* Memory a state may hold outside calls: the environment and compiled chunks. */
#define KW_STATE_MEMORY_CAP ((size_t)64 << 20)
/* With hook_interval 1 (author tools), instructions are counted exactly up to
   this many; then the hook fires every KW_COARSE_INTERVAL, so a long run costs
   what it costs in production and meets the same CPU-time limit. */
#define KW_EXACT_COUNT_UNTIL 10000
#define KW_COARSE_INTERVAL 1000
/* Blocks a test's quarantine holds at most; past that they are freed. */
#define KW_QUARANTINE_MAX 65536
/* A full collection every this many calls, so freed blocks get wiped (rule 9).
   Secrets live host-side and plaintext enters the Lua heap only through
   reveal(), after which a collection runs at once. */
#define KW_GC_EVERY 1000
/* A state is retired after this many calls (rule 14). */
#define KW_RETIRE_AFTER 10000
/* A state is retired when its chunk cache passes this many scripts. */
#define KW_MAX_CACHED_CHUNKS 256


/* ---------------------------------------------------------------- version */

static int kw_parse_release(int *major, int *minor, int *release) {
    const char *p = strstr(lua_ident, "Lua ");
    if (p == NULL) return 0;
    return sscanf(p + 4, "%d.%d.%d", major, minor, release) == 3;
}

int CLuaSandbox_lua_release_ok(void) {
    int major, minor, release;
    if (!kw_parse_release(&major, &minor, &release)) return 0;
    if (lua_version(NULL) != LUA_VERSION_NUM) return 0;
    return major == 5 && minor == 4 && release >= 4;
}

const char *CLuaSandbox_lua_release(void) {
    static char text[32];
    int major, minor, release;
    if (!kw_parse_release(&major, &minor, &release)) return "unknown";
    snprintf(text, sizeof text, "Lua %d.%d.%d", major, minor, release);
    return text;
}

/* -------------------------------------------------------------- allocator */


void kw_release_block(kw_state *S, void *block, size_t size) {
    if (S->quarantine_wipes != 0 || S->quarantine == NULL) CLuaSandbox_secure_zero(block, size);
    if (S->quarantine != NULL && S->nquarantine < KW_QUARANTINE_MAX) {
        S->quarantine[S->nquarantine].bytes = block;
        S->quarantine[S->nquarantine].size = size;
        S->nquarantine++;
        return;
    }
    free(block);
}

static void kw_empty_quarantine(kw_state *S) {
    for (size_t i = 0; i < S->nquarantine; i++) free(S->quarantine[i].bytes);
    S->nquarantine = 0;
}

void CLuaSandbox_testing_quarantine(CLuaSandbox_State *S, int wipe) {
    if (S->quarantine == NULL) S->quarantine = calloc(KW_QUARANTINE_MAX, sizeof *S->quarantine);
    S->quarantine_wipes = wipe;
}

size_t CLuaSandbox_testing_quarantine_scan(const CLuaSandbox_State *S, const void *needle, size_t len,
                                           size_t *bytes_held) {
    size_t hits = 0, held = 0;
    for (size_t i = 0; i < S->nquarantine; i++) {
        held += S->quarantine[i].size;
        if (len > 0 && S->quarantine[i].size >= len &&
            memmem(S->quarantine[i].bytes, S->quarantine[i].size, needle, len) != NULL) hits++;
    }
    /* The secret arena is never freed between calls: it counts as held. */
    if (S->arena != NULL) {
        held += KW_ARENA_SIZE;
        if (len > 0 && memmem(S->arena, KW_ARENA_SIZE, needle, len) != NULL) hits++;
    }
    if (bytes_held != NULL) *bytes_held = held;
    return hits;
}

/* A refused growth is only a real failure if Lua's emergency collection does
   not make room: Lua retries the very same request once, right after the
   collection. So a refusal is held pending, and becomes the oom flag when the
   retry is refused too, when another request comes first, or when the call
   ends with it still pending. */
static void kw_refuse(kw_state *S, void *ptr, size_t osize, size_t nsize) {
    if (!S->in_call) return;
    if (S->oom_pending) S->flag_oom = 1;
    S->oom_pending = 1;
    S->pending_ptr = ptr;
    S->pending_osize = osize;
    S->pending_nsize = nsize;
}

static void kw_settle_pending(kw_state *S, void *ptr, size_t osize, size_t nsize) {
    if (!S->oom_pending) return;
    int retry = S->pending_ptr == ptr && S->pending_osize == osize && S->pending_nsize == nsize;
    S->oom_pending = 0;
    if (!retry) S->flag_oom = 1;
}

static int kw_may_grow(kw_state *S, size_t extra) {
    return !(S->mem_used > S->mem_cap || extra > S->mem_cap - S->mem_used);
}

static void kw_note_growth(kw_state *S, size_t extra) {
    S->mem_used += extra;
    if (S->mem_used > S->mem_peak) S->mem_peak = S->mem_used;
    /* Work proportional to bytes (copying, hashing a long string) is charged
       too, one unit per 64 bytes; the hook raises once the budget is gone. */
    if (S->in_call) S->budget_used += (int64_t)(extra >> 6);
}

/* Counts every byte, refuses growth past the cap, never fails a shrink, and
   wipes every block before it goes back to malloc. */
static void *kw_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    kw_state *S = (kw_state *)ud;
    if (nsize == 0) {
        if (ptr != NULL) {
            kw_release_block(S, ptr, osize);
            S->mem_used -= osize;
        }
        return NULL;
    }
    if (ptr != NULL && nsize <= osize) {
        /* Shrink in place: wipe the tail, keep the block. */
        CLuaSandbox_secure_zero((char *)ptr + nsize, osize - nsize);
        S->mem_used -= osize - nsize;
        return ptr;
    }
    /* For a new block osize is a type tag, not a size. */
    size_t old = ptr != NULL ? osize : 0;
    void *block = kw_may_grow(S, nsize - old) ? malloc(nsize) : NULL;
    if (block == NULL) {
        kw_refuse(S, ptr, osize, nsize);
        return NULL;
    }
    kw_settle_pending(S, ptr, osize, nsize);
    if (ptr != NULL) {
        memcpy(block, ptr, osize);
        kw_release_block(S, ptr, osize);
    }
    kw_note_growth(S, nsize - old);
    return block;
}

/* ------------------------------------------------------ budget and errors */

static void kw_hook(lua_State *L, lua_Debug *ar);

/* From now on the hook fires on every instruction and keeps raising, so a
   pcall that swallows the error gains nothing (rule 6). */
static void kw_arm_every_instruction(lua_State *L) {
    kw_state *S = kw_from(L);
    S->exact_phase = 0;
    if (S->installed_interval != 1) {
        lua_sethook(L, kw_hook, LUA_MASKCOUNT, 1);
        S->hook_interval = S->installed_interval = 1;
    }
}

int kw_raise_budget(lua_State *L) {
    kw_from(L)->flag_budget = 1;
    kw_arm_every_instruction(L);
    lua_pushliteral(L, "instruction budget exhausted");
    return lua_error(L);
}

int kw_raise_memory(lua_State *L) {
    kw_from(L)->flag_oom = 1;
    kw_arm_every_instruction(L);
    lua_pushliteral(L, "not enough memory");
    return lua_error(L);
}

void kw_charge(lua_State *L, int64_t cost) {
    kw_state *S = kw_from(L);
    if (cost < 0) cost = INT64_MAX;
    if (S->flag_budget || cost > S->budget_limit - S->budget_used) {
        S->budget_used = S->budget_limit;
        kw_raise_budget(L);
    }
    S->budget_used += cost;
}

static int64_t kw_clock_ns(clockid_t clock) {
    struct timespec now;
    clock_gettime(clock, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Whether the call has used up its CPU time: its thread's, read at the
   call's start and at each hook, so a busy machine that deschedules the
   thread does not count against the script. (The wall clock is cheaper to
   read, but a thread descheduled before the first hook would then have its
   wait counted as the script's time, and a short script on a loaded machine
   would fail as over budget.) */
static int kw_out_of_time(kw_state *S) {
    if (S->time_limit_ns <= 0) return 0;
    return kw_clock_ns(CLOCK_THREAD_CPUTIME_ID) > S->cpu_deadline_ns;
}

static void kw_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    kw_state *S = kw_from(L);
    if (S->oom_pending) kw_settle_pending(S, NULL, 0, 0);
    if (S->flag_oom) kw_raise_memory(L);
    /* Some single instructions do work proportional to a length (comparing
       two long strings, passing a long vararg list), which no count sees:
       the CPU-time limit catches them. */
    if (kw_out_of_time(S)) {
        S->budget_used = S->budget_limit;
        kw_raise_budget(L);
    }
    kw_charge(L, S->hook_interval);
    if (S->exact_phase && S->budget_used >= KW_EXACT_COUNT_UNTIL) {
        S->exact_phase = 0;
        lua_sethook(L, kw_hook, LUA_MASKCOUNT, KW_COARSE_INTERVAL);
        S->hook_interval = S->installed_interval = KW_COARSE_INTERVAL;
    }
}

static void kw_warn_nothing(void *ud, const char *message, int tocont) {
    (void)ud; (void)message; (void)tocont;
}

static int kw_panic_silently(lua_State *L) {
    (void)L;
    return 0; /* Lua aborts; nothing is printed (rule 10). */
}

/* --------------------------------------------------------------- lifetime */

void kw_open_environment(lua_State *L); /* env.c */
void kw_push_call_environment(lua_State *L, int reuse); /* env.c */

static int kw_open_protected(lua_State *L) {
    kw_open_handles(L);
    kw_open_environment(L);
    lua_pushliteral(L, "attributeValue");
    kw_from(L)->ref_attribute_key = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

CLuaSandbox_State *CLuaSandbox_open(void) {
    kw_state *S = calloc(1, sizeof *S);
    if (S == NULL) return NULL;
    S->mem_cap = KW_STATE_MEMORY_CAP;
    S->generation = 1;
    S->chunks = calloc(KW_MAX_CACHED_CHUNKS, sizeof *S->chunks);
    if (S->chunks == NULL) {
        free(S);
        return NULL;
    }
    lua_State *L = lua_newstate(kw_alloc, S);
    if (L == NULL) {
        free(S->chunks);
        free(S);
        return NULL;
    }
    S->L = L;
    memcpy(lua_getextraspace(L), &S, sizeof S);
    lua_atpanic(L, kw_panic_silently);
    lua_setwarnf(L, kw_warn_nothing, NULL);
    lua_gc(L, LUA_GCGEN, 0, 0);
    lua_pushcfunction(L, kw_open_protected);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        lua_close(L);
        free(S->chunks);
        free(S);
        return NULL;
    }
    lua_settop(L, 0);
    return S;
}

void CLuaSandbox_close(CLuaSandbox_State *S) {
    if (S == NULL) return;
    kw_secrets_release(S);
    lua_gc(S->L, LUA_GCCOLLECT);
    lua_close(S->L);
    kw_empty_quarantine(S);
    free(S->quarantine);
    if (S->arena != NULL) CLuaSandbox_secure_zero(S->arena, KW_ARENA_SIZE);
    free(S->arena);
    free(S->secrets);
    free(S->chunks);
    free(S);
}


/* ------------------------------------------------------------------ calls */

typedef struct {
    const uint8_t *secret;
    size_t secret_len;
    int reuse_environment;
} kw_call_args;

/* Runs inside lua_pcall: [function] -> results. Builds the fresh _ENV with the
   per-call globals, sets it as the chunk's only upvalue and calls it. */
static int kw_run(lua_State *L) {
    kw_call_args *args = (kw_call_args *)lua_touserdata(L, 1);
    lua_remove(L, 1);
    kw_push_call_environment(L, args->reuse_environment);
    lua_rawgeti(L, LUA_REGISTRYINDEX, kw_from(L)->ref_attribute_key);
    if (args->secret != NULL) {
        kw_push_handle(L, kw_secret_borrow(L, args->secret, args->secret_len));
    } else {
        lua_pushnil(L);
    }
    lua_rawset(L, -3);
    if (lua_setupvalue(L, 1, 1) == NULL) lua_pop(L, 1);
    lua_call(L, 0, LUA_MULTRET);
    return lua_gettop(L);
}

/* Loads text the way luaL_loadfilex would read a file: a UTF-8 byte-order
   mark is skipped, and so is a first line starting with '#' (a shebang),
   keeping its newline so line numbers stay right. Always text mode (rule 2). */
static int kw_load_text(lua_State *L, const char *source, size_t len) {
    if (len >= 3 && memcmp(source, "\xEF\xBB\xBF", 3) == 0) {
        source += 3;
        len -= 3;
    }
    if (len > 0 && source[0] == '#') {
        const char *newline = memchr(source, '\n', len);
        size_t skip = newline != NULL ? (size_t)(newline - source) : len;
        source += skip;
        len -= skip;
    }
    return luaL_loadbufferx(L, source, len, "=script", "t");
}

/* Pushes the compiled chunk for `key`, compiling `source` on a miss.
   Returns a lua_load status. */
static int kw_push_chunk(lua_State *L, const char *key, const char *source, size_t len) {
    kw_state *S = kw_from(L);
    size_t key_len = strnlen(key, KW_CHUNK_KEY_MAX + 1);
    if (key_len > KW_CHUNK_KEY_MAX) key_len = KW_CHUNK_KEY_MAX;
    for (size_t i = 0; i < S->nchunks; i++) {
        if (strncmp(S->chunks[i].key, key, key_len) == 0 && S->chunks[i].key[key_len] == '\0') {
            lua_rawgeti(L, LUA_REGISTRYINDEX, S->chunks[i].ref);
            return LUA_OK;
        }
    }
    int status = kw_load_text(L, source, len);
    if (status != LUA_OK) return status;
    if (S->nchunks < KW_MAX_CACHED_CHUNKS) {
        struct kw_chunk *chunk = &S->chunks[S->nchunks++];
        memcpy(chunk->key, key, key_len);
        chunk->key[key_len] = '\0';
        lua_pushvalue(L, -1);
        chunk->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
        S->must_retire = 1;
    }
    return LUA_OK;
}

/* Copies a string error object (never converting anything else) and its line. */
static void kw_copy_message(lua_State *L, int idx, CLuaSandbox_Result *result) {
    if (lua_type(L, idx) != LUA_TSTRING) {
        snprintf(result->message, sizeof result->message, "error object is a %s value",
                 lua_typename(L, lua_type(L, idx)));
        return;
    }
    size_t len = 0;
    const char *text = lua_tolstring(L, idx, &len);
    if (len >= sizeof result->message) len = sizeof result->message - 1;
    memcpy(result->message, text, len);
    result->message[len] = '\0';
    if (strncmp(result->message, "script:", 7) == 0) {
        result->error_line = (int32_t)atoi(result->message + 7);
    }
}

static void kw_describe_bad_return(lua_State *L, int count, CLuaSandbox_Result *result) {
    if (count == 0) {
        snprintf(result->bad_type, sizeof result->bad_type, "no value");
    } else if (count > 1) {
        snprintf(result->bad_type, sizeof result->bad_type, "%d values", count);
    } else {
        snprintf(result->bad_type, sizeof result->bad_type, "%s", lua_typename(L, lua_type(L, -1)));
    }
}

static void kw_begin(kw_state *S, const CLuaSandbox_Limits *limits) {
    S->flag_budget = S->flag_oom = S->flag_forbidden = 0;
    S->oom_pending = 0;
    S->time_limit_ns = limits->time_limit_ns;
    S->cpu_deadline_ns = S->time_limit_ns > 0 ? kw_clock_ns(CLOCK_THREAD_CPUTIME_ID) + S->time_limit_ns : 0;
    S->revealed = 0;
    S->budget_used = 0;
    S->budget_limit = limits->instruction_limit > 0 ? limits->instruction_limit : 1;
    S->hook_interval = limits->hook_interval > 0 ? limits->hook_interval : KW_COARSE_INTERVAL;
    S->exact_phase = S->hook_interval == 1;
    S->allow_reveal = limits->allow_reveal != 0;
    S->call_base = S->mem_used;
    S->mem_peak = S->mem_used;
    size_t limit = limits->memory_limit;
    S->mem_cap = (limit > SIZE_MAX - S->mem_used) ? SIZE_MAX : S->mem_used + limit;
    S->in_call = 1;
}

void CLuaSandbox_call(CLuaSandbox_State *S,
                      const char *chunk_key,
                      const char *source, size_t source_len,
                      const uint8_t *secret, size_t secret_len,
                      const CLuaSandbox_ContextEntry *context, size_t context_count,
                      const CLuaSandbox_Limits *limits,
                      CLuaSandbox_Result *result) {
    lua_State *L = S->L;
    /* Field by field: clearing the whole struct (mostly message text) costs
       more than the rest of a small call. */
    result->outcome = CLuaSandbox_INTERNAL;
    result->result_is_nil = 0;
    result->result_bytes = NULL;
    result->result_len = 0;
    result->instructions = 0;
    result->peak_memory = 0;
    result->revealed = 0;
    result->error_line = 0;
    result->bad_type[0] = '\0';
    result->message[0] = '\0';
    lua_settop(L, 0);

    /* Compiling is not the script's doing: it runs under the state's cap. */
    S->in_call = 0;
    S->mem_cap = KW_STATE_MEMORY_CAP;
    int status = kw_push_chunk(L, chunk_key, source, source_len);
    if (status != LUA_OK) {
        result->outcome = status == LUA_ERRMEM ? CLuaSandbox_MEMORY : CLuaSandbox_COMPILE;
        if (limits->want_message) kw_copy_message(L, -1, result);
        lua_settop(L, 0);
        return;
    }

    kw_begin(S, limits);
    kw_call_args args = {secret, secret_len, limits->reuse_environment};
    S->context = context;
    S->context_count = context_count;
    lua_pushcfunction(L, kw_run);
    lua_insert(L, 1);
    lua_pushlightuserdata(L, &args);
    lua_insert(L, 2);
    /* The hook stays installed between calls (no Lua code runs then); it is
       re-armed only when the interval changes, which also resets its count. */
    if (S->hook_interval != S->installed_interval) {
        lua_sethook(L, kw_hook, LUA_MASKCOUNT, S->hook_interval);
        S->installed_interval = S->hook_interval;
    }
    status = lua_pcall(L, 2, LUA_MULTRET, 0);
    if (S->oom_pending) kw_settle_pending(S, NULL, 0, 0);
    int count = lua_gettop(L);

    /* The host's own flags decide first, whatever came back (rule 6). */
    if (S->flag_budget) {
        result->outcome = CLuaSandbox_BUDGET;
    } else if (S->flag_oom || status == LUA_ERRMEM) {
        result->outcome = CLuaSandbox_MEMORY;
    } else if (S->flag_forbidden) {
        result->outcome = CLuaSandbox_FORBIDDEN;
    } else if (status != LUA_OK) {
        result->outcome = CLuaSandbox_RUNTIME;
        if (limits->want_message) kw_copy_message(L, -1, result);
    } else if (count == 1 && lua_type(L, 1) == LUA_TNIL) {
        result->outcome = CLuaSandbox_OK;
        result->result_is_nil = 1;
    } else {
        kw_secret *value = count == 1 ? kw_test_handle(L, 1, NULL) : NULL;
        if (value != NULL) {
            result->outcome = CLuaSandbox_OK;
            result->result_bytes = value->bytes;
            result->result_len = value->len;
        } else {
            result->outcome = CLuaSandbox_BAD_RETURN;
            kw_describe_bad_return(L, count, result);
        }
    }
    if (result->outcome == CLuaSandbox_BUDGET) {
        snprintf(result->message, sizeof result->message, "instruction budget exhausted");
    } else if (result->outcome == CLuaSandbox_MEMORY) {
        snprintf(result->message, sizeof result->message, "memory limit exceeded");
    } else if (result->outcome == CLuaSandbox_FORBIDDEN && limits->want_message) {
        kw_copy_message(L, -1, result);
    }
    result->instructions = S->budget_used;
    result->peak_memory = S->mem_peak - S->call_base;
    result->revealed = S->revealed;
    lua_settop(L, 0);
    S->context = NULL;
    S->context_count = 0;
    S->in_call = 0;
    S->mem_cap = KW_STATE_MEMORY_CAP;
}

int CLuaSandbox_end_call(CLuaSandbox_State *S) {
    kw_secrets_release(S);
    S->generation += 1;
    if (S->generation == 0) S->generation = 1;
    S->calls += 1;
    S->calls_since_gc += 1;
    if (S->revealed || S->calls_since_gc >= KW_GC_EVERY) {
        lua_gc(S->L, LUA_GCCOLLECT);
        S->calls_since_gc = 0;
    }
    if (S->flag_budget || S->flag_oom || S->calls >= KW_RETIRE_AFTER) S->must_retire = 1;
    return S->must_retire;
}

/* -------------------------------------------------------------- utilities */

size_t CLuaSandbox_thread_stack_size(void) {
    static __thread size_t cached = (size_t)-1;
    if (cached != (size_t)-1) return cached;
    pthread_attr_t attr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstacksize(&attr, &size) != 0) size = 0;
        pthread_attr_destroy(&attr);
    }
    cached = size;
    return size;
}
