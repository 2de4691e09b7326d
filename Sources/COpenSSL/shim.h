// OpenSSL 3's libcrypto: MD4 from the legacy provider, for the ManagedPassword module only.
#ifndef CCGD_COPENSSL_SHIM_H
#define CCGD_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#endif
