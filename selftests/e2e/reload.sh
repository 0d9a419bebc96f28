#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# SIGHUP reloads the trust store and policy settings: a key rollover at
# the primary IdMS takes effect without a restart, and a bad
# configuration is refused whole while the running one stays in force.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/gateway.sh"

trap gw_cleanup EXIT
tests=9
tap_plan $tests
if [ ! -d /sys/module/lmig ]; then
	for i in $(seq $tests); do tap_skip "reload $i" "lmig.ko is not loaded"; done
	exit 4
fi

gw_init alice
gw_pki >/dev/null
gw_config
gw_ctl profile add sip:alice@partner.example \
	primary sip:alice@primary.example services ptt >/dev/null
tap_check "lmigd starts" gw_start_agent

lmig-idms keygen --alg ES256 --key "$gw_dir/next.key" \
	--cert "$gw_dir/next.pem" --subject /CN=idms.primary.example
mint_with() {
	lmig-idms mint --key "$gw_dir/$1.key" --iss "$GW_ISSUER" \
		--aud "$GW_AUDIENCE" --scope 3gpp:mc:ptt_service \
		--mcptt-id sip:alice@primary.example
}
status_with() {
	gw_client_request alice POST /v1/admission "$(mint_with "$1")" |
		head -n 1
}
# Wait for the agent to log a line matching $1 (bounded).
wait_log() {
	local i
	for i in $(seq 50); do
		grep -qE "$1" "$gw_dir/lmigd.log" && return 0
		sleep 0.1
	done
	return 1
}

tap_check "the current key is trusted" \
	test "$(status_with primary)" = "HTTP 200"
tap_check "the next key is not, yet" \
	test "$(status_with next)" = "HTTP 401"

# Rollover: the configuration now names the next certificate.
sed -i "s|primary.pem ES256|next.pem ES256|" "$gw_dir/lmigd.conf"
kill -HUP "$gw_agent_pid"
tap_check "SIGHUP reloads" wait_log 'reloaded: 1 issuer keys'
tap_check "after the rollover the next key is trusted" \
	test "$(status_with next)" = "HTTP 200"
tap_check "and the old one no longer" \
	test "$(status_with primary)" = "HTTP 401"

# A configuration naming a certificate that is not there: refused whole.
cp "$gw_dir/lmigd.conf" "$gw_dir/good.conf"
sed -i "s|next.pem ES256|missing.pem ES256|" "$gw_dir/lmigd.conf"
kill -HUP "$gw_agent_pid"
tap_check "a bad configuration is refused with the file named" \
	wait_log 'reload refused, the running configuration stays: .*missing.pem'
tap_check "the running trust store stays in force" \
	test "$(status_with next)" = "HTTP 200"
tap_check "lmigd is still running" kill -0 "$gw_agent_pid"
tap_done
