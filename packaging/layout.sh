# Reads packaging/files, the one list of what ccgd installs, for scripts/package (the Debian
# layout) and scripts/install and scripts/uninstall (a developer's install: "local", under
# /usr/local and /etc). Sourced; needs $top (the repository).

# The list's entries, one "MODE SOURCE TARGET FLAGS" line each (FLAGS "-" when none).
layout_entries() {
  awk '!/^[[:space:]]*(#|$)/ { print $1, $2, $3, ($4 == "" ? "-" : $4) }' "$top/packaging/files"
}

# Where a developer's install puts TARGET: programs, documentation and manual pages under
# /usr/local, units and sysusers/tmpfiles entries under /etc (the administrator's places);
# the hooks.d directory, the plug-in directory, /etc/ccgd and /var/lib/ccgd stay where ccgd,
# Podman and CRI-O look for them.
local_path() {
  case "$1" in
    /usr/sbin/* | /usr/bin/* | /usr/libexec/* | /usr/include/* | /usr/share/doc/* | /usr/share/man/* | /usr/share/bash-completion/*)
      printf '/usr/local%s\n' "${1#/usr}" ;;
    /usr/share/zsh/vendor-completions/*) printf '/usr/local/share/zsh/site-functions/%s\n' "${1##*/}" ;;
    /lib/systemd/system/*) printf '/etc/systemd/system/%s\n' "${1##*/}" ;;
    /usr/lib/sysusers.d/* | /usr/lib/tmpfiles.d/*) printf '/etc/%s\n' "${1#/usr/lib/}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# Writes SOURCE to TARGET (both files) as FLAGS say, for LAYOUT.
layout_transform() { # LAYOUT FLAGS SOURCE TARGET
  local layout=$1 flags=$2 source=$3 target=$4 filter=(cat)
  case ",$flags," in
    *,defaults,*)
      # Key lines become "#key = default": the file then documents the defaults without fixing them.
      filter=(sed -E -e 's/^([a-z][a-z0-9-]* =)/#\1/'
                     -e 's/Every key below is set to its default; delete or change what you need\./Every key below shows its default, commented out: uncomment and change what you need./') ;;
  esac
  if [ "$layout" = local ] && [[ ",$flags," == *,paths,* ]]; then
    "${filter[@]}" <"$source" | sed -e 's|/usr/sbin/ccgd|/usr/local/sbin/ccgd|g' -e 's|/usr/libexec/ccgd/|/usr/local/libexec/ccgd/|g' >"$target.new"
  else
    "${filter[@]}" <"$source" >"$target.new"
  fi
  if [[ ",$flags," == *,gzip,* ]]; then gzip -9n <"$target.new" >"$target"; rm -f "$target.new"; else mv -f "$target.new" "$target"; fi
}

# Installs every entry into ROOT for LAYOUT (debian or local), binaries from BINARIES. Prints
# each target. A conffile that exists is left as it is (the operator's).
layout_install() { # ROOT LAYOUT BINARIES
  local root=$1 layout=$2 binaries=$3 mode source target flags path
  while read -r mode source target flags; do
    path=$target
    if [ "$layout" = local ]; then
      [[ ",$flags," == *,package,* ]] && continue
      path=$(local_path "$target")
    fi
    if [ "$source" = - ]; then
      install -d -m "$mode" "$root$path"
      continue
    fi
    if [[ ",$flags," == *,conffile,* ]] && [ -e "$root$path" ]; then
      printf '%s (kept: the operator'"'"'s file)\n' "$path"; continue
    fi
    case "$source" in
      build:*) source=$binaries/${source#build:}
               [ -f "$source" ] || { echo "layout: $source is missing; build it first (swift build -c release)" >&2; return 1; } ;;
      *) source=$top/$source ;;
    esac
    install -d -m 0755 "$root${path%/*}"
    layout_transform "$layout" "$flags" "$source" "$root$path"
    chmod "$mode" "$root$path"
    printf '%s\n' "$path"
  done < <(layout_entries)
}

# The systemd units the list installs (ccgd.service, its sockets), by name, one a line.
layout_units() {
  layout_entries | awk '$3 ~ /^\/lib\/systemd\/system\/[^\/]*$/ { sub(/.*\//, "", $3); print $3 }'
}

# The products the list names (build:NAME), one a line.
layout_products() {
  layout_entries | awk '$2 ~ /^build:/ { sub(/^build:/, "", $2); print $2 }'
}
