#!/bin/sh
# A ccgd executable plug-in: answers with credentials kept in a directory.
# PluginInput names an account; $SECRETS_DIRECTORY/NAME holds three lines: domain, user, password.
# Tested by ExecutablePluginExampleTests; documented in docs/exec-plugins.md.
set -eu

# $1 as a JSON string (enough for this example: no control characters).
json() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
fail() { printf '{"error": {"code": "%s", "message": %s}}\n' "$1" "$(json "$2")"; exit 1; }

# The request: {"version":1,"pluginInput":"..."}; this plug-in takes plain names only.
request=$(cat)
name=$(printf '%s' "$request" | sed -n 's/^{"version":1,"pluginInput":"\([A-Za-z0-9_.-]*\)"}$/\1/p')
case "$name" in
  "" | . | ..) fail invalid_input "PluginInput must be a plain account name" ;;
esac
file="$SECRETS_DIRECTORY/$name"
[ -f "$file" ] || fail not_found "no credentials named $name in $SECRETS_DIRECTORY"
{ IFS= read -r domain && IFS= read -r user && IFS= read -r password; } < "$file" ||
  fail malformed_secret "$file does not hold three lines: domain, user, password"
printf '{"domainName": %s, "username": %s, "password": %s}\n' "$(json "$domain")" "$(json "$user")" "$(json "$password")"
