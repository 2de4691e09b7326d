// glibc's DNS resolver (libresolv), for finding domain controllers through SRV records.
#ifndef CCGD_CRESOLV_SHIM_H
#define CCGD_CRESOLV_SHIM_H
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <netdb.h>

// res_ninit/res_nclose are macros for __res_*; these names read better from Swift.
static inline int ccgd_res_ninit(res_state state) { return res_ninit(state); }
static inline void ccgd_res_nclose(res_state state) { res_nclose(state); }
typedef struct __res_state ccgd_resolver_state;   // Swift sees __res_state() the function first
static inline int ccgd_h_errno(void) { return h_errno; }
static inline int ccgd_ns_msg_count(ns_msg handle, ns_sect section) { return ns_msg_count(handle, section); }
#endif
