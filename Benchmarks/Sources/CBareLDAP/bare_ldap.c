/*
 * The baseline loop of figure (f): what a Password Modify costs through
 * libldap over one connection that stays bound, so the engine's resets per
 * second have something to be divided by.
 */
#include "CBareLDAP.h"

#include <ldap.h>
#include <stdlib.h>
#include <string.h>

struct CBareLDAP_Connection {
    LDAP *ld;
};

static void CBareLDAP_message(const char *text, char *error, size_t error_cap) {
    if (error == NULL || error_cap == 0) return;
    strncpy(error, text != NULL ? text : "unknown error", error_cap - 1);
    error[error_cap - 1] = '\0';
}

/* The options Keyward's own connections set: LDAPv3, no referrals, the CA
   file with certificate and host-name checks, then a fresh TLS context. */
static int CBareLDAP_configure(LDAP *ld, const char *ca_file) {
    int version = LDAP_VERSION3;
    int demand = LDAP_OPT_X_TLS_DEMAND;
    int is_server = 0;
    struct timeval timeout = {10, 0};
    if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS) return -1;
    if (ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS) return -1;
    if (ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout) != LDAP_OPT_SUCCESS) return -1;
    if (ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, ca_file) != LDAP_OPT_SUCCESS) return -1;
    if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_OPT_SUCCESS) return -1;
    if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server) != LDAP_OPT_SUCCESS) return -1;
    return 0;
}

CBareLDAP_Connection *CBareLDAP_open(
    const char *url, const char *ca_file, const char *bind_dn, const char *password, char *error, size_t error_cap) {
    LDAP *ld = NULL;
    int rc = ldap_initialize(&ld, url);
    if (rc != LDAP_SUCCESS) {
        CBareLDAP_message(ldap_err2string(rc), error, error_cap);
        return NULL;
    }
    if (CBareLDAP_configure(ld, ca_file) != 0) {
        CBareLDAP_message("an LDAP option was refused", error, error_cap);
        ldap_unbind_ext_s(ld, NULL, NULL);
        return NULL;
    }
    struct berval credentials = {strlen(password), (char *)password};
    rc = ldap_sasl_bind_s(ld, bind_dn, LDAP_SASL_SIMPLE, &credentials, NULL, NULL, NULL);
    if (rc != LDAP_SUCCESS) {
        CBareLDAP_message(ldap_err2string(rc), error, error_cap);
        ldap_unbind_ext_s(ld, NULL, NULL);
        return NULL;
    }
    CBareLDAP_Connection *connection = calloc(1, sizeof *connection);
    if (connection == NULL) {
        CBareLDAP_message("out of memory", error, error_cap);
        ldap_unbind_ext_s(ld, NULL, NULL);
        return NULL;
    }
    connection->ld = ld;
    return connection;
}

void CBareLDAP_close(CBareLDAP_Connection *connection) {
    if (connection == NULL) return;
    ldap_unbind_ext_s(connection->ld, NULL, NULL);
    free(connection);
}

long CBareLDAP_reset_all(
    CBareLDAP_Connection *connection, const char *const *dns, const char *const *passwords, long count, int *code) {
    *code = 0;
    for (long i = 0; i < count; i++) {
        struct berval user = {strlen(dns[i]), (char *)dns[i]};
        struct berval new_password = {strlen(passwords[i]), (char *)passwords[i]};
        /* ldap_parse_passwd wants somewhere to put a generated password,
           which a reset with a new password never gets. */
        struct berval generated = {0, NULL};
        int rc = ldap_passwd_s(connection->ld, &user, NULL, &new_password, &generated, NULL, NULL);
        if (generated.bv_val != NULL) ber_memfree(generated.bv_val);
        if (rc != LDAP_SUCCESS) {
            *code = rc;
            return i;
        }
    }
    return count;
}
