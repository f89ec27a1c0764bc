#ifndef CLUASANDBOX_H
#define CLUASANDBOX_H
/*
 * The Lua sandbox core, in C because lua_error unwinds with longjmp, which must
 * never cross Swift frames (SANDBOX.md rule 16). Swift sees only this header:
 * status codes, byte buffers and an opaque state.
 *
 * A CLuaSandbox_State is single-threaded: one caller at a time. The Swift side
 * keeps a pool of them.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of one call. Stable numbers: Swift maps them to ScriptError codes.
typedef enum {
    CLuaSandbox_OK = 0,
    CLuaSandbox_COMPILE = 1,
    CLuaSandbox_RUNTIME = 2,
    CLuaSandbox_BUDGET = 3,
    CLuaSandbox_MEMORY = 4,
    CLuaSandbox_BAD_RETURN = 5,
    CLuaSandbox_FORBIDDEN = 6,
    CLuaSandbox_INTERNAL = 7,
} CLuaSandbox_Outcome;

/// Limits of one call.
typedef struct {
    int64_t instruction_limit;  /* Lua VM instructions plus C work charged by the budgeted library functions */
    size_t memory_limit;        /* bytes the call may add to the state: Lua objects and host-side secrets */
    int64_t time_limit_ns;      /* CPU time the call may use (its thread's), checked by the hook; 0 = none */
    int32_t hook_interval;      /* instructions between budget checks; 1 counts exactly for the
                                   first 10,000 instructions, then every 1,000 (author tools) */
    int32_t allow_reveal;       /* nonzero: handle:reveal() returns the plaintext as a Lua string */
    int32_t want_message;       /* nonzero: copy the Lua error text into the result (author tools only) */
    int32_t reuse_environment;  /* nonzero: the script assigns no globals (checker-proven), so the call
                                   may use the state's shared _ENV, whose __newindex raises */
} CLuaSandbox_Limits;

/// One non-secret context entry (`context.KEY = VALUE`).
typedef struct {
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
} CLuaSandbox_ContextEntry;

/// The result of one call. Byte pointers stay valid until CLuaSandbox_end_call.
typedef struct {
    CLuaSandbox_Outcome outcome;
    int32_t result_is_nil;
    const uint8_t *result_bytes;
    size_t result_len;
    int64_t instructions;
    size_t peak_memory;
    int32_t revealed;          /* the script called reveal() */
    int32_t error_line;        /* 0 when unknown; only with want_message */
    char bad_type[32];         /* for BAD_RETURN: a Lua type name, "no value" or "N values" */
    char message[512];         /* only with want_message: the Lua error text */
} CLuaSandbox_Result;

typedef struct CLuaSandbox_State CLuaSandbox_State;

/// Whether the linked liblua is 5.4.4 or newer (parsed from lua_ident at run time).
int CLuaSandbox_lua_release_ok(void);
/// The linked Lua release, e.g. "Lua 5.4.4".
const char *CLuaSandbox_lua_release(void);

/// Opens a fresh state with the allow-listed environment. NULL when out of memory.
CLuaSandbox_State *CLuaSandbox_open(void);
/// Runs a full collection (freed blocks are wiped) and closes the state.
void CLuaSandbox_close(CLuaSandbox_State *state);

/// This thread's state, opened on first use and closed when the thread exits.
/// NULL when out of memory. Never share it with another thread.
CLuaSandbox_State *CLuaSandbox_thread_state(void);
/// Closes this thread's state; the next CLuaSandbox_thread_state opens a fresh one.
void CLuaSandbox_retire_thread_state(void);

/// Runs one script. `chunk_key` names the compiled chunk in the state's cache
/// (the script's content hash); `source` is compiled, in text mode, only on a miss.
/// `secret` is NULL for a nil attributeValue. Always call CLuaSandbox_end_call after.
void CLuaSandbox_call(CLuaSandbox_State *state,
                      const char *chunk_key,
                      const char *source, size_t source_len,
                      const uint8_t *secret, size_t secret_len,
                      const CLuaSandbox_ContextEntry *context, size_t context_count,
                      const CLuaSandbox_Limits *limits,
                      CLuaSandbox_Result *result);

/// Wipes and frees every secret of the call, kills its handles, and collects
/// garbage when due. Returns nonzero when the state should be retired.
int CLuaSandbox_end_call(CLuaSandbox_State *state);

/// The names of the sandbox's base environment, NULL-terminated (for the checker's tests).
const char *const *CLuaSandbox_base_names(void);
/// Writes the names in library `lib` ("string", "table", "math", "utf8") as a
/// NULL-terminated list into `out` (at most `cap` entries). Returns the count.
size_t CLuaSandbox_library_names(CLuaSandbox_State *state, const char *lib, const char **out, size_t cap);

/// Size of the current thread's stack in bytes, or 0 when unknown (cached per thread).
size_t CLuaSandbox_thread_stack_size(void);

/// Tests only: from now on freed blocks are kept, not returned to malloc, so a
/// test can scan them; `wipe` 0 skips the wipe (a test's positive control).
void CLuaSandbox_testing_quarantine(CLuaSandbox_State *state, int wipe);
/// Tests only: how many kept blocks contain `needle`; `bytes_held` gets their total size.
size_t CLuaSandbox_testing_quarantine_scan(const CLuaSandbox_State *state, const void *needle, size_t len,
                                           size_t *bytes_held);

/// SHA-256 of `data` into `out` (32 bytes), from libcrypto.
void CLuaSandbox_sha256(const void *data, size_t len, uint8_t out[32]);
/// Overwrites `len` bytes with zeroes in a way the optimiser cannot drop.
void CLuaSandbox_secure_zero(void *ptr, size_t len);

/// Digest of plain bytes, for tests of the hash primitives: "md4", "sha1", "sha256", "sha512", "nt".
/// Writes the digest to `out` and returns its length, or -1 (bad input/unknown algorithm or cap too small).
int CLuaSandbox_digest(const char *algorithm, const void *data, size_t len, uint8_t *out, size_t out_cap);

#ifdef __cplusplus
}
#endif
#endif
