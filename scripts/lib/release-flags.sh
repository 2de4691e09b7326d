# shellcheck shell=bash
# The flags of the package's release build, for scripts/package and scripts/order-file; needs $top.
#
# Swift's libraries linked in (--static-swift-stdlib); no RUNPATH ($ORIGIN: nothing is loaded
# from beside the programs); RELRO and immediate binding as dpkg-buildflags' hardening asks.
# Every function in a section of its own, and the sections laid out in packaging/ccgd.order's
# order (scripts/order-file writes it): the code ccgd runs from its start until it is idle then
# sits together, and an idle ccgd maps a few hundred kilobytes of its text where it mapped
# megabytes of pages it touched once (docs/performance.md, Memory). A stale order costs memory,
# never correctness: a name the link does not know is passed over. No dynamic symbol table of
# ccgd's own (--no-export-dynamic, after the toolchain's -export-dynamic): nothing resolves a
# symbol in the program (plug-ins get the host's functions through their entry's table), and
# 23,000 exported names cost every start the loader's reading of them.
# shellcheck disable=SC2034 # used by the scripts that source this file
RELEASE_FLAGS=(
  -c release --static-swift-stdlib --disable-local-rpath
  -Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now
  -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections
  -Xlinker "--section-ordering-file=$top/packaging/ccgd.order" -Xlinker --no-export-dynamic
)
