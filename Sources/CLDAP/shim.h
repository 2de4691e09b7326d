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

// Exported by libldap but declared only in its private header: hands libldap a socket we
// connected ourselves, so the URL's host name (the DC's) is what GSSAPI asks a ticket for.
#ifndef LDAP_PROTO_TCP
#define LDAP_PROTO_TCP 1
#endif
int ldap_init_fd(ber_socket_t fd, int proto, const char *url, LDAP **ldp);
#endif
