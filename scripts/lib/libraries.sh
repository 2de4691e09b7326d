# shellcheck shell=bash disable=SC2034 # the scripts that source this use them
# Sourced: the Debian 12 packages of the C libraries ccgd builds against and runs with, one list
# each. Kept in step with what the programs link (objdump -p .build/release/ccgd | grep NEEDED).

# What a host that runs ccgd needs (scripts/install): the shared libraries the programs link —
# libkrb5.so.3, libk5crypto.so.3, libcom_err.so.2, libgssapi_krb5.so.2 (MIT Kerberos),
# libldap-2.5.so.0 and liblber-2.5.so.0 (OpenLDAP), libcrypto.so.3 (OpenSSL), libcurl.so.4 (the
# AWS plug-in), libstdc++.so.6 (Swift's runtime when linked in, --static-swift-stdlib) — and the
# SASL GSSAPI module libldap loads at run time for its sealed bind (no program links it). The Debian package gets the same from dpkg-shlibdeps and packaging/control.
ccgd_runtime_packages=(libkrb5-3 libk5crypto3 libcom-err2 libgssapi-krb5-2 libldap-2.5-0 libssl3 libcurl4 libstdc++6
                       libsasl2-modules-gssapi-mit)

# What building ccgd needs besides Swift: the headers and link-time names of the same libraries
# (a developer's or a build machine's, never a production host's).
ccgd_build_packages=(libkrb5-dev libldap-dev libsasl2-dev libssl-dev libcurl4-openssl-dev
                     libsasl2-modules-gssapi-mit)
