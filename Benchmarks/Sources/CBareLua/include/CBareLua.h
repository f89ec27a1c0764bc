#ifndef CBARELUA_H
#define CBARELUA_H
/*
 * The benchmark's baseline: one Lua chunk run through the plain Lua 5.4 C API
 * (luaL_newstate, luaL_openlibs, luaL_loadbuffer, lua_pcall), with no sandbox,
 * no budget hook, no counting allocator and no secret handling. Swift sees only
 * an opaque loop so the timed iterations run entirely in C. Also the one
 * glibc call Swift cannot import without _GNU_SOURCE (the thread's stack size).
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A plain Lua state holding one compiled chunk. One thread at a time.
typedef struct CBareLua_Loop CBareLua_Loop;

/// Opens a state with every standard library and compiles `chunk`.
/// Returns NULL and copies Lua's message into `error` when it does not compile.
CBareLua_Loop *CBareLua_open(const char *chunk, size_t chunk_len, char *error, size_t error_cap);

/// Closes the state.
void CBareLua_close(CBareLua_Loop *loop);

/// Runs the chunk `iterations` times: each time sets the global
/// `attributeValue` to `input`, calls the chunk with lua_pcall and pops the
/// result. Returns 0, or -1 after the first failed call or non-string result.
int CBareLua_run(CBareLua_Loop *loop, const char *input, size_t input_len, uint64_t iterations);

/// Runs the chunk once and copies its string result (NUL-terminated) into
/// `out`. Returns the result's length, or -1 when the call failed or the
/// result is not a string.
long CBareLua_run_once(CBareLua_Loop *loop, const char *input, size_t input_len, char *out, size_t out_cap);

/// The calling thread's stack size as glibc reports it (pthread_getattr_np,
/// the call the sandbox itself uses to decide whether to run inline), or 0.
size_t CBareLua_thread_stack_size(void);

#ifdef __cplusplus
}
#endif
#endif
