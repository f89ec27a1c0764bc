/*
 * Encodings and hashes over host-side secret bytes: UTF-16LE (and the quoted
 * form of Active Directory's unicodePwd), Base64, hex, SHA-1/256/512, the NT
 * hash (MD4 of UTF-16LE) and OpenLDAP's {SSHA}/{SSHA256}.
 *
 * Digests come from libcrypto only. Output goes into the secret at
 * `out_index`: its room is first claimed with kw_secret_append (which counts
 * memory and may raise), and only then are password-derived bytes computed,
 * straight into that room. So a memory error never strands derived bytes in
 * a buffer of ours, and the few stack buffers that do hold them (a UTF-16
 * chunk, digest||salt, an MD4 context) are wiped before return.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "sandbox_internal.h"

#include <openssl/evp.h>
#include <openssl/md4.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Salt length when the caller gives none, as OpenLDAP's slappasswd uses. */
#define KW_SSHA_DEFAULT_SALT 8
#define KW_SSHA_MAX_SALT 64

void CLuaSandbox_secure_zero(void *ptr, size_t len) {
    if (ptr != NULL && len > 0) explicit_bzero(ptr, len);
}

void CLuaSandbox_sha256(const void *data, size_t len, uint8_t out[32]) {
    unsigned int written = 0;
    if (data == NULL) data = "";
    if (EVP_Digest(data, len, out, &written, EVP_sha256(), NULL) == 1 && written == 32) return;
    /* EVP fails only when OpenSSL cannot allocate; the one-shot does not.
       A wrong digest is never acceptable: these name cached chunks. */
    if (SHA256((const unsigned char *)data, len, out) == NULL) abort();
}

/* ------------------------------------------------------------ UTF-8 */

/* Decodes the well-formed UTF-8 sequence at src[*i] (Unicode table 3-7: no
   overlongs, no surrogates, nothing past U+10FFFF) and advances *i, or
   returns -1. */
static long kw_utf8_next(const unsigned char *src, size_t len, size_t *i) {
    size_t at = *i;
    unsigned c = src[at];
    unsigned lo = 0x80, hi = 0xBF;
    long cp;
    size_t extra;
    if (c < 0x80) {
        *i = at + 1;
        return (long)c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        extra = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        extra = 2;
        cp = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;      /* overlong */
        else if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        extra = 3;
        cp = c & 0x07;
        if (c == 0xF0) lo = 0x90;      /* overlong */
        else if (c == 0xF4) hi = 0x8F; /* past U+10FFFF */
    } else {
        return -1; /* continuation byte, C0/C1 overlong lead, F5..FF */
    }
    if (extra > len - at - 1) return -1; /* truncated */
    for (size_t k = 1; k <= extra; k++) {
        unsigned b = src[at + k];
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return -1;
        cp = (cp << 6) | (long)(b & 0x3F);
    }
    *i = at + 1 + extra;
    return cp;
}

/* Number of UTF-16 code units of src, or -1 when it is not valid UTF-8. */
static int kw_utf16_units(const unsigned char *src, size_t len, size_t *units) {
    size_t i = 0, n = 0;
    while (i < len) {
        long cp = kw_utf8_next(src, len, &i);
        if (cp < 0) return -1;
        n += cp >= 0x10000 ? 2 : 1;
    }
    *units = n;
    return 0;
}

/* Writes code point cp as UTF-16LE; returns the bytes written (2 or 4). */
static size_t kw_put_utf16le(unsigned char *d, long cp) {
    if (cp < 0x10000) {
        d[0] = (unsigned char)(cp & 0xFF);
        d[1] = (unsigned char)(cp >> 8);
        return 2;
    }
    cp -= 0x10000;
    long high = 0xD800 + (cp >> 10), low = 0xDC00 + (cp & 0x3FF);
    d[0] = (unsigned char)(high & 0xFF);
    d[1] = (unsigned char)(high >> 8);
    d[2] = (unsigned char)(low & 0xFF);
    d[3] = (unsigned char)(low >> 8);
    return 4;
}

/* MD4 of the UTF-16LE form of valid UTF-8 `src` (the NT hash). */
static void kw_nt_digest(const unsigned char *src, size_t len, unsigned char out[MD4_DIGEST_LENGTH]) {
    MD4_CTX ctx;
    unsigned char chunk[256];
    size_t used = 0, i = 0;
    MD4_Init(&ctx);
    while (i < len) {
        long cp = kw_utf8_next(src, len, &i);
        if (cp < 0) break; /* validated by the caller */
        used += kw_put_utf16le(chunk + used, cp);
        if (used > sizeof chunk - 4) {
            MD4_Update(&ctx, chunk, used);
            used = 0;
        }
    }
    if (used > 0) MD4_Update(&ctx, chunk, used);
    MD4_Final(out, &ctx);
    CLuaSandbox_secure_zero(chunk, sizeof chunk);
    CLuaSandbox_secure_zero(&ctx, sizeof ctx);
}

