#ifndef KEYWARD_CXCRYPT_SHIM_H
#define KEYWARD_CXCRYPT_SHIM_H
/* libxcrypt (Debian's libcrypt1 / libcrypt-dev): bcrypt through
   crypt_gensalt_rn and crypt_rn, which are not variadic. */
#include <crypt.h>
#endif
