#ifndef CLUASANDBOX_INTERNAL_H
#define CLUASANDBOX_INTERNAL_H
/* Shared between the sandbox's C files. Never included by Swift. */
#include "CLuaSandbox.h"
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>

/* A host-side secret: bytes the sandbox allocated itself, wiped on free,
   counted against the call's memory limit. Lua only ever holds its index. */
typedef struct {
    unsigned char *bytes;
    size_t len;
    size_t cap;
    int live;
    int borrowed; /* the caller's buffer (the input): read-only, not freed here */
    int in_arena; /* in the state's arena: wiped, never freed */
} kw_secret;

/* Bytes of the per-state arena small secrets are carved from. */
#define KW_ARENA_SIZE 8192

struct CLuaSandbox_State {
    lua_State *L;

    /* memory (rule 8): every Lua block and every secret byte is counted */
    size_t mem_used;
    size_t mem_cap;        /* refuse growth past this */
    size_t call_base;      /* mem_used when the call started */
    size_t mem_peak;       /* highest mem_used during the call */

    /* budget (rules 6 and 7), kept by the host */
    int64_t budget_used;
    int64_t budget_limit;
    int32_t hook_interval;
    int exact_phase;       /* counting every instruction, see KW_EXACT_COUNT_UNTIL */

    /* host-side flags: they decide the outcome, whatever the script returned */
    int flag_budget;
    int flag_oom;
    int oom_pending;       /* a refused growth Lua may still retry */
    void *pending_ptr;
    size_t pending_osize;
    size_t pending_nsize;
    int64_t time_limit_ns;   /* CPU time the call may use; 0 = none */
    int64_t cpu_deadline_ns; /* CLOCK_THREAD_CPUTIME_ID the call may reach */
    int flag_forbidden;
    int in_call;
    int allow_reveal;
    int revealed;

    /* per-call secrets (rule 13): handles are (generation, index) */
    uint32_t generation;
    kw_secret *secrets;
    size_t nsecrets;
    size_t capsecrets;
    unsigned char *arena;  /* KW_ARENA_SIZE bytes, allocated on first use */
    size_t arena_used;

    uint64_t calls;
    uint64_t calls_since_gc;
    int must_retire;

    /* registry references, so the hot path does no string lookups */
    int ref_handle_meta;
    const void *handle_meta;  /* its address, for identity checks without a lookup */
    int ref_env_meta;
    int ref_shared_env;
    int ref_context;
    int ref_attribute_key;
    int32_t installed_interval;

    /* the current call's context, read by the context proxy's __index */
    const CLuaSandbox_ContextEntry *context;
    size_t context_count;

    /* tests only: freed blocks kept (wiped) for scanning, see CLuaSandbox_testing_quarantine */
    struct kw_block { void *bytes; size_t size; } *quarantine;
    size_t nquarantine;
    int quarantine_wipes;

    /* compiled chunks by content hash */
    struct kw_chunk *chunks;
    size_t nchunks;
};

#define KW_CHUNK_KEY_MAX 64
struct kw_chunk {
    char key[KW_CHUNK_KEY_MAX + 1];
    int ref;
};

typedef struct CLuaSandbox_State kw_state;

/* The state behind a lua_State, kept in the main thread's extra space
   (lua_getextraspace is a macro: no call on the hot path). */
static inline kw_state *kw_from(lua_State *L) {
    kw_state *S;
    memcpy(&S, lua_getextraspace(L), sizeof S);
    return S;
}

/* Wipes a block and gives it back to malloc (rule 9), or to a test's quarantine. */
void kw_release_block(kw_state *S, void *block, size_t size);

/* Charges `cost` units of work to the call's budget. When the budget runs out
   it sets the budget flag and raises; it never returns then. */
void kw_charge(lua_State *L, int64_t cost);

/* Raises the fixed "not enough memory" error after setting the oom flag. */
int kw_raise_memory(lua_State *L);

