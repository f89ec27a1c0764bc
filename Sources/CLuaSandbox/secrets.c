/*
 * Host-side secrets (rule 13): the bytes behind GuardedString handles. They
 * live in memory the sandbox allocates itself, count against the call's memory
 * limit, are wiped when they grow or die, and all die when the call ends.
 */
#include "sandbox_internal.h"

#include <stdlib.h>
#include <string.h>

/* Reserves `extra` bytes of the call's memory for secrets, or raises. */
static void kw_reserve(lua_State *L, size_t extra) {
    kw_state *S = kw_from(L);
    if (S->mem_used > S->mem_cap || extra > S->mem_cap - S->mem_used) kw_raise_memory(L);
    S->mem_used += extra;
    if (S->mem_used > S->mem_peak) S->mem_peak = S->mem_used;
}

static void kw_unreserve(kw_state *S, size_t bytes) { S->mem_used -= bytes; }

/* Allocates `size` bytes of secret memory (counted), or raises. Small
   secrets come from the state's arena, which is reset at the end of every
   call: a plain transformation then calls malloc for none of its secrets. */
static unsigned char *kw_secret_block(lua_State *L, size_t size, int *in_arena) {
    kw_state *S = kw_from(L);
    kw_reserve(L, size);
    size_t rounded = (size + 15) & ~(size_t)15;
    if (rounded >= size && rounded <= KW_ARENA_SIZE - S->arena_used) {
        if (S->arena == NULL) S->arena = malloc(KW_ARENA_SIZE);
        if (S->arena != NULL) {
            unsigned char *block = S->arena + S->arena_used;
            S->arena_used += rounded;
            *in_arena = 1;
            return block;
        }
    }
    unsigned char *block = malloc(size > 0 ? size : 1);
    if (block == NULL) {
        kw_unreserve(S, size);
        kw_raise_memory(L);
    }
    *in_arena = 0;
    return block;
}

/* Wipes a secret's bytes and gives them back (to malloc, or to nothing for
   arena blocks: the arena is reused after the call). */
static void kw_drop_bytes(kw_state *S, kw_secret *secret) {
    if (secret->in_arena) {
        CLuaSandbox_secure_zero(secret->bytes, secret->cap);
    } else {
        kw_release_block(S, secret->bytes, secret->cap);
    }
    kw_unreserve(S, secret->cap);
}

size_t kw_secret_new(lua_State *L, size_t cap) {
    kw_state *S = kw_from(L);
    if (S->nsecrets == S->capsecrets) {
        size_t grown = S->capsecrets ? S->capsecrets * 2 : 16;
        if (grown > SIZE_MAX / sizeof(kw_secret)) kw_raise_memory(L);
        size_t extra = (grown - S->capsecrets) * sizeof(kw_secret);
        kw_reserve(L, extra);
        kw_secret *table = realloc(S->secrets, grown * sizeof(kw_secret));
        if (table == NULL) {
            kw_unreserve(S, extra);
            kw_raise_memory(L);
        }
        S->secrets = table;
        S->capsecrets = grown;
    }
    /* Claim the slot before allocating, so a failed allocation leaves
       nothing behind that kw_secrets_release would not free. */
    size_t index = S->nsecrets++;
    kw_secret *secret = &S->secrets[index];
    secret->bytes = NULL;
    secret->len = 0;
    secret->cap = 0;
    secret->live = 1;
    secret->borrowed = 0;
    secret->in_arena = 0;
    if (cap > 0) {
        int in_arena = 0;
        unsigned char *block = kw_secret_block(L, cap, &in_arena);
        secret = &S->secrets[index];
        secret->bytes = block;
        secret->cap = cap;
        secret->in_arena = in_arena;
    }
    return index;
}

size_t kw_secret_borrow(lua_State *L, const unsigned char *bytes, size_t len) {
    size_t index = kw_secret_new(L, 0);
    kw_reserve(L, len);
    kw_secret *secret = &kw_from(L)->secrets[index];
    secret->bytes = (unsigned char *)bytes;
    secret->len = secret->cap = len;
    secret->borrowed = 1;
    return index;
}

kw_secret *kw_secret_at(kw_state *S, size_t index) {
    return index < S->nsecrets ? &S->secrets[index] : NULL;
}

void kw_secret_append(lua_State *L, size_t index, const void *bytes, size_t len) {
    kw_state *S = kw_from(L);
    kw_secret *secret = kw_secret_at(S, index);
    if (secret == NULL || len == 0) return;
    if (secret->borrowed) luaL_error(L, "internal error: the input is read-only");
    if (len > SIZE_MAX - secret->len) kw_raise_memory(L);
    size_t needed = secret->len + len;
    if (needed > secret->cap) {
        size_t cap = secret->cap ? secret->cap : 16;
        while (cap < needed) cap = cap > SIZE_MAX / 2 ? needed : cap * 2;
        int in_arena = 0;
        unsigned char *grown = kw_secret_block(L, cap, &in_arena);
        /* kw_secret_block may have raised; S->secrets is unchanged then. */
        secret = kw_secret_at(S, index);
        if (secret->len > 0) memcpy(grown, secret->bytes, secret->len);
        if (secret->bytes != NULL) kw_drop_bytes(S, secret);
        secret->bytes = grown;
        secret->cap = cap;
        secret->in_arena = in_arena;
    }
    memcpy(secret->bytes + secret->len, bytes, len);
    secret->len += len;
}

void kw_secret_append_byte(lua_State *L, size_t index, unsigned char byte) {
    kw_secret_append(L, index, &byte, 1);
}

void kw_secrets_release(kw_state *S) {
    for (size_t i = 0; i < S->nsecrets; i++) {
        kw_secret *secret = &S->secrets[i];
        if (secret->borrowed) {
            kw_unreserve(S, secret->cap);
        } else if (secret->bytes != NULL) {
            kw_drop_bytes(S, secret);
        }
        secret->borrowed = 0;
        secret->in_arena = 0;
        secret->bytes = NULL;
        secret->len = secret->cap = 0;
        secret->live = 0;
    }
    S->nsecrets = 0;
    S->arena_used = 0;
}
