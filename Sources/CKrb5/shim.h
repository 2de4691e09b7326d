// MIT Kerberos 5 and its GSS-API, for the Kerberos and ManagedPassword modules only.
#ifndef CCGD_CKRB5_SHIM_H
#define CCGD_CKRB5_SHIM_H
#include <krb5.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <profile.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <gssapi/gssapi_ext.h>

// Swift cannot import the macro's cast; GSS_C_NO_CREDENTIAL and friends are null pointers.
static inline gss_OID ccgd_gss_mech_krb5(void) { return (gss_OID)gss_mech_krb5; }
static inline OM_uint32 ccgd_gss_c_indefinite(void) { return GSS_C_INDEFINITE; }

// An anonymous memory file (close-on-exec) for a keytab libkrb5 writes but no disk should see;
// -1 (errno set) where the kernel has none. Swift cannot call the variadic syscall(2).
static inline int ccgd_memfd_create(const char *name) { return (int)syscall(SYS_memfd_create, name, 1u /* MFD_CLOEXEC */); }
#endif
