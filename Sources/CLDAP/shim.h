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

// The LDAP ping (MS-ADTS 6.3.3) over UDP: ber_printf and ber_scanf are variadic, which Swift
// cannot call, so each message's one format lives here.
// A searchRequest of the root DSE for the Netlogon attribute, filtered on the DNS domain and
// the NETLOGON_NT_VERSION bits (a 4-byte little-endian value).
static inline int ccgd_ber_netlogon_request(BerElement *ber, ber_int_t message_id, const char *dns_domain,
                                            const char *version, ber_len_t version_length) {
    return ber_printf(ber, "{it{seeiibt{t{ss}t{so}}{s}}}", message_id, (ber_tag_t)LDAP_REQ_SEARCH, "",
                      (ber_int_t)LDAP_SCOPE_BASE, (ber_int_t)LDAP_DEREF_NEVER, (ber_int_t)0, (ber_int_t)0, (ber_int_t)0,
                      (ber_tag_t)LDAP_FILTER_AND, (ber_tag_t)LDAP_FILTER_EQUALITY, "DnsDomain", dns_domain,
                      (ber_tag_t)LDAP_FILTER_EQUALITY, "NtVer", version, version_length, "Netlogon");
}

// The first message of an answer: its id and operation; for a searchResEntry, its first
// attribute's name and first value (the caller frees both with ber_memfree and ber_bvfree).
// Returns -1 when the bytes are no LDAP message.
static inline int ccgd_ber_netlogon_answer(BerElement *ber, ber_int_t *message_id, ber_tag_t *operation,
                                           char **attribute, struct berval **value) {
    ber_len_t length;
    *attribute = NULL;
    *value = NULL;
    if (ber_scanf(ber, "{i", message_id) == LBER_ERROR) return -1;
    *operation = ber_peek_tag(ber, &length);
    if (*operation != LDAP_RES_SEARCH_ENTRY) return 0;
    if (ber_scanf(ber, "{x{{a[O", attribute, value) == LBER_ERROR) return -1;
    return 0;
}
#endif
