// MIT Kerberos 5 and its GSS-API, for the Kerberos and ManagedPassword modules only.
#ifndef CCGD_CKRB5_SHIM_H
#define CCGD_CKRB5_SHIM_H
#include <krb5.h>
#include <profile.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <gssapi/gssapi_ext.h>

// Swift cannot import the macro's cast; GSS_C_NO_CREDENTIAL and friends are null pointers.
static inline gss_OID ccgd_gss_mech_krb5(void) { return (gss_OID)gss_mech_krb5; }
static inline OM_uint32 ccgd_gss_c_indefinite(void) { return GSS_C_INDEFINITE; }
#endif
