# Shared by packaging/tests/clean-root and packaging/tests/systemd (sourced; needs $top).
# Debian 12 roots made by debootstrap from Debian's packages, cached under .package/cache
# (gitignored): the archive is the one this machine's apt uses, read from its sources file, and
# the roots get a copy of that file rather than a host name of ours.

cache="$top/.package/cache"
sources=/etc/apt/sources.list.d/debian.sources
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

# The URI of this machine's stanza for plain bookworm.
archive_uri() {
  [ -f "$sources" ] || fail "$sources is missing: the tests take Debian's archive from it; add it (deb822 format) or run on Debian 12"
  awk 'BEGIN { RS = "" } $0 ~ /(^|\n)Suites:([^\n]* )?bookworm( |\n|$)/ {
         n = split($0, lines, "\n"); for (i = 1; i <= n; i++) if (lines[i] ~ /^URIs:/) { split(lines[i], f, /[ \t]+/); print f[2]; exit } }' "$sources"
}

# A tarball of a minimal Debian 12 root (debootstrap --variant=minbase), plus PACKAGES if given,
# made once and cached: prints its path.
root_tarball() { # NAME [PACKAGES…]
  local name=$1; shift
  local tarball="$cache/$name.tar" dir uri
  [ -f "$tarball" ] && { echo "$tarball"; return; }
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
    fail "debootstrap is missing and apt-get could not install it"
  uri=$(archive_uri)
  [ -n "$uri" ] || fail "no 'Suites: bookworm' stanza with URIs in $sources"
  mkdir -p "$cache"
  dir=$(mktemp -d "$cache/$name.XXXXXX")
  echo "making $tarball (debootstrap, a few minutes)" >&2
  debootstrap --variant=minbase bookworm "$dir" "$uri" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; rm -rf "$dir"; fail "debootstrap failed (log above)"; }
  rm -f "$dir/etc/apt/sources.list" "$dir.log"
  install -m 0644 "$sources" "$dir/etc/apt/sources.list.d/debian.sources"
  if [ $# -gt 0 ]; then
    cp /etc/resolv.conf "$dir/etc/resolv.conf"
    mount -t proc proc "$dir/proc"
    if ! chroot "$dir" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $* >/dev/null"; then
      umount "$dir/proc"; rm -rf "$dir"; fail "apt-get install $* in the new root failed"
    fi
    umount "$dir/proc"
  fi
  chroot "$dir" apt-get clean
  tar -C "$dir" -cf "$tarball.new" . && mv "$tarball.new" "$tarball"
  rm -rf "$dir"
  echo "$tarball"
}

# The test domain's settings (scripts/testdomain's testdomain.env; CCGD_TESTDOMAIN_DIR or .testdomain).
testdomain() { # KEY
  local env=${CCGD_TESTDOMAIN_DIR:-$top/.testdomain}/testdomain.env
  [ -f "$env" ] || fail "$env is missing: start the test domain (scripts/testdomain up) or set CCGD_TESTDOMAIN_DIR"
  sed -n "s/^CCGD_TD_$1=//p" "$env"
}

# Every path under ROOT but the kernel's, temporary, cache, log and package-manager files, and the
# backups shadow's tools write whenever a group is added (/etc/group- …): what a package leaves
# behind shows up here.
list_files() { # ROOT
  (cd "$1" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp -o -path ./var/tmp -o -path ./run/lock \
     -o -path ./var/cache -o -path ./var/log -o -path ./var/lib/apt -o -path ./var/lib/dpkg \
     -o -path ./var/lib/systemd/catalog -o -path ./etc/ld.so.cache \
     -o -path ./etc/group- -o -path ./etc/gshadow- -o -path ./etc/passwd- -o -path ./etc/shadow- \) -prune -o -printf '%M %U:%G %p\n' | sort -k3)
}

# The test domain's CredSpec NAME as an installed host has it: its PluginInput names the portable
# user's file by name in /etc/ccgd/credentials (the test domain's name it by a path of the checkout).
installed_credspec() { # NAME
  sed -E 's|"PluginInput": *"[^"]*/([^"/]+)"|"PluginInput": "\1"|' "$(testdomain CREDSPECS)/$1.json"
}
