# SPDX-License-Identifier: GPL-2.0-only
#
# TAP output for shell tests, in the style of the kselftest harness:
#   tap_plan N; tap_ok "name"; tap_fail "name" "why"; tap_skip "name" "why"
#   tap_check "name" COMMAND...   (ok when COMMAND succeeds)
#   tap_eq "name" WANT GOT        (ok when GOT is WANT)
#   tap_match "name" ERE TEXT     (ok when TEXT matches the regex ERE)
#   tap_done                      (exit status: 0, or 1 on any failure)

tap_n=0
tap_failed=0

tap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1"
}

tap_fail() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	[ -n "${2:-}" ] && echo "# $1: $2"
	echo "not ok $tap_n $1"
}

tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1 # SKIP ${2:-}"
}

tap_check() {
	local name=$1
	shift
	if "$@"; then
		tap_ok "$name"
	else
		tap_fail "$name" "failed: $*"
	fi
}

tap_eq() {
	if [ "$3" = "$2" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "expected '$2', got '$3'"
	fi
}

tap_match() {
	if grep -qE -- "$2" <<< "$3"; then
		tap_ok "$1"
	else
		tap_fail "$1" "'$2' not in: $3"
	fi
}

tap_done() {
	[ "$tap_failed" -eq 0 ]
	exit $?
}
