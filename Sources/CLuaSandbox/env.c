/*
 * The environment (rules 1, 3, 4): an allow-list of base functions and frozen
 * proxies of allow-listed library copies, reached through a fresh _ENV per call.
 * `package`, `io`, `os`, `debug` and `coroutine` are never opened.
 */
#include "sandbox_internal.h"

#include <lua5.4/lualib.h>
#include <string.h>

static const char KW_BASE_KEY[] = "keyward.base";

/* Keep in step with SandboxAllowList.swift (a test compares them). */
static const char *const kw_base_names[] = {
    "assert", "error", "ipairs", "pairs", "next", "select", "type", "tostring",
    "tonumber", "rawequal", "rawlen", "rawget", "pcall", NULL,
};
static const char *const kw_string_names[] = {
    "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match",
    "pack", "packsize", "rep", "reverse", "sub", "unpack", "upper", NULL,
};
static const char *const kw_table_names[] = {
    "concat", "insert", "move", "pack", "remove", "sort", "unpack", NULL,
};
static const char *const kw_math_names[] = {
    "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod",
    "huge", "log", "max", "maxinteger", "min", "mininteger", "modf", "pi", "rad",
    "sin", "sqrt", "tan", "tointeger", "type", "ult", NULL,
};
static const char *const kw_utf8_names[] = {
    "char", "charpattern", "codepoint", "codes", "len", "offset", NULL,
};

const char *const *CLuaSandbox_base_names(void) { return kw_base_names; }

static int kw_library_is_read_only(lua_State *L) {
    return luaL_error(L, "library tables are read-only");
}

static int kw_context_is_read_only(lua_State *L) {
    return luaL_error(L, "context is read-only");
}

static int kw_shared_env_is_read_only(lua_State *L) {
    return luaL_error(L, "this script may not assign globals (use local variables)");
}

/* Index of the context entry named by the string at `idx`, or -1. */
static long kw_context_find(lua_State *L, int idx) {
    kw_state *S = kw_from(L);
    if (S->context == NULL || lua_type(L, idx) != LUA_TSTRING) return -1;
    size_t len = 0;
    const char *key = lua_tolstring(L, idx, &len);
    for (size_t i = 0; i < S->context_count; i++) {
        const CLuaSandbox_ContextEntry *entry = &S->context[i];
        if (entry->key_len == len && memcmp(entry->key, key, len) == 0) return (long)i;
    }
    return -1;
}

static int kw_context_index(lua_State *L) {
    long i = kw_context_find(L, 2);
    if (i < 0) return 0;
    const CLuaSandbox_ContextEntry *entry = &kw_from(L)->context[i];
    lua_pushlstring(L, entry->value, entry->value_len);
    return 1;
}

/* next() over the current call's entries: (proxy, key) -> key, value. */
static int kw_context_next(lua_State *L) {
    kw_state *S = kw_from(L);
    size_t i = 0;
    if (!lua_isnoneornil(L, 2)) {
        long found = kw_context_find(L, 2);
        if (found < 0) return 0;
        i = (size_t)found + 1;
    }
    if (S->context == NULL || i >= S->context_count) return 0;
    const CLuaSandbox_ContextEntry *entry = &S->context[i];
    lua_pushlstring(L, entry->key, entry->key_len);
    lua_pushlstring(L, entry->value, entry->value_len);
    return 2;
}

