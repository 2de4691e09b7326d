# shellcheck shell=bash
# The flags of the package's release build, for scripts/package and scripts/order-file.
#
# Swift's libraries linked in (--static-swift-stdlib); no RUNPATH ($ORIGIN: nothing is loaded
# from beside the programs); RELRO and immediate binding as dpkg-buildflags' hardening asks.
# Every function in a section of its own, the dependencies' too: Package.swift gives the
# project's own modules -function-sections in release builds, lays the programs out in
# packaging/ccgd.order's order and exports none of their symbols, but a manifest cannot give
# flags to the packages it depends on, so they come from here (docs/performance.md, Memory).
# shellcheck disable=SC2034 # used by the scripts that source this file
RELEASE_FLAGS=(
  -c release --static-swift-stdlib --disable-local-rpath
  -Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now
  -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections
)