/* ------------------------------------------------------------- output */

/* Claims `n` bytes at the end of the secret `out` (zero-filled, counted,
   may raise a memory error) and returns where they start. Raises when the
   output secret holds the input, which growing it would move. */
static unsigned char *kw_claim(lua_State *L, size_t out, const unsigned char *src, size_t len, size_t n) {
    static const unsigned char zeros[1024];
    kw_state *S = kw_from(L);
    kw_secret *secret = kw_secret_at(S, out);
    if (secret == NULL) luaL_error(L, "encode: no output secret");
    if (src != NULL && secret->bytes != NULL) {
        uintptr_t a = (uintptr_t)src, b = (uintptr_t)secret->bytes;
        if (a < b + secret->cap && b < a + len + 1) luaL_error(L, "encode: the output may not be the input");
    }
    size_t start = secret->len;
    for (size_t left = n; left > 0;) {
        size_t k = left < sizeof zeros ? left : sizeof zeros;
        kw_secret_append(L, out, zeros, k);
        left -= k;
    }
    secret = kw_secret_at(S, out); /* its bytes moved as it grew */
    return n > 0 ? secret->bytes + start : NULL;
}

/* Charges linear work over `len` bytes: 1 unit per 16 bytes. */
static void kw_charge_bytes(lua_State *L, size_t len) { kw_charge(L, 1 + (int64_t)(len >> 4)); }

static const char kw_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t kw_base64_len(size_t len) { return (len / 3 + (len % 3 != 0)) * 4; }

/* Writes the padded Base64 of src[0..len) to d (kw_base64_len(len) bytes). */
static void kw_base64_write(unsigned char *d, const unsigned char *src, size_t len) {
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
        *d++ = (unsigned char)kw_b64[v >> 18 & 63];
        *d++ = (unsigned char)kw_b64[v >> 12 & 63];
        *d++ = (unsigned char)kw_b64[v >> 6 & 63];
        *d++ = (unsigned char)kw_b64[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)src[i] << 16 | (i + 1 < len ? (uint32_t)src[i + 1] << 8 : 0);
        *d++ = (unsigned char)kw_b64[v >> 18 & 63];
        *d++ = (unsigned char)kw_b64[v >> 12 & 63];
        *d++ = i + 1 < len ? (unsigned char)kw_b64[v >> 6 & 63] : '=';
        *d++ = '=';
    }
}

/* ----------------------------------------------------------- encodings */

int kw_encode_utf16le(lua_State *L, const unsigned char *src, size_t len, size_t out_index, int quoted) {
    size_t units = 0;
    if (src == NULL) len = 0;
    if (kw_utf16_units(src, len, &units) != 0) return -1;
    if (quoted) units += 2;
    if (units > SIZE_MAX / 2) return kw_raise_memory(L);
    kw_charge_bytes(L, len);
    unsigned char *d = kw_claim(L, out_index, src, len, units * 2);
    if (d == NULL) return 0;
    if (quoted) d += kw_put_utf16le(d, '"');
    for (size_t i = 0; i < len;) d += kw_put_utf16le(d, kw_utf8_next(src, len, &i));
    if (quoted) kw_put_utf16le(d, '"');
    return 0;
}

int kw_encode_base64(lua_State *L, const unsigned char *src, size_t len, size_t out_index) {
    if (src == NULL) len = 0;
    if (len / 3 >= SIZE_MAX / 4 - 1) return kw_raise_memory(L);
    kw_charge_bytes(L, len);
    unsigned char *d = kw_claim(L, out_index, src, len, kw_base64_len(len));
    if (d != NULL) kw_base64_write(d, src, len);
    return 0;
}

int kw_encode_hex(lua_State *L, const unsigned char *src, size_t len, size_t out_index) {
    static const char digits[] = "0123456789abcdef";
    if (src == NULL) len = 0;
    if (len > SIZE_MAX / 2) return kw_raise_memory(L);
    kw_charge_bytes(L, len);
    unsigned char *d = kw_claim(L, out_index, src, len, len * 2);
    for (size_t i = 0; i < len; i++) {
        *d++ = (unsigned char)digits[src[i] >> 4];
        *d++ = (unsigned char)digits[src[i] & 15];
    }
    return 0;
}

/* --------------------------------------------------------------- hashes */

/* The SHA digest named `name`, or NULL. */
static const EVP_MD *kw_sha(const char *name) {
    if (strcmp(name, "sha1") == 0) return EVP_sha1();
    if (strcmp(name, "sha256") == 0) return EVP_sha256();
    if (strcmp(name, "sha512") == 0) return EVP_sha512();
    return NULL;
}

/* SHA(src || salt) into out (EVP_MAX_MD_SIZE bytes); returns the digest
   length, or 0 when libcrypto fails. */
