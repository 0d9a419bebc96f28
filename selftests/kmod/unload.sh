#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lmig.ko leaves nothing behind. A network namespace deleted with profiles
# frees its table; the module unloads with profiles in several namespaces
# and loads again with empty tables and new epochs.
#
#   init netns       $ns_a            $ns_b            $ns_gone
#   3 profiles       4 profiles       5 profiles       6 profiles,
#                                                      deleted first
#
# Runs as root in the VM, which has loaded lmig.ko:
#   selftests/vm/run -- /lmig/selftests/kmod/unload.sh
# The module is loaded again on exit, whatever happened.

set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

helper=${LMIG_TABLE_TEST:-$(ls "${LMIG_BUILD:-/lmig/build}"/selftests/kmod/table_test \
	/lmig/*/selftests/kmod/table_test 2>/dev/null | head -n1)}
ko=${LMIG_KO:-$(ls /lib/modules/lmig.ko /lmig/lmig.ko 2>/dev/null | head -n1)}
live=/sys/kernel/debug/lmig/profiles
ns_a=lmig-unload-$$-a
ns_b=lmig-unload-$$-b
ns_gone=lmig-unload-$$-gone

if [ ! -x "$helper" ] || [ ! -f "$ko" ]; then
	echo "1..0 # SKIP needs table_test and lmig.ko (set LMIG_TABLE_TEST, LMIG_KO)"
	exit 4
fi
if ! grep -qs '^lmig ' /proc/modules; then
	echo "1..0 # SKIP lmig.ko is not loaded"
	exit 4
fi

cleanup() {
	local ns
	for ns in "$ns_a" "$ns_b" "$ns_gone"; do
		ip netns del "$ns" 2>/dev/null
	done
	grep -q '^lmig ' /proc/modules || insmod "$ko"
}
trap cleanup EXIT

# field NAME [NETNS]: one field of the table information of a namespace.
field() {
	local out
	if [ -n "${2:-}" ]; then
		out=$(ip netns exec "$2" "$helper" info)
	else
		out=$("$helper" info)
	fi
	echo "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# fill COUNT NAME [NETNS]
fill() {
	if [ -n "${3:-}" ]; then
		ip netns exec "$3" "$helper" fill "$1" "$2"
	else
		"$helper" fill "$1" "$2"
	fi
}

# wait_live N: the module's count of live profiles reaches N. A deleted
# namespace is dismantled in the background; give it up to 30 s.
wait_live() {
	local i
	for i in $(seq 300); do
		[ "$(cat "$live")" = "$1" ] && return 0
		sleep 0.1
	done
	echo "# live profiles: $(cat "$live"), expected $1"
	return 1
}

tap_plan 11

# Namespaces of earlier tests may still be going away in the background.
tap_check "only this namespace holds profiles" wait_live "$(field profiles)"
live0=$(cat "$live")
ip netns add "$ns_a" && ip netns add "$ns_b" && ip netns add "$ns_gone"
tap_check "profiles in four namespaces" \
	eval 'fill 3 init && fill 4 a "$ns_a" && fill 5 b "$ns_b" &&
	      fill 6 gone "$ns_gone"'
tap_check "the module counts all 18" wait_live $((live0 + 18))

ip netns del "$ns_gone"
tap_check "a deleted namespace frees its 6 profiles" wait_live $((live0 + 12))

epoch_init=$(field epoch)
epoch_a=$(field epoch "$ns_a")
tap_check "rmmod with profiles in three namespaces" rmmod lmig
tap_check "the module is gone" test ! -e /sys/module/lmig
tap_check "clients say it is not loaded" \
	eval '"$helper" info 2>&1 | grep -q "not loaded (try .modprobe lmig.)"'
tap_check "reload" insmod "$ko"

tap_check "init netns: empty table, new epoch" \
	eval '[ "$(field profiles)" = 0 ] && [ "$(field generation)" = 0 ] &&
	      [ "$(field epoch)" != "$epoch_init" ]'
tap_check "surviving netns: empty table, new epoch" \
	eval '[ "$(field profiles "$ns_a")" = 0 ] &&
	      [ "$(field epoch "$ns_a")" != "$epoch_a" ] &&
	      [ "$(cat "$live")" = 0 ]'
tap_check "no leak reported" eval '! dmesg | grep -q "profiles leaked"'

tap_done
