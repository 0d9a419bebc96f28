#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End to end, with real packets between namespaces (topology in
# selftests/lib/gateway.sh): one partner gateway, four clients.
#   alice  has a profile (ptt, video) and a valid token: admitted
#   bob    has a valid token but no profile at this partner
#   carol  has a profile, but her token comes from an untrusted IdMS
#   dave   has a profile, but his token has expired
# Then the operator suspends alice, and her traffic stops at once; the
# agent restarts without dropping her; deleting her profile ends it. Along
# the way: a deny port stays closed to the admitted, counters by class and
# by user, and the configured limits in the fast path's configuration.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/gateway.sh"

trap gw_cleanup EXIT
tests=47
tap_plan $tests

if [ ! -d /sys/module/lmig ]; then
	for i in $(seq $tests); do tap_skip "e2e $i" "lmig.ko is not loaded"; done
	exit 4
fi

gw_init alice bob carol dave
gw_pki >/dev/null
gw_config
gw_start_mc_server

gw_ctl profile add sip:alice@partner.example \
	primary sip:alice@primary.example primary sip:alice.video@primary.example \
	services ptt,video >/dev/null
gw_ctl profile add sip:carol@partner.example \
	primary sip:carol@primary.example services ptt >/dev/null
gw_ctl profile add sip:dave@partner.example \
	primary sip:dave@primary.example services ptt >/dev/null

tap_check "lmigd starts and answers /healthz" gw_start_agent

tap_eq "alice's ptt is dropped before admission" 0 \
	"$(gw_traffic alice $GW_PORT_PTT)"
tap_eq "unclassified traffic passes without admission" 3 \
	"$(gw_traffic bob $GW_PORT_OTHER)"

token=$(gw_mint --exp-in 3600 --jti alice-1 \
	--scope "openid 3gpp:mc:ptt_service 3gpp:mc:video_service" \
	--mcptt-id sip:alice@primary.example \
	--mcvideo-id sip:alice.video@primary.example)
reply=$(gw_client_request alice POST /v1/admission "$token")
tap_match "alice is admitted (200)" '^HTTP 200' "$reply"
body=$(tail -n 1 <<< "$reply")
tap_eq "alice is granted ptt and video" '["ptt","video"]' \
	"$(jq -c .services <<< "$body")"
tap_eq "alice's admission is for her address" "$(gw_client_addr alice)" \
	"$(jq -r .address <<< "$body")"
tap_eq "alice's ptt passes" 3 "$(gw_traffic alice $GW_PORT_PTT)"
# The latency of each admission, request to map, kept for /healthz.
health=$(gw_client_request bob GET /healthz "" | tail -n 1)
tap_eq "/healthz counts one admission's latency" \
	"1 true" "$(jq -r '.admission_latency_us |
		"\(.count) \(.p50 > 0 and .p50 <= .p99 and .p99 <= .max)"' \
		<<< "$health")"
tap_eq "alice's video passes" 3 "$(gw_traffic alice $GW_PORT_VIDEO)"
tap_eq "alice's data is dropped (not granted)" 0 \
	"$(gw_traffic alice $GW_PORT_DATA)"
tap_eq "a deny port is closed even to alice" 0 \
	"$(gw_traffic alice $GW_PORT_DENY)"
tap_eq "a deny port is closed to bob" 0 "$(gw_traffic bob $GW_PORT_DENY)"
tap_match "alice can read her admission" '^HTTP 200' \
	"$(gw_client_request alice GET /v1/admission)"

# Malformed or unauthenticated requests get precise HTTP errors.
tap_match "a request without a token is answered 401" '^HTTP 401' \
	"$(gw_client_request bob POST /v1/admission)"
printf 'POST /v1/admission HTTP/1.1\r\nHost: x\r\nAuthorization: Basic eDp5\r\n\r\n' \
	> "$gw_dir/basic.http"
tap_match "Basic credentials are answered 400 invalid_request" \
	'"error":"invalid_request"' "$(in_ns "$(gw_client_ns bob)" lmig-admit \
	--connect "$(gw_gateway_addr bob):8443" --ca "$gw_dir/ca.pem" \
	--raw "$gw_dir/basic.http")"
printf 'GARBAGE\r\n\r\n' > "$gw_dir/garbage.http"
tap_match "a malformed request is answered 400" '^HTTP 400' \
	"$(in_ns "$(gw_client_ns bob)" lmig-admit \
	--connect "$(gw_gateway_addr bob):8443" --ca "$gw_dir/ca.pem" \
	--raw "$gw_dir/garbage.http")"
tap_match "an unknown resource is answered 404" '^HTTP 404' \
	"$(gw_client_request bob GET /v1/nothing)"
tap_match "a wrong method is answered 405" '^HTTP 405' \
	"$(gw_client_request bob PUT /v1/admission)"

reply=$(gw_client_request bob POST /v1/admission "$(gw_mint \
	--scope 3gpp:mc:ptt_service --mcptt-id sip:bob@primary.example)")
tap_match "bob (no profile) is refused with 403" '^HTTP 403' "$reply"
tap_eq "bob's refusal says no_profile" no_profile \
	"$(tail -n 1 <<< "$reply" | jq -r .reason)"
