#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The README's "Rehearsing in the VM" commands, taken from the README as
# they are written and run as they are: from nothing to an admitted client
# and a revoked one. Then what they printed is checked.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"

tests=6
tap_plan $tests
if [ ! -d /sys/module/lmig ]; then
	for i in $(seq $tests); do tap_skip "readme $i" "lmig.ko is not loaded"; done
	exit 4
fi
if ip netns list | grep -q '^client\b' || [ -e /tmp/gw ] ||
	[ -e /sys/fs/bpf/lmig/default ]; then
	for i in $(seq $tests); do
		tap_skip "readme $i" "the README's names are taken here"
	done
	exit 4
fi

work=$(mktemp -d)
cleanup() {
	local pid
	pid=$(cat "$work/agent.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && sleep 0.2
	ip netns del client 2>/dev/null
	rm -rf /sys/fs/bpf/lmig/default /tmp/gw "$work"
}
trap cleanup EXIT

# The first sh block after the heading, as the README has it.
awk '/^### Rehearsing in the VM/ { on = 1; next }
     on && /^```sh$/ { block = 1; next }
     block && /^```$/ { exit }
     block { print }' "$top/README.md" > "$work/steps.sh"
tap_check "the README has the steps" test -s "$work/steps.sh"

# Sourced, so that $! is the lmigd the steps start, to stop it after.
(
	set -e
	cd "$work"
	. "$work/steps.sh"
	echo "$!" > "$work/agent.pid"
) > "$work/out" 2>&1
rc=$?
sed 's/^/# /' "$work/out"
check() {
	if grep -qE -- "$2" "$work/out"; then
		tap_ok "$1"
	else
		tap_fail "$1" "'$2' not in the output"
	fi
}
tap_check "every step succeeded" test "$rc" = 0
check "the client is admitted" '^HTTP 200$'
check "show lists the client's session" '^    session     10\.0\.1\.2 '
check "revoke ends the session" \
	'^revoked user [0-9]+ \(sip:alice@partner.example\): suspended, 1 sessions ended$'
check "stats counts the suspended profile" '^profiles +1 of [0-9]+ \(1 suspended\)$'
tap_done
