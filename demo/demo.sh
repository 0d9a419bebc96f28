#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The lmig story, told and checked: run by 'make demo' inside the test VM
# (selftests/vm/run), where lmig.ko is loaded. Exits 0 only if every step
# behaved as told.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../selftests/lib/gateway.sh"

trap gw_cleanup EXIT
failures=0
step_no=0

say() { printf '%s\n' "$*"; }
step() {
	step_no=$((step_no + 1))
	printf '\n[%d] %s\n' "$step_no" "$*"
}
# ctl ARGS...: show and run an lmigctl command on the gateway.
ctl() {
	printf '    $ lmigctl %s\n' "$*"
	gw_ctl "$@" 2>&1 | sed 's/^/      /'
}
# expect WHAT WANT GOT
expect() {
	if [ "$2" = "$3" ]; then
		printf '    ok    %s\n' "$1"
	else
		printf '    FAIL  %s (expected %s, saw %s)\n' "$1" "$2" "$3"
		failures=$((failures + 1))
	fi
}
# traffic WHO SERVICE PORT WANT: send 3 datagrams and say what came back.
traffic() {
	local got
	got=$(gw_traffic "$1" "$3" 3)
	expect "$1's $2 traffic: $got of 3 datagrams answered" "$4" "$got"
}
# admit WHO TOKEN: present a token, print the answer, return the status.
admit() {
	local reply
	reply=$(gw_client_request "$1" POST /v1/admission "$2")
	printf '      %s\n' "$(head -n 1 <<< "$reply")"
	printf '      %s\n' "$(tail -n 1 <<< "$reply")"
	status=$(head -n 1 <<< "$reply" | awk '{print $2}')
	reason=$(tail -n 1 <<< "$reply" | jq -r '.reason // empty' 2>/dev/null)
}
# wait_for WHO PORT WANT: the agent applies a kernel event in a moment.
wait_for() {
	local i
	for i in $(seq 50); do
		[ "$(gw_traffic "$1" "$2" 1)" = "$3" ] && return
		sleep 0.1
	done
}

if [ ! -d /sys/module/lmig ]; then
	say "demo: lmig.ko is not loaded; run it with 'make demo'" >&2
	exit 1
fi

say "lmig demo: limited migration of mission-critical users, decided offline"
say "========================================================================"
say "A partner MC system runs an lmig gateway. Its clients reach the MC"
say "servers only through it. The primary system is not connected: the"
say "gateway trusts the primary IdMS certificate it was given out of band,"
say "and its own limited-migration profiles."

step "Setting up: four clients, the gateway, an MC server (network namespaces)"
gw_init alice bob carol dave
gw_pki >/dev/null
gw_config
gw_start_mc_server
say "    clients alice, bob, carol, dave on 10.0.{1,2,3,4}.2; MC server $GW_MCS"
say "    ptt udp/$GW_PORT_PTT, video udp/$GW_PORT_VIDEO, data udp/$GW_PORT_DATA"

step "The operator provisions alice's limited-migration profile (lmig.ko)"
ctl profile add sip:alice@partner.example \
	primary sip:alice@primary.example services ptt,video
gw_ctl profile add sip:carol@partner.example \
	primary sip:carol@primary.example services ptt >/dev/null
gw_ctl profile add sip:dave@partner.example \
	primary sip:dave@primary.example services ptt >/dev/null
say "    (carol and dave get profiles too; bob does not)"

step "The admission agent lmigd starts: TLS on :8443, XDP on the client links"
if gw_start_agent; then
	expect "lmigd answers" yes yes
else
	expect "lmigd answers" yes no
	cat "$gw_dir/lmigd.log"
	exit 1
fi
sed 's/^[^ ]* lmigd [a-z]*: /      /' "$gw_dir/lmigd.log" |
	grep -E 'enforcing|ready|listening'

step "Before admission, alice's push-to-talk traffic is dropped at the gateway"
traffic alice ptt $GW_PORT_PTT 0

step "alice presents the access token her primary IdMS signed (ES256, JWS)"
token=$(gw_mint --exp-in 3600 \
	--scope "openid 3gpp:mc:ptt_service 3gpp:mc:video_service" \
	--mcptt-id sip:alice@primary.example --mcvideo-id sip:alice@primary.example)
admit alice "$token"
expect "alice is admitted" 200 "$status"

step "Now alice's MC traffic passes, for the services granted only"
traffic alice ptt $GW_PORT_PTT 3
traffic alice video $GW_PORT_VIDEO 3
traffic alice data $GW_PORT_DATA 0

step "bob holds a valid token, but this partner has no profile for him"
admit bob "$(gw_mint --scope 3gpp:mc:ptt_service --mcptt-id sip:bob@primary.example)"
expect "bob is refused (403, no_profile)" "403 no_profile" "$status $reason"
traffic bob ptt $GW_PORT_PTT 0

step "carol's token comes from an IdMS this partner does not trust"
admit carol "$(lmig-idms mint --key "$gw_dir/rogue.key" --iss "$GW_ROGUE_ISSUER" \
	--aud "$GW_AUDIENCE" --scope 3gpp:mc:ptt_service \
	--mcptt-id sip:carol@primary.example)"
expect "carol is refused (401, untrusted_token)" "401 untrusted_token" \
	"$status $reason"
traffic carol ptt $GW_PORT_PTT 0

step "dave's token expired ten minutes ago"
admit dave "$(gw_mint --exp now-600 --iat now-4200 --scope 3gpp:mc:ptt_service \
	--mcptt-id sip:dave@primary.example)"
expect "dave is refused (401, expired)" "401 expired" "$status $reason"
traffic dave ptt $GW_PORT_PTT 0

step "What the gateway saw (lmigctl show; the log has the precise reasons)"
ctl show
grep -E 'admitted|refused' "$gw_dir/lmigd.log" | sed 's/^[^ ]* lmigd [a-z]*: /      /'

step "The operator suspends alice: every session of hers stops at once"
ctl profile suspend sip:alice@partner.example
wait_for alice $GW_PORT_PTT 0
traffic alice ptt $GW_PORT_PTT 0
expect "the fast path counted suspended drops" yes \
	"$([ "$(gw_counter drop_suspended)" -gt 0 ] && echo yes || echo no)"

printf '\n'
if [ "$failures" -eq 0 ]; then
	say "Every step behaved: alice was admitted offline for ptt and video only;"
	say "bob, carol and dave were refused and their traffic dropped; suspending"
	say "alice stopped her traffic at once."
	exit 0
fi
say "$failures step(s) did not behave as told."
exit 1
