# shellcheck shell=bash
# Sourced by the scripts of scripts/: messages, the root and Swift checks, Debian packages, work
# undone when a script ends, and the tests' Python tools. Needs bash; sets no shell options (the
# script's own `set -euo pipefail` stays in charge). Messages are prefixed with the script's name.

ccgd_script=${ccgd_script:-${0##*/}}

log() { printf '%s: %s\n' "$ccgd_script" "$*" >&2; }
die() { printf '%s: error: %s\n' "$ccgd_script" "$*" >&2; exit 1; }

# WHY: what needs root, for the message (e.g. "packages are missing (samba)").
require_root() {
  [ "$(id -u)" = 0 ] || die "$1: run this as root."
}

require_swift() {
  command -v swift >/dev/null || die "Swift 6 is needed (swift not on PATH); install the Swift toolchain first."
}

# `swift build ARGUMENT…`, quiet unless it fails; a failure ends the script with the compiler's
# errors (or the output's last lines), so that nothing runs an older binary in place of the
# failed build. --no-warnings first: a warning fails the build too (the project keeps none).
swift_build() { # [--no-warnings] ARGUMENT…
  local strict=0 output status=0
  if [ "${1:-}" = --no-warnings ]; then strict=1; shift; fi
  output=$(swift build "$@" 2>&1) || status=$?
  # "error:" with its colon: a progress line names grpc-swift-protobuf's error_details.pb.swift.
  if [ "$status" != 0 ]; then
    grep -E 'error:' <<<"$output" >&2 || tail -20 <<<"$output" >&2
    die "swift build $* failed (above)."
  fi
  # The release build links Swift's Foundation statically (Package.swift), and the linker warns
  # about the mktemp inside the toolchain's own archive: not the project's code, so not counted.
  if [ "$strict" = 1 ] && grep -E 'error:|warning:' <<<"$output" |
    grep -v "libFoundationEssentials\.a(.*warning: the use of \`mktemp' is dangerous" >&2; then
    die "swift build $* gave warnings (above); the build is kept free of them."
  fi
  return 0
}

# --- Work undone when the script ends ------------------------------------------------------------
# One EXIT trap runs every action registered with at_exit, the last first, whether the script
# ends normally, by `exit`/`die`, by a failing command under `set -e`, or by SIGINT/SIGTERM/SIGHUP
# (turned into an exit). The script's exit status is kept.

ccgd_exit_actions=()

at_exit() { # COMMAND [ARGUMENT…]
  local action
  action=$(printf '%q ' "$@")
  local existing
  for existing in "${ccgd_exit_actions[@]}"; do [ "$existing" = "$action" ] && return 0; done
  ccgd_exit_actions+=("$action")
  if [ ${#ccgd_exit_actions[@]} = 1 ]; then
    trap ccgd_run_exit_actions EXIT
    trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
  fi
}

ccgd_run_exit_actions() {
  local status=$? i
  for ((i = ${#ccgd_exit_actions[@]} - 1; i >= 0; i--)); do
    eval "${ccgd_exit_actions[i]}" || true
  done
  return "$status"
}

# --- Debian packages -------------------------------------------------------------------------------

# The PACKAGEs that are not installed, on one line separated by spaces (nothing if all are).
apt_missing() { # PACKAGE…
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  echo "${missing[*]}"
}

ccgd_apt_updated=0

# apt-get install of PACKAGEs as they are named, with the OPTIONs before them (e.g.
# --no-install-recommends, -t bookworm-backports); the package lists are refreshed once per run.
# The operator's changed configuration files are kept (--force-confold).
apt_get_install() { # [OPTION…] PACKAGE…
  require_root "packages are to be installed ($*)"
  if [ "$ccgd_apt_updated" = 0 ]; then
    apt-get update -qq || die "apt-get update failed (above): check the machine's apt sources, then run this again."
    ccgd_apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confold "$@" >/dev/null ||
    die "apt-get could not install $* (above)."
}

# Installs those of PACKAGEs that are missing, without their recommendations, and checks that
# they are there afterwards.
apt_install_missing() { # PACKAGE…
  local missing
  missing=$(apt_missing "$@")
  [ -n "$missing" ] || return 0
  require_root "packages are missing ($missing)"
  # shellcheck disable=SC2086 # one package a word
  set -- $missing
  log "installing $*"
  apt_get_install --no-install-recommends "$@"
  missing=$(apt_missing "$@")
  [ -z "$missing" ] || die "$missing did not install."
}

# Adds the machine's Debian archive for SUITE (e.g. bookworm-backports): the stanza of
# /etc/apt/sources.list.d/debian.sources whose Suites: names the release itself (SUITE's part
# before the dash) is copied with SUITE as its suite; no archive's host name is written by us.
apt_add_suite() { # SUITE
  local suite=$1 release=${1%%-*}
  local src=/etc/apt/sources.list.d/debian.sources target=/etc/apt/sources.list.d/ccgd-$1.sources
  if grep -rqsw -- "$suite" /etc/apt/sources.list /etc/apt/sources.list.d/; then return 0; fi
  require_root "the apt source $suite is missing"
  [ -f "$src" ] || die "$src is missing: add an apt source for $suite by hand, then run this again."
  awk -v release="$release" -v suite="$suite" 'BEGIN { RS = ""; ORS = "\n\n" }
       $0 ~ ("(^|\n)Suites:([^\n]* )?" release "( |\n|$)") {
         out = ""; n = split($0, lines, "\n")
         for (i = 1; i <= n; i++) {
           if (lines[i] ~ /^#/) continue
           if (lines[i] ~ /^Suites:/) lines[i] = "Suites: " suite
           out = out lines[i] "\n"
         }
         printf "%s\n", out; exit
       }' "$src" >"$target"
  [ -s "$target" ] || { rm -f "$target"; die "no 'Suites: $release' stanza in $src: add an apt source for $suite by hand, then run this again."; }
  ccgd_apt_updated=0
}

# Runs COMMAND with service starts forbidden (package scripts would start smbd, dockerd… on the
# host): a policy-rc.d that answers 101, unless the machine has one already. Ours is removed when
# the command ends and, should the script die meanwhile, when the script ends: a policy-rc.d left
# behind would block every service start on the host.
ccgd_policy_rc=/usr/sbin/policy-rc.d
ccgd_policy_mark='# written by a ccgd script for one package install; delete it if no install runs'
without_service_starts() { # COMMAND [ARGUMENT…]
  if [ -e "$ccgd_policy_rc" ]; then "$@"; return; fi
  at_exit ccgd_remove_own_policy_rc
  printf '#!/bin/sh\n%s\nexit 101\n' "$ccgd_policy_mark" >"$ccgd_policy_rc"
  chmod 755 "$ccgd_policy_rc"
  local status=0
  "$@" || status=$?
  ccgd_remove_own_policy_rc
  return "$status"
}

ccgd_remove_own_policy_rc() {
  if grep -qsxF -- "$ccgd_policy_mark" "$ccgd_policy_rc"; then rm -f "$ccgd_policy_rc"; fi
}

# The installed path of a file of PACKAGE named NAME (e.g. libfaketime libfaketime.so.1), for the
# machine's own architecture: where a multiarch library lives is the package's business.
package_file() { # PACKAGE NAME
  local list
  list=$(dpkg -L "$1:$(dpkg --print-architecture)" 2>/dev/null || dpkg -L "$1" 2>/dev/null) ||
    die "$1 is not installed (it provides $2)."
  grep -m1 -- "/$2\$" <<<"$list" || die "$1 has no file named $2 (dpkg -L $1)."
}

# --- The tests' Python tools ---------------------------------------------------------------------
# A virtual environment of the checkout's own, made by Debian's Python (/usr/bin/python3, with
# python3-venv from apt: the `python3` on a developer's PATH may be pyenv's or another), and
# PACKAGEs from PyPI installed by that environment's own pip only: never into a system Python,
# which a stock Debian refuses (PEP 668, externally-managed-environment).
# The caller puts DIRECTORY/bin first on PATH. MODULES (comma-separated) are imported to tell
# whether the packages are there already.
python_venv() { # DIRECTORY MODULES PACKAGE…
  local venv=$1 modules=$2; shift 2
  apt_install_missing python3-venv
  # One made by another Python (or by a Python upgraded since) is made again.
  if [ -e "$venv" ] && ! { grep -qsx 'home = /usr/bin' "$venv/pyvenv.cfg" && "$venv/bin/python3" -c '' 2>/dev/null; }; then
    [ -f "$venv/pyvenv.cfg" ] || die "$venv exists and is not a virtual environment: move it away, then run this again."
    log "making $venv again: it is not Debian's Python's (its pyvenv.cfg: $(tr '\n' ' ' <"$venv/pyvenv.cfg"))"
    rm -rf "$venv"
  fi
  if [ ! -e "$venv" ]; then
    /usr/bin/python3 -m venv "$venv" || die "/usr/bin/python3 -m venv $venv failed (above)."
  fi
  "$venv/bin/python3" -c "import $modules" 2>/dev/null && return 0
  log "installing $* from PyPI into $venv"
  "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check "$@" ||
    die "pip could not install $* into $venv (above)."
}