static int kw_context_pairs(lua_State *L) {
    lua_pushcfunction(L, kw_context_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Pushes a new table holding only `names` copied from the table at `from`. */
static void kw_push_allowed_copy(lua_State *L, int from, const char *const *names) {
    from = lua_absindex(L, from);
    lua_newtable(L);
    for (const char *const *name = names; *name != NULL; name++) {
        lua_getfield(L, from, *name);
        lua_setfield(L, -2, *name);
    }
}

/* Pushes an empty proxy whose reads fall through to the table at `target`
   and whose writes raise (rule 4). */
static void kw_push_proxy(lua_State *L, int target, lua_CFunction on_write) {
    target = lua_absindex(L, target);
    lua_newtable(L);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, target);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, on_write);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

/* Opens library `name`, copies its allowed members, wraps it as a proxy and
   stores the proxy in the base table at `base`. Leaves the copy on the stack. */
static void kw_add_library(lua_State *L, int base, const char *name, lua_CFunction open,
                           const char *const *names) {
    luaL_requiref(L, name, open, 0);
    kw_push_allowed_copy(L, -1, names);
    lua_remove(L, -2);
    kw_push_proxy(L, -1, kw_library_is_read_only);
    lua_setfield(L, base, name);
}

void kw_open_environment(lua_State *L) {
    luaL_requiref(L, "_G", luaopen_base, 0);
    int real_globals = lua_gettop(L);
    kw_push_allowed_copy(L, real_globals, kw_base_names);
    int base = lua_gettop(L);

    kw_add_library(L, base, LUA_STRLIBNAME, luaopen_string, kw_string_names);
    kw_install_budgeted_string(L, -1);
    /* Strings index this copy, not the real library, so ("").dump is nil. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 3);

    kw_add_library(L, base, LUA_TABLIBNAME, luaopen_table, kw_table_names);
    kw_install_budgeted_table(L, -1);
    lua_pop(L, 1);
    kw_add_library(L, base, LUA_MATHLIBNAME, luaopen_math, kw_math_names);
    lua_pop(L, 1);
    kw_add_library(L, base, LUA_UTF8LIBNAME, luaopen_utf8, kw_utf8_names);
    lua_pop(L, 1);

    kw_state *S = kw_from(L);
    /* The metatable of every fresh _ENV: reads fall through to the base. */
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, base);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    S->ref_env_meta = luaL_ref(L, LUA_REGISTRYINDEX);

    /* The shared _ENV for scripts that assign no globals: it falls through
       to the base too, and any new global raises, so nothing can be left in
       it for a later call even if the checker was wrong. */
    lua_createtable(L, 0, 2);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, base);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, kw_shared_env_is_read_only);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    S->ref_shared_env = luaL_ref(L, LUA_REGISTRYINDEX);

    /* One read-only context proxy per state; its __index reads the current
       call's entries, so a call builds no tables for its context. */
    lua_newtable(L);
    lua_createtable(L, 0, 4);
    lua_pushcfunction(L, kw_context_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, kw_context_is_read_only);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, kw_context_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    S->ref_context = luaL_ref(L, LUA_REGISTRYINDEX);

    lua_pushvalue(L, base);
    lua_setfield(L, LUA_REGISTRYINDEX, KW_BASE_KEY);

    /* Nothing may reach the real globals, not even by mistake. */
    lua_newtable(L);
    lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_pop(L, 2);
}

void kw_push_call_environment(lua_State *L, int reuse) {
    kw_state *S = kw_from(L);
    if (reuse) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, S->ref_shared_env);
    } else {
        lua_createtable(L, 0, 2);
        lua_rawgeti(L, LUA_REGISTRYINDEX, S->ref_env_meta);
        lua_setmetatable(L, -2);
    }
    lua_pushliteral(L, "context");
    lua_rawgeti(L, LUA_REGISTRYINDEX, S->ref_context);
    lua_rawset(L, -3);
}

size_t CLuaSandbox_library_names(CLuaSandbox_State *S, const char *lib, const char **out, size_t cap) {
    lua_State *L = S->L;
    size_t count = 0;
    lua_getfield(L, LUA_REGISTRYINDEX, KW_BASE_KEY);
    if (lib != NULL) {
        lua_getfield(L, -1, lib);
        if (!lua_getmetatable(L, -1)) {
            lua_settop(L, 0);
            return 0;
        }
        lua_getfield(L, -1, "__index");
    }
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING && count + 1 < cap) {
            /* Names are interned in the state's base tables, which live as
               long as the state, so the pointers stay valid. */
            out[count++] = lua_tostring(L, -2);
        }
        lua_pop(L, 1);
    }
    if (count < cap) out[count] = NULL;
    lua_settop(L, 0);
    return count;
}
