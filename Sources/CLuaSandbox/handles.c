/*
 * GuardedString handles (rule 13): a userdata holding (generation, index) into
 * the call's secret table, never the bytes. The metatable is locked,
 * __tostring is constant and there is no __gc. Every method that produces a
 * secret returns a new handle; predicates return booleans or numbers.
 */
#define _GNU_SOURCE /* memmem */
#include "sandbox_internal.h"

#include <string.h>

typedef struct {
    uint32_t generation;
    uint32_t index;
} kw_handle;

void kw_push_handle(lua_State *L, size_t index) {
    kw_handle *handle = (kw_handle *)lua_newuserdatauv(L, sizeof(kw_handle), 0);
    handle->generation = kw_from(L)->generation;
    handle->index = (uint32_t)index;
    lua_rawgeti(L, LUA_REGISTRYINDEX, kw_from(L)->ref_handle_meta);
    lua_setmetatable(L, -2);
}

/* The handle at `idx`, live or not, checked by raw metatable identity. */
static kw_handle *kw_to_handle(lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx)) return NULL;
    int ours = lua_topointer(L, -1) == kw_from(L)->handle_meta;
    lua_pop(L, 1);
    return ours ? (kw_handle *)lua_touserdata(L, idx) : NULL;
}

kw_secret *kw_test_handle(lua_State *L, int idx, size_t *index_out) {
    kw_handle *handle = kw_to_handle(L, idx);
    if (handle == NULL) return NULL;
    kw_state *S = kw_from(L);
    if (handle->generation != S->generation) return NULL;
    kw_secret *secret = kw_secret_at(S, handle->index);
    if (secret == NULL || !secret->live) return NULL;
    if (index_out != NULL) *index_out = handle->index;
    return secret;
}

kw_secret *kw_check_handle(lua_State *L, int arg, size_t *index_out) {
    kw_secret *secret = kw_test_handle(L, arg, index_out);
    if (secret == NULL) {
        if (kw_to_handle(L, arg) != NULL) {
            luaL_argerror(L, arg, "GuardedString handle from an earlier call");
        }
        luaL_typeerror(L, arg, "GuardedString");
    }
    return secret;
}

/* A plain string or number argument, or a handle's bytes. The pointer into a
   secret is valid until the next secret is allocated: copy or use at once. */
static const unsigned char *kw_text_or_handle(lua_State *L, int arg, size_t *len) {
    kw_secret *secret = kw_test_handle(L, arg, NULL);
    if (secret != NULL) {
        *len = secret->len;
        return secret->bytes;
    }
    int type = lua_type(L, arg);
    if (type != LUA_TSTRING && type != LUA_TNUMBER) {
        luaL_typeerror(L, arg, "string or GuardedString");
    }
    return (const unsigned char *)lua_tolstring(L, arg, len);
}

/* ---------------------------------------------------------- metamethods */

static int kw_handle_tostring(lua_State *L) {
    lua_pushliteral(L, "GuardedString");
    return 1;
}

static int kw_handle_len(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)kw_check_handle(L, 1, NULL)->len);
    return 1;
}

static int kw_handle_concat(lua_State *L) {
    size_t left_len = 0, right_len = 0;
    /* Measure first, then copy: appending may move secret bytes. */
    (void)kw_text_or_handle(L, 1, &left_len);
    (void)kw_text_or_handle(L, 2, &right_len);
    if (left_len > SIZE_MAX - right_len) return kw_raise_memory(L);
    size_t out = kw_secret_new(L, left_len + right_len);
    for (int arg = 1; arg <= 2; arg++) {
        size_t len = 0;
        const unsigned char *bytes = kw_text_or_handle(L, arg, &len);
        kw_secret_append(L, out, bytes, len);
    }
    kw_push_handle(L, out);
    return 1;
}

/* -------------------------------------------------------------- methods */

static int kw_method_len(lua_State *L) { return kw_handle_len(L); }

/* Lua's string.sub index rules. */
static size_t kw_start_index(lua_Integer pos, size_t len) {
    if (pos > 0) return (size_t)pos;
    if (pos == 0) return 1;
    if (pos < -(lua_Integer)len) return 1;
    return len + (size_t)pos + 1;
}

static size_t kw_end_index(lua_Integer pos, size_t len) {
    if (pos > (lua_Integer)len) return len;
    if (pos >= 0) return (size_t)pos;
    if (pos < -(lua_Integer)len) return 0;
    return len + (size_t)pos + 1;
}