static unsigned kw_salted_digest(const EVP_MD *md, const unsigned char *src, size_t len,
                                 const unsigned char *salt, size_t salt_len, unsigned char *out) {
    unsigned written = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new(); /* freed (and cleansed) below */
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
             EVP_DigestUpdate(ctx, src, len) == 1 &&
             EVP_DigestUpdate(ctx, salt, salt_len) == 1 &&
             EVP_DigestFinal_ex(ctx, out, &written) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? written : 0;
}

/* {SSHA}/{SSHA256}: prefix + base64(SHA(pw || salt) || salt). */
static int kw_ssha(lua_State *L, const EVP_MD *md, const char *prefix, const unsigned char *src, size_t len,
                   const unsigned char *salt, size_t salt_len, size_t out_index) {
    unsigned char own_salt[KW_SSHA_DEFAULT_SALT];
    unsigned char joined[EVP_MAX_MD_SIZE + KW_SSHA_MAX_SALT];
    if (salt == NULL) {
        if (RAND_bytes(own_salt, sizeof own_salt) != 1) return luaL_error(L, "hash: no random salt available");
        salt = own_salt;
        salt_len = sizeof own_salt;
    } else if (salt_len < 1 || salt_len > KW_SSHA_MAX_SALT) {
        return -1;
    }
    size_t dlen = (size_t)EVP_MD_get_size(md);
    size_t plen = strlen(prefix);
    size_t total = plen + kw_base64_len(dlen + salt_len);
    unsigned char *d = kw_claim(L, out_index, src, len, total);
    /* From here on nothing raises until the wipe. */
    unsigned got = kw_salted_digest(md, src, len, salt, salt_len, joined);
    if (got != dlen) {
        CLuaSandbox_secure_zero(joined, sizeof joined);
        return luaL_error(L, "hash: libcrypto digest failed");
    }
    memcpy(joined + dlen, salt, salt_len);
    memcpy(d, prefix, plen);
    kw_base64_write(d + plen, joined, dlen + salt_len);
    CLuaSandbox_secure_zero(joined, sizeof joined);
    CLuaSandbox_secure_zero(own_salt, sizeof own_salt);
    return 0;
}

int kw_hash(lua_State *L, const char *algorithm, const unsigned char *src, size_t len,
            const unsigned char *salt, size_t salt_len, size_t out_index) {
    if (algorithm == NULL) return -2;
    if (src == NULL) {
        src = (const unsigned char *)"";
        len = 0;
    }
    const EVP_MD *md = kw_sha(algorithm);
    if (md != NULL || strcmp(algorithm, "nt") == 0) {
        if (salt != NULL) return -1; /* a salt would be silently ignored */
        if (md == NULL) {
            size_t units;
            if (kw_utf16_units(src, len, &units) != 0) return -1;
        }
        kw_charge_bytes(L, len);
        if (md == NULL) {
            kw_nt_digest(src, len, kw_claim(L, out_index, src, len, MD4_DIGEST_LENGTH));
            return 0;
        }
        size_t dlen = (size_t)EVP_MD_get_size(md);
        unsigned char *d = kw_claim(L, out_index, src, len, dlen);
        unsigned written = 0;
        if (EVP_Digest(src, len, d, &written, md, NULL) != 1 || written != dlen) {
            return luaL_error(L, "hash: libcrypto digest failed");
        }
        return 0;
    }
    if (strcmp(algorithm, "ssha") == 0 || strcmp(algorithm, "ssha256") == 0) {
        int sha1 = algorithm[4] == '\0';
        kw_charge_bytes(L, len);
        return kw_ssha(L, sha1 ? EVP_sha1() : EVP_sha256(), sha1 ? "{SSHA}" : "{SSHA256}", src, len, salt,
                       salt_len, out_index);
    }
    return -2;
}

/* ------------------------------------------------------ testing entry */

int CLuaSandbox_digest(const char *algorithm, const void *data, size_t len, uint8_t *out, size_t out_cap) {
    const unsigned char *src = data != NULL ? (const unsigned char *)data : (const unsigned char *)"";
    if (algorithm == NULL || out == NULL || (data == NULL && len > 0)) return -1;
    if (strcmp(algorithm, "md4") == 0 || strcmp(algorithm, "nt") == 0) {
        if (out_cap < MD4_DIGEST_LENGTH) return -1;
        if (algorithm[0] == 'n') {
            size_t units;
            if (kw_utf16_units(src, len, &units) != 0) return -1;
            kw_nt_digest(src, len, out);
        } else {
            MD4_CTX ctx;
            MD4_Init(&ctx);
            MD4_Update(&ctx, src, len);
            MD4_Final(out, &ctx);
            CLuaSandbox_secure_zero(&ctx, sizeof ctx);
        }
        return MD4_DIGEST_LENGTH;
    }
    const EVP_MD *md = kw_sha(algorithm);
    if (md == NULL || out_cap < (size_t)EVP_MD_get_size(md)) return -1;
    unsigned written = 0;
    if (EVP_Digest(src, len, out, &written, md, NULL) != 1) return -1;
    return (int)written;
}
