#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The agent itself, end to end (topology in selftests/lib/gateway.sh):
# readiness to the service manager, the privileges it keeps, the HTTP
# endpoint's keep-alive, pipelining, limits and timeouts, verification on
# worker threads (answers in order, reloads and stops while verifying),
# and a kill -9 in the middle of admissions that loses nothing and admits
# no one.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/gateway.sh"

trap gw_cleanup EXIT
tests=28
tap_plan $tests
if [ ! -d /sys/module/lmig ]; then
	for i in $(seq $tests); do tap_skip "agent $i" "lmig.ko is not loaded"; done
	exit 4
fi

gw_init alice bob
gw_pki >/dev/null
gw_config
gw_start_mc_server
gw_ctl profile add sip:alice@partner.example \
	primary sip:alice@primary.example services ptt >/dev/null

# The service manager's socket: lmigd says READY=1 once it serves.
notify_out=$gw_dir/notify.out
lmig-probe notify --listen "$gw_dir/notify.sock" --timeout 60 \
	> "$notify_out" &
notify_pid=$!
sleep 0.2
export NOTIFY_SOCKET=$gw_dir/notify.sock
tap_check "lmigd starts" gw_start_agent
unset NOTIFY_SOCKET
wait "$notify_pid"
tap_check "lmigd told the service manager READY=1" grep -qx 'READY=1' "$notify_out"

status=/proc/$gw_agent_pid/status
# CAP_NET_ADMIN (12) and CAP_BPF (39) only.
tap_check "lmigd keeps only CAP_NET_ADMIN and CAP_BPF" \
	grep -qx $'CapEff:\t0000008000001000' "$status"
tap_check "and cannot regain the others (bounding set)" \
	grep -qx $'CapBnd:\t0000008000001000' "$status"
tap_check "no_new_privs is set" grep -qx $'NoNewPrivs:\t1' "$status"

raw() {
	printf "$1" > "$gw_dir/raw.http"
	in_ns "$(gw_client_ns bob)" lmig-admit --connect \
		"$(gw_gateway_addr bob):8443" --ca "$gw_dir/ca.pem" \
		--raw "$gw_dir/raw.http" --statuses
}

tap_eq "keep-alive and pipelined requests are answered in order" "200 404 405" \
	"$(raw 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nothing HTTP/1.1\r\nHost: x\r\n\r\nPUT /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')"
tap_eq "Connection: close ends the connection after one answer" "200" \
	"$(raw 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')"
tap_eq "a request head over 8 KiB is refused with 431" "431" \
	"$(raw "GET /healthz HTTP/1.1\r\nHost: x\r\nX: $(head -c 9000 /dev/zero | tr '\0' a)\r\n\r\n")"
tap_eq "a body over 4 KiB is refused with 413" "413" \
	"$(raw 'POST /v1/admission HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n')"
tap_eq "HTTP/2 is refused with 505" "505" \
	"$(raw 'GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n')"
tap_eq "a malformed request closes the connection after 400" "400" \
	"$(raw 'GET /healthz HTTP/1.1\nHost: x\n\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')"

# A POST is verified on a worker: what is pipelined behind it waits.
stranger=$(gw_mint --exp-in 3600 --scope 3gpp:mc:ptt_service \
	--mcptt-id sip:nobody@primary.example)
tap_eq "a pipelined POST is answered before the requests behind it" \
	"403 404 200" \
	"$(raw "POST /v1/admission HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer $stranger\r\n\r\nGET /v1/admission HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")"
workers=$(gw_client_request alice GET /healthz | tail -n 1 | jq -r .workers)
tap_eq "tokens are verified by one worker per CPU" "$(nproc)" "$workers"

# Reloads while tokens are on the workers: every admission is answered.
token=$(gw_mint --exp-in 3600 --scope 3gpp:mc:ptt_service \
	--mcptt-id sip:alice@primary.example)
pids=
for j in 1 2 3; do
	(
		for i in $(seq 8); do
			gw_client_request alice POST /v1/admission "$token" |
				head -n 1
		done > "$gw_dir/hup.$j"
	) &
	pids="$pids $!"
done
for i in 1 2 3; do
	sleep 0.3
	kill -HUP "$gw_agent_pid"
done
# shellcheck disable=SC2086 # a list of pids
wait $pids
tap_eq "admissions during three reloads are all answered 200" 24 \
	"$(cat "$gw_dir"/hup.* | grep -c '^HTTP 200$')"

# New connections from one address are limited before any TLS work:
# lower the limit to 1 a second with a burst of 3, and try 8 at once.
echo "connection-rate 1 3" >> "$gw_dir/lmigd.conf"
kill -HUP "$gw_agent_pid"
for i in $(seq 50); do
	grep -q 'reloaded' "$gw_dir/lmigd.log" && break
	sleep 0.1
done
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' \
	> "$gw_dir/health.http"