tap_eq "bob's ptt is dropped" 0 "$(gw_traffic bob $GW_PORT_PTT)"

reply=$(gw_client_request carol POST /v1/admission "$(lmig-idms mint \
	--key "$gw_dir/rogue.key" --iss "$GW_ROGUE_ISSUER" --aud "$GW_AUDIENCE" \
	--scope 3gpp:mc:ptt_service --mcptt-id sip:carol@primary.example)")
tap_match "carol (untrusted issuer) is refused with 401" '^HTTP 401' "$reply"
tap_eq "carol is told only that the token is untrusted" untrusted_token \
	"$(tail -n 1 <<< "$reply" | jq -r .reason)"
tap_eq "carol's ptt is dropped" 0 "$(gw_traffic carol $GW_PORT_PTT)"

reply=$(gw_client_request dave POST /v1/admission "$(gw_mint \
	--exp now-600 --iat now-4200 \
	--scope 3gpp:mc:ptt_service --mcptt-id sip:dave@primary.example)")
tap_match "dave (expired token) is refused with 401" '^HTTP 401' "$reply"
tap_eq "dave's refusal says expired" expired \
	"$(tail -n 1 <<< "$reply" | jq -r .reason)"
tap_eq "dave's ptt is dropped" 0 "$(gw_traffic dave $GW_PORT_PTT)"

# A token of a trusted issuer whose signature was tampered with.
reply=$(gw_client_request dave POST /v1/admission "$(gw_mint \
	--tamper-payload --scope 3gpp:mc:ptt_service \
	--mcptt-id sip:dave@primary.example)")
tap_match "a tampered token is refused with 401" '^HTTP 401' "$reply"
tap_match "the log names each precise reason" \
	'refused 10.0.2.2: no_profile' "$(cat "$gw_dir/lmigd.log")"
tap_match "the log tells unknown issuer from bad signature" \
	'refused 10.0.3.2: unknown_issuer.*' "$(grep -E 'unknown_issuer|bad_signature' \
	"$gw_dir/lmigd.log" | tr '\n' ' ')"
tap_match "lmigd logs samples of the fast path's drops" \
	'dropped [0-9.]+ to udp/[0-9]+: class ptt, drop_no_admission' \
	"$(cat "$gw_dir/lmigd.log")"

show=$(gw_ctl -j show)
tap_eq "lmigctl show lists alice's session" "$(gw_client_addr alice)" \
	"$(jq -r '.profiles[] | select(.partner_id=="sip:alice@partner.example")
		| .sessions[0].address' <<< "$show")"
tap_match "drops without admission are counted" '^[1-9]' \
	"$(jq -r .counters.drop_no_admission.packets <<< "$show")"
tap_match "admitted packets are counted" '^[1-9]' \
	"$(jq -r .counters.pass_admitted.packets <<< "$show")"
tap_match "admitted ptt is counted in its class" '^[1-9]' \
	"$(jq -r '.classes.ptt.pass_admitted.packets // 0' <<< "$show")"
tap_match "denied packets are counted in the deny class" '^[1-9]' \
	"$(jq -r '.classes.deny.drop_denied.packets // 0' <<< "$show")"
tap_match "alice's own traffic is counted" '^[1-9]' \
	"$(gw_traffic_of sip:alice@partner.example packets)"
tap_eq "alice's session shows what her token asked for" \
	'["ptt","video"]' "$(jq -c '.profiles[]
		| select(.partner_id=="sip:alice@partner.example")
		| .sessions[0].requested' <<< "$show")"
tap_match "the open-class limits are in the fast path" \
	'"interval_ns": 10000000,' \
	"$(bpftool map dump pinned "/sys/fs/bpf/lmig/$gw_instance/lmig_config")"

tap_match "bpftool shows admissions with named fields" '"user_id": ' \
	"$(bpftool map dump pinned "/sys/fs/bpf/lmig/$gw_instance/lmig_admission")"

gw_ctl profile suspend sip:alice@partner.example >/dev/null
tap_eq "suspending alice stops her ptt" 0 \
	"$(gw_wait_traffic alice $GW_PORT_PTT 0)"
tap_match "the drop is counted as suspended" '^[1-9]' \
	"$(gw_counter drop_suspended)"
tap_match "and as alice's" '^[1-9]' \
	"$(gw_traffic_of sip:alice@partner.example drops)"
gw_ctl profile resume sip:alice@partner.example >/dev/null
tap_eq "resuming alice lets her ptt pass again" 1 \
	"$(gw_wait_traffic alice $GW_PORT_PTT 1)"

gw_stop_agent
tap_eq "alice's ptt passes while lmigd is stopped" 3 \
	"$(gw_traffic alice $GW_PORT_PTT)"
tap_check "lmigd restarts" gw_start_agent
tap_eq "alice's ptt passes after the restart" 3 \
	"$(gw_traffic alice $GW_PORT_PTT)"

gw_ctl profile del sip:alice@partner.example >/dev/null
tap_eq "deleting alice's profile stops her ptt" 0 \
	"$(gw_wait_traffic alice $GW_PORT_PTT 0)"
tap_eq "lmigd logged no error" "" \
	"$(grep -E ' error: ' "$gw_dir/lmigd.log")"

tap_done
