#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Flushing the kernel's policy table (LMIG_CMD_FLUSH) ends every admitted
# session at once: the agent sees one LMIG_CMD_FLUSH_NTF event, which
# names no profile, and takes the fast path back to what a dump of the now
# empty table shows. Nothing else changes the table after the flush, so no
# later event can reveal a gap: the flush event alone must do it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/gateway.sh"

trap gw_cleanup EXIT
tests=12
tap_plan $tests
if [ ! -d /sys/module/lmig ]; then
	for i in $(seq $tests); do tap_skip "flush $i" "lmig.ko is not loaded"; done
	exit 4
fi
table_test=${LMIG_BUILD:-/lmig/build}/selftests/kmod/table_test

gw_init alice bob
gw_pki >/dev/null
gw_config
gw_start_mc_server
gw_ctl profile add sip:alice@partner.example \
	primary sip:alice@primary.example services ptt >/dev/null
gw_ctl profile add sip:bob@partner.example \
	primary sip:bob@primary.example services ptt >/dev/null
tap_check "lmigd starts" gw_start_agent

# expect NAME WANT COMMAND...: COMMAND prints WANT, within 5 s (the agent
# follows kernel events asynchronously).
expect() {
	local name=$1 want=$2 got i
	shift 2
	for i in $(seq 50); do
		got=$("$@")
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	if [ "$got" = "$want" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "expected '$want', got '$got'"
	fi
}

expect "alice is admitted" "HTTP 200" gw_admit alice
expect "bob is admitted" "HTTP 200" gw_admit bob
expect "alice's ptt passes" 1 gw_traffic alice $GW_PORT_PTT 1
expect "bob's ptt passes" 1 gw_traffic bob $GW_PORT_PTT 1
expect "the fast path holds both admissions" 2 gw_admissions

tap_check "the table is flushed" in_ns "$gw_ns" "$table_test" flush
expect "alice's ptt is dropped after the flush" 0 \
	gw_traffic alice $GW_PORT_PTT 1
expect "bob's ptt is dropped after the flush" 0 gw_traffic bob $GW_PORT_PTT 1
expect "no admission is left in the fast path" 0 gw_admissions
expect "a new admission is refused: no profile" "HTTP 403" gw_admit alice
tap_check "lmigd logs the flush as a flush, not as lost events" \
	grep -q 'policy table was flushed' "$gw_dir/lmigd.log"

tap_done
