// OpenLDAP's libldap/liblber and Cyrus SASL's constants, for the Directory module only.
#ifndef CCGD_CLDAP_SHIM_H
#define CCGD_CLDAP_SHIM_H
#define LDAP_DEPRECATED 0
#include <ldap.h>
#include <lber.h>
#include <sasl/sasl.h>

// Macros Swift does not import.
static inline void *ccgd_ldap_opt_on(void) { return LDAP_OPT_ON; }
static inline void *ccgd_ldap_opt_off(void) { return LDAP_OPT_OFF; }
static inline const char *ccgd_ldap_sasl_simple(void) { return LDAP_SASL_SIMPLE; }
#endif
