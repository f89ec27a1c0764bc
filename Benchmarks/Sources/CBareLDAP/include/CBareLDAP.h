#ifndef CBARELDAP_H
#define CBARELDAP_H
/*
 * The baseline of figure (f): password resets as bare libldap calls. One
 * LDAPS connection, bound once, then RFC 3062 Password Modify requests
 * (ldap_passwd_s, no old password, no controls) one after another, in a C
 * loop. No queue, no store, no script, no secret handling, no pool.
 */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One bound connection. One thread at a time.
typedef struct CBareLDAP_Connection CBareLDAP_Connection;

/// Connects to `url` (ldaps://), checking the server's certificate and host
/// name against `ca_file`, and binds simply as `bind_dn` with `password`.
/// Returns NULL and copies libldap's message into `error` when that fails.
CBareLDAP_Connection *CBareLDAP_open(
    const char *url, const char *ca_file, const char *bind_dn, const char *password, char *error, size_t error_cap);

/// Unbinds and frees the connection.
void CBareLDAP_close(CBareLDAP_Connection *connection);

/// For i in 0..<count, resets the password of `dns[i]` to `passwords[i]`
/// with ldap_passwd_s. Returns how many succeeded before the first failure
/// (`count` when all did); `*code` gets that failure's result code, or 0.
long CBareLDAP_reset_all(
    CBareLDAP_Connection *connection, const char *const *dns, const char *const *passwords, long count, int *code);

#ifdef __cplusplus
}
#endif
#endif