/* Raises the fixed budget error after setting the budget flag. */
int kw_raise_budget(lua_State *L);

/* ---- secrets ---- */

/* Allocates a new empty secret with room for `cap` bytes; returns its index.
   Raises a memory error when the cap would be passed. */
size_t kw_secret_new(lua_State *L, size_t cap);
/* Registers the caller's read-only buffer (the input secret) as a secret
   without copying it; it counts against the memory limit like a copy would. */
size_t kw_secret_borrow(lua_State *L, const unsigned char *bytes, size_t len);
/* The secret at `index` (valid for the current call). */
kw_secret *kw_secret_at(kw_state *S, size_t index);
/* Appends bytes to the secret at `index`, growing it (wiping the old block).
   Raises a memory error when the cap would be passed. */
void kw_secret_append(lua_State *L, size_t index, const void *bytes, size_t len);
/* Appends one byte. */
void kw_secret_append_byte(lua_State *L, size_t index, unsigned char byte);
/* Wipes and frees every secret of the call. */
void kw_secrets_release(kw_state *S);

/* ---- handles ---- */

/* Pushes a new handle for the secret at `index`. */
void kw_push_handle(lua_State *L, size_t index);
/* The live secret behind the handle at stack slot `arg`; raises a runtime
   error naming the argument when it is not a live handle. */
kw_secret *kw_check_handle(lua_State *L, int arg, size_t *index_out);
/* The secret behind the value at `idx` if it is a live handle, else NULL.
   Never calls a metamethod. */
kw_secret *kw_test_handle(lua_State *L, int idx, size_t *index_out);
/* Creates the handle metatable and method table in the registry. */
void kw_open_handles(lua_State *L);

/* ---- budgeted library functions (pattern.c) ---- */

/* Replaces find, match, gmatch, gsub and rep in the string table at stack index
   `idx` with versions that charge their work to the budget. */
void kw_install_budgeted_string(lua_State *L, int idx);
/* Wraps the table library at stack index `idx` (insert, remove, move, concat,
   sort, unpack) so the length they loop over is charged first. */
void kw_install_budgeted_table(lua_State *L, int idx);

/* Lua pattern matching over host-side bytes, for handle methods. Work is charged
   to the budget; a malformed pattern raises a runtime error (pattern text only).
   kw_pattern_find: 1 if `pattern` matches anywhere in src (anchors honoured). */
int kw_pattern_find(lua_State *L, const unsigned char *src, size_t len,
                    const char *pattern, size_t plen);
/* gsub into the secret at `out_index`; `repl` is a plain string where %0-%9
   name captures and %% is a percent sign. `max_n` < 0 means all. Returns the count. */
lua_Integer kw_pattern_gsub(lua_State *L, const unsigned char *src, size_t len,
                            const char *pattern, size_t plen,
                            const char *repl, size_t rlen,
                            lua_Integer max_n, size_t out_index);

/* ---- encodings and hashes over host-side bytes (codec.c) ---- */
/* Each appends to the secret at `out_index` and returns 0, or returns -1 for
   bad input (invalid UTF-8, unknown salt length) without raising. */
int kw_encode_utf16le(lua_State *L, const unsigned char *src, size_t len, size_t out_index, int quoted);
int kw_encode_base64(lua_State *L, const unsigned char *src, size_t len, size_t out_index);
int kw_encode_hex(lua_State *L, const unsigned char *src, size_t len, size_t out_index);
/* algorithm: "sha1" "sha256" "sha512" "nt" give raw digests; "ssha" "ssha256" give
   "{SSHA}"/"{SSHA256}" + base64(digest || salt). `salt` NULL means 8 random bytes.
   Returns 0, -1 for bad input, -2 for an unknown algorithm. */
int kw_hash(lua_State *L, const char *algorithm, const unsigned char *src, size_t len,
            const unsigned char *salt, size_t salt_len, size_t out_index);

#endif