static int kw_method_sub(lua_State *L) {
    kw_secret *secret = kw_check_handle(L, 1, NULL);
    size_t len = secret->len;
    size_t start = kw_start_index(luaL_checkinteger(L, 2), len);
    size_t end = kw_end_index(luaL_optinteger(L, 3, -1), len);
    size_t out = kw_secret_new(L, 0);
    if (start <= end) {
        secret = kw_check_handle(L, 1, NULL);
        kw_secret_append(L, out, secret->bytes + start - 1, end - start + 1);
    }
    kw_push_handle(L, out);
    return 1;
}

static int kw_change_case(lua_State *L, int upper) {
    size_t index = 0;
    kw_secret *secret = kw_check_handle(L, 1, &index);
    size_t len = secret->len;
    size_t out = kw_secret_new(L, len);
    kw_secret *source = kw_secret_at(kw_from(L), index);
    kw_secret *target = kw_secret_at(kw_from(L), out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = source->bytes[i];
        if (upper && c >= 'a' && c <= 'z') c = (unsigned char)(c - 'a' + 'A');
        if (!upper && c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        target->bytes[i] = c;
    }
    target->len = len;
    kw_push_handle(L, out);
    return 1;
}

static int kw_method_upper(lua_State *L) { return kw_change_case(L, 1); }
static int kw_method_lower(lua_State *L) { return kw_change_case(L, 0); }

/* truncate(n): the first n UTF-8 characters (a cut never splits a sequence). */
static int kw_method_truncate(lua_State *L) {
    size_t index = 0;
    kw_secret *secret = kw_check_handle(L, 1, &index);
    lua_Integer limit = luaL_checkinteger(L, 2);
    luaL_argcheck(L, limit >= 0, 2, "must not be negative");
    size_t end = 0;
    lua_Integer characters = 0;
    while (end < secret->len) {
        if ((secret->bytes[end] & 0xC0) != 0x80) {
            if (characters == limit) break;
            characters++;
        }
        end++;
    }
    size_t out = kw_secret_new(L, end);
    secret = kw_secret_at(kw_from(L), index);
    kw_secret_append(L, out, secret->bytes, end);
    kw_push_handle(L, out);
    return 1;
}

/* replace(old, new): every literal occurrence of `old`; `new` may be a handle. */
static int kw_method_replace(lua_State *L) {
    size_t index = 0;
    kw_secret *secret = kw_check_handle(L, 1, &index);
    size_t old_len = 0, new_len = 0;
    const char *old = luaL_checklstring(L, 2, &old_len);
    luaL_argcheck(L, old_len > 0, 2, "must not be empty");
    (void)kw_text_or_handle(L, 3, &new_len);
    size_t out = kw_secret_new(L, secret->len);
    size_t pos = 0;
    for (;;) {
        secret = kw_secret_at(kw_from(L), index);
        if (pos >= secret->len) break;
        const unsigned char *hit = old_len <= secret->len - pos
            ? memmem(secret->bytes + pos, secret->len - pos, old, old_len) : NULL;
        size_t stop = hit ? (size_t)(hit - secret->bytes) : secret->len;
        kw_charge(L, (int64_t)(stop - pos) / 16 + 1);
        kw_secret_append(L, out, secret->bytes + pos, stop - pos);
        if (hit == NULL) break;
        size_t len = 0;
        const unsigned char *replacement = kw_text_or_handle(L, 3, &len);
        kw_secret_append(L, out, replacement, len);
        pos = stop + old_len;
    }
    kw_push_handle(L, out);
    return 1;
}

/* gsub(pattern, replacement [, n]): Lua patterns, budgeted; the replacement is
   a plain string (%0-%9 captures). Returns only the new handle, so that
   `return attributeValue:gsub(...)` returns exactly one value. */
static int kw_method_gsub(lua_State *L) {
    size_t index = 0;
    kw_secret *secret = kw_check_handle(L, 1, &index);
    size_t plen = 0, rlen = 0;
    const char *pattern = luaL_checklstring(L, 2, &plen);
    if (lua_type(L, 3) != LUA_TSTRING) {
        luaL_argerror(L, 3, "the replacement must be a string (functions and tables would see the secret)");
    }
    const char *repl = lua_tolstring(L, 3, &rlen);
    lua_Integer max_n = luaL_optinteger(L, 4, -1);
    size_t out = kw_secret_new(L, secret->len);
    secret = kw_secret_at(kw_from(L), index);
    (void)kw_pattern_gsub(L, secret->bytes, secret->len, pattern, plen, repl, rlen, max_n, out);
    kw_push_handle(L, out);
    return 1;
}

static int kw_method_contains(lua_State *L) {
    kw_secret *secret = kw_check_handle(L, 1, NULL);
    size_t len = 0;
    const unsigned char *needle = kw_text_or_handle(L, 2, &len);
    kw_charge(L, (int64_t)secret->len / 16 + 1);
    int found = len == 0 || (len <= secret->len && memmem(secret->bytes, secret->len, needle, len) != NULL);
    lua_pushboolean(L, found);
    return 1;
}

static int kw_method_matches(lua_State *L) {
    kw_secret *secret = kw_check_handle(L, 1, NULL);
    size_t plen = 0;
    const char *pattern = luaL_checklstring(L, 2, &plen);
    lua_pushboolean(L, kw_pattern_find(L, secret->bytes, secret->len, pattern, plen));
    return 1;
}

static int kw_method_encode(lua_State *L) {
    size_t index = 0;
    kw_secret *secret = kw_check_handle(L, 1, &index);
    static const char *const names[] = {"utf16le", "quoted-utf16le", "base64", "hex", NULL};
    int which = luaL_checkoption(L, 2, NULL, names);
    size_t out = kw_secret_new(L, secret->len * 2 + 8);
    secret = kw_secret_at(kw_from(L), index);
    int status = 0;
    switch (which) {
        case 0: status = kw_encode_utf16le(L, secret->bytes, secret->len, out, 0); break;
        case 1: status = kw_encode_utf16le(L, secret->bytes, secret->len, out, 1); break;
        case 2: status = kw_encode_base64(L, secret->bytes, secret->len, out); break;
        default: status = kw_encode_hex(L, secret->bytes, secret->len, out); break;
    }
    if (status != 0) return luaL_error(L, "cannot encode as %s: the value is not valid UTF-8", names[which]);
    kw_push_handle(L, out);
    return 1;
}

static int kw_method_hash(lua_State *L) {
    size_t index = 0;
    kw_secret *secret = kw_check_handle(L, 1, &index);
    const char *algorithm = luaL_checkstring(L, 2);
    size_t salt_len = 0;
    const char *salt = luaL_optlstring(L, 3, NULL, &salt_len);
    size_t out = kw_secret_new(L, 96);
    secret = kw_secret_at(kw_from(L), index);
    int status = kw_hash(L, algorithm, secret->bytes, secret->len,
                         (const unsigned char *)salt, salt_len, out);
    if (status == -2) {
        return luaL_error(L, "unknown hash '%s' (use sha1, sha256, sha512, ssha, ssha256 or nt)", algorithm);
    }
    if (status != 0) {
        return luaL_error(L, "cannot hash with %s: invalid input or salt (1 to 64 bytes)", algorithm);
    }
    kw_push_handle(L, out);
    return 1;
}

static int kw_method_reveal(lua_State *L) {
    kw_secret *secret = kw_check_handle(L, 1, NULL);
    kw_state *S = kw_from(L);
    if (!S->allow_reveal) {
        S->flag_forbidden = 1;
        return luaL_error(L, "reveal() is not allowed for this script");
    }
    S->revealed = 1;
    lua_pushlstring(L, (const char *)secret->bytes, secret->len);
    return 1;
}

void kw_open_handles(lua_State *L) {
    static const luaL_Reg methods[] = {
        {"sub", kw_method_sub},
        {"upper", kw_method_upper},
        {"lower", kw_method_lower},
        {"replace", kw_method_replace},
        {"gsub", kw_method_gsub},
        {"truncate", kw_method_truncate},
        {"encode", kw_method_encode},
        {"hash", kw_method_hash},
        {"len", kw_method_len},
        {"contains", kw_method_contains},
        {"matches", kw_method_matches},
        {"reveal", kw_method_reveal},
        {NULL, NULL},
    };
    lua_createtable(L, 0, 7);
    lua_pushliteral(L, "GuardedString");
    lua_setfield(L, -2, "__name");
    lua_pushcfunction(L, kw_handle_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, kw_handle_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, kw_handle_concat);
    lua_setfield(L, -2, "__concat");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    /* The method table is reached only through __index of a userdata, which
       scripts cannot assign to; it needs no proxy. */
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    kw_from(L)->handle_meta = lua_topointer(L, -1);
    kw_from(L)->ref_handle_meta = luaL_ref(L, LUA_REGISTRYINDEX);
}