# All at once: one by one, a slow machine would stay within the rate.
pids=
for i in $(seq 8); do
	in_ns "$(gw_client_ns bob)" lmig-admit --connect \
		"$(gw_gateway_addr bob):8443" --ca "$gw_dir/ca.pem" \
		--raw "$gw_dir/health.http" --statuses \
		> "$gw_dir/burst.$i" 2>/dev/null &
	pids="$pids $!"
done
# shellcheck disable=SC2086 # a list of pids
wait $pids
answered=$(cat "$gw_dir"/burst.* | grep -c '^200$')
tap_eq "a burst over the per-source connection rate is cut short" yes \
	"$([ "$answered" -ge 3 ] && [ "$answered" -lt 8 ] && echo yes ||
	   echo "no: $answered of 8 answered")"
sleep 1.5
tap_eq "the refusals are counted in the log" yes \
	"$(grep -q 'connections over the per-source rate' "$gw_dir/lmigd.log" &&
	   echo yes)"
sed -i '/^connection-rate/d' "$gw_dir/lmigd.conf"
kill -HUP "$gw_agent_pid"
sleep 1.5

# A client that connects and never speaks TLS is cut off by the
# handshake deadline, so idle connections cannot pile up.
out=$(in_ns "$(gw_client_ns bob)" lmig-probe hold \
	--to "$(gw_gateway_addr bob):8443" --timeout 30)
tap_eq "a silent client is disconnected (handshake deadline)" closed \
	"$(awk '{print $1}' <<< "$out")"

# kill -9 in the middle of a stream of admissions. alice starts with
# none, and the kill waits for the stream's first grant: a fixed delay
# alone would, on a slow or busy host, kill before anything was granted
# and then find alice, rightly, not admitted.
token=$(gw_mint --exp-in 3600 --scope 3gpp:mc:ptt_service \
	--mcptt-id sip:alice@primary.example)
gw_client_request alice DELETE /v1/admission >/dev/null 2>&1
granted() {
	grep -c "admitted $(gw_client_addr alice):" "$gw_dir/lmigd.log"
}
before=$(granted)
(
	for i in $(seq 40); do
		gw_client_request alice POST /v1/admission "$token" >/dev/null 2>&1
	done
) &
loop=$!
for i in $(seq 600); do
	[ "$(granted)" -gt "$before" ] && break
	sleep 0.1
done
sleep 0.3
kill -9 "$gw_agent_pid"
echo "# admissions granted before the kill: $(($(granted) - before))"
wait "$gw_agent_pid" 2>/dev/null
gw_agent_pid=
wait "$loop"
tap_eq "after kill -9, alice's admission still works" 3 \
	"$(gw_traffic alice $GW_PORT_PTT)"
tap_eq "and bob's traffic is still dropped" 0 "$(gw_traffic bob $GW_PORT_PTT)"
tap_check "lmigd restarts after kill -9" gw_start_agent
show=$(gw_ctl -j show)
tap_eq "exactly one session, alice's" "$(gw_client_addr alice)" \
	"$(jq -r '[.profiles[].sessions[].address] | join(" ")' <<< "$show")"
tap_eq "alice's traffic passes after the restart" 3 \
	"$(gw_traffic alice $GW_PORT_PTT)"

# One address per user: alice's token from bob's address is one too many.
reload_with() {
	sed -i '/^max-addresses-per-user/d' "$gw_dir/lmigd.conf"
	echo "$1" >> "$gw_dir/lmigd.conf"
	: > "$gw_dir/lmigd.log"
	kill -HUP "$gw_agent_pid"
	for i in $(seq 50); do
		grep -q 'reloaded' "$gw_dir/lmigd.log" && break
		sleep 0.1
	done
}
reload_with "max-addresses-per-user 1 refuse"
reply=$(gw_client_request bob POST /v1/admission "$token")
tap_match "a second address of alice is refused (403)" \
	'^HTTP 403.*"reason": ?"address_limit"' "$(tr '\n' ' ' <<< "$reply")"
tap_eq "and alice's first address still passes" 3 \
	"$(gw_traffic alice $GW_PORT_PTT)"
reload_with "max-addresses-per-user 1 replace-oldest"
reply=$(gw_client_request bob POST /v1/admission "$token")
tap_match "with replace-oldest the new address is admitted" '^HTTP 200' \
	"$reply"
tap_eq "and alice's old address is dropped" 0 \
	"$(gw_traffic alice $GW_PORT_PTT)"

# SIGTERM while tokens are being verified: a clean stop.
(
	for i in $(seq 20); do
		gw_client_request alice POST /v1/admission "$token" >/dev/null 2>&1
	done
) &
loop=$!
sleep 1.5
kill -TERM "$gw_agent_pid"
rc=0
wait "$gw_agent_pid" || rc=$?
gw_agent_pid=
wait "$loop"
tap_eq "SIGTERM while admitting: lmigd exits 0" 0 "$rc"
tap_eq "and alice's admission stays enforced" 3 \
	"$(gw_traffic alice $GW_PORT_PTT)"
tap_done
