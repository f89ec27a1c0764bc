#ifndef KEYWARD_CLDAP_SHIM_H
#define KEYWARD_CLDAP_SHIM_H
/* OpenLDAP's libldap (libldap-dev) and Cyrus SASL's types for the
   interactive (GSSAPI) bind. LDAP_DEPRECATED stays off: only the _ext/_s
   calls are used. */
#include <ldap.h>
#include <lber.h>
#include <sasl/sasl.h>
#endif
