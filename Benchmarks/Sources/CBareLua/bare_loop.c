/*
 * The baseline loop of keyward-bench: what calling a Lua chunk costs with the
 * plain C API and nothing else, so Keyward's figure has something to be
 * divided by.
 */
#define _GNU_SOURCE /* pthread_getattr_np */
#include "CBareLua.h"

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct CBareLua_Loop {
    lua_State *L;
};

CBareLua_Loop *CBareLua_open(const char *chunk, size_t chunk_len, char *error, size_t error_cap) {
    CBareLua_Loop *loop = calloc(1, sizeof *loop);
    if (loop == NULL) return NULL;
    loop->L = luaL_newstate();
    if (loop->L == NULL) {
        free(loop);
        return NULL;
    }
    luaL_openlibs(loop->L);
    if (luaL_loadbuffer(loop->L, chunk, chunk_len, "=bare") != LUA_OK) {
        if (error != NULL && error_cap > 0) {
            const char *message = lua_tostring(loop->L, -1);
            strncpy(error, message != NULL ? message : "not a string", error_cap - 1);
            error[error_cap - 1] = '\0';
        }
        CBareLua_close(loop);
        return NULL;
    }
    /* The compiled chunk stays at stack index 1 for every call. */
    return loop;
}

void CBareLua_close(CBareLua_Loop *loop) {
    if (loop == NULL) return;
    lua_close(loop->L);
    free(loop);
}

/* One call: [chunk] -> [chunk, result]. Returns the lua_pcall status. */
static int CBareLua_call(lua_State *L, const char *input, size_t input_len) {
    lua_pushlstring(L, input, input_len);
    lua_setglobal(L, "attributeValue");
    lua_pushvalue(L, 1);
    return lua_pcall(L, 0, 1, 0);
}

int CBareLua_run(CBareLua_Loop *loop, const char *input, size_t input_len, uint64_t iterations) {
    lua_State *L = loop->L;
    for (uint64_t i = 0; i < iterations; i++) {
        if (CBareLua_call(L, input, input_len) != LUA_OK || lua_type(L, -1) != LUA_TSTRING) {
            lua_settop(L, 1);
            return -1;
        }
        lua_pop(L, 1);
    }
    return 0;
}

long CBareLua_run_once(CBareLua_Loop *loop, const char *input, size_t input_len, char *out, size_t out_cap) {
    lua_State *L = loop->L;
    if (CBareLua_call(L, input, input_len) != LUA_OK || lua_type(L, -1) != LUA_TSTRING) {
        lua_settop(L, 1);
        return -1;
    }
    size_t len = 0;
    const char *text = lua_tolstring(L, -1, &len);
    if (out != NULL && out_cap > 0) {
        size_t copied = len < out_cap - 1 ? len : out_cap - 1;
        memcpy(out, text, copied);
        out[copied] = '\0';
    }
    lua_pop(L, 1);
    return (long)len;
}

size_t CBareLua_thread_stack_size(void) {
    pthread_attr_t attr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
    if (pthread_attr_getstacksize(&attr, &size) != 0) size = 0;
    pthread_attr_destroy(&attr);
    return size;
}
