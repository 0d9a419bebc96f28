#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The bash completion of lmigctl (dist/lmigctl.bash-completion): what it
# offers after the command, a subcommand and a keyword.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"
tap_plan 16

# shellcheck source=/dev/null
. "$top/dist/lmigctl.bash-completion"

# offers WORDS...: what completing the last word offers, sorted.
offers() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_lmigctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

check() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "expected '$2', got '$3'"
	fi
}

check "commands" \
	"apply export help monitor profile revoke services show stats version " \
	"$(offers lmigctl '')"
check "options" "--help --instance --json --pretty " "$(offers lmigctl --)"
check "profile subcommands starting with s" "set suspend " \
	"$(offers lmigctl profile s)"
check "profile subcommands starting with r" "replace resume " \
	"$(offers lmigctl profile r)"
check "keywords of replace" "partner primary " \
	"$(offers lmigctl profile replace 7 p)"
check "options of apply" "--dry-run --file --help " \
	"$(offers lmigctl apply --)"
check "commands starting with s" "services show stats " \
	"$(offers lmigctl s)"
check "after -j, still the commands" "profile " "$(offers lmigctl -j pro)"
check "states" "active suspended " \
	"$(offers lmigctl profile set sip:a@p state '')"
check "keywords of add" "not-after not-before " \
	"$(offers lmigctl profile add sip:a@p primary x not-)"
check "services: set" "set " "$(offers lmigctl services s)"
check "services set: the classes and unclassified" \
	"data deny none open ptt unclassified video " \
	"$(offers lmigctl services set '')"
check "services set CLASS: the protocols" "sctp tcp udp " \
	"$(offers lmigctl -i gw services set none '')"
check "services set unclassified: the defaults" "drop pass " \
	"$(offers lmigctl services set unclassified '')"
check "services set CLASS PROTO PORT: nothing" " " \
	"$(offers lmigctl services set ptt udp '')"
check "the services keyword of a profile is still a list" "ptt ptt,video ptt,video,data " \
	"$(offers lmigctl profile add sip:a@p services pt)"
tap_done
