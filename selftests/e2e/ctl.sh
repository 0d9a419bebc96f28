#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lmigctl against the real module and a running gateway (topology in
# selftests/lib/gateway.sh): every command's success and error paths, with
# JSON output parsed and checked. Replacing a profile, revoking a user
# (sessions ended in the fast path), the profiles file (apply, dry run,
# atomicity, idempotence, export round trip), totals, the traffic classes,
# and the live monitor of events caused by another process.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/gateway.sh"

monitor_pid=
ctl_cleanup() {
	[ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null
	gw_cleanup
}
trap ctl_cleanup EXIT
tests=91
tap_plan $tests
if [ ! -d /sys/module/lmig ]; then
	for i in $(seq $tests); do tap_skip "ctl $i" "lmig.ko is not loaded"; done
	exit 4
fi

ALICE=sip:alice@partner.example
BOB=sip:bob@partner.example

# run ARGS...: lmigctl in the gateway namespace; sets out, err and rc.
run() {
	out=$(gw_ctl "$@" 2> "$gw_dir/stderr")
	rc=$?
	err=$(cat "$gw_dir/stderr")
}

# check_run NAME STATUS PATTERN: the last run's status, and PATTERN in
# its output or errors.
check_run() {
	local name=$1 want=$2 pattern=$3
	if [ "$rc" = "$want" ] && grep -qE -- "$pattern" <<< "$out
$err"; then
		tap_ok "$name"
	else
		tap_fail "$name" "status $rc (want $want): $out $err"
	fi
}

gw_init alice bob
gw_pki >/dev/null
gw_config
gw_start_mc_server
gw_ctl profile add "$ALICE" primary sip:alice@primary.example \
	services ptt,video comment "first" >/dev/null
gw_ctl profile add "$BOB" primary sip:bob@primary.example \
	services ptt >/dev/null
alice_id=$(gw_ctl -j profile get "$ALICE" | jq -r .profile.user_id)

# --- profile replace ----------------------------------------------------

run -j profile replace "$ALICE" primary sip:alice@primary.example \
	services ptt
tap_eq "replace keeps the user id and sets the whole profile" \
	"$alice_id ptt active null" \
	"$(jq -r '.profile | "\(.user_id) \(.services | join(",")) \(.state) \(.comment)"' <<< "$out")"
run -j profile replace "$alice_id" partner sip:alice2@partner.example \
	primary sip:alice@primary.example services ptt
tap_eq "replace by user id renames" "$alice_id sip:alice2@partner.example" \
	"$(jq -r '.profile | "\(.user_id) \(.partner_id)"' <<< "$out")"
gw_ctl profile replace "$alice_id" partner "$ALICE" \
	primary sip:alice@primary.example services ptt >/dev/null
run profile replace sip:nobody@partner.example \
	primary sip:nobody@primary.example services ptt
check_run "replacing a profile that does not exist: the kernel's words" 1 \
	'profile replace: .*(No such file|not found|no profile)'
run profile replace "$alice_id" primary sip:alice@primary.example services ptt
check_run "replace by user id needs the partner ID" 2 "give 'partner"
run profile replace "$ALICE" primary sip:alice@primary.example
check_run "replace needs services" 2 "'services LIST' is needed"
run profile replace "$ALICE" primary sip:bob@primary.example services ptt
check_run "replace with another user's primary ID is refused" 1 \
	'profile replace: .*sip:bob@primary.example'

# --- revoke -------------------------------------------------------------

tap_check "lmigd starts" gw_start_agent
tap_eq "alice is admitted" "HTTP 200" "$(gw_admit alice)"
tap_eq "alice's ptt passes" 1 "$(gw_wait_traffic alice $GW_PORT_PTT 1)"
run -j revoke "$ALICE"
tap_eq "revoke suspends alice and ends her one session" \
	"0 $alice_id suspended 1 1 0" \
	"$(jq -r '.revoked | "\(.user_id) \(.state) \(.sessions_before) \(.sessions_ended) \(.sessions_left)"' <<< "$out" | sed "s/^/$rc /")"
tap_eq "revoke with lmigd running warns of nothing" "" "$err"
tap_eq "alice's ptt is dropped at once" 0 "$(gw_traffic alice $GW_PORT_PTT 1)"
tap_eq "her admission is gone from the fast path" 0 "$(gw_admissions)"
tap_eq "a new admission is refused while revoked" "HTTP 403" "$(gw_admit alice)"
run revoke "$ALICE"
check_run "revoking again ends no session" 0 \
	"^revoked user $alice_id \($ALICE\): suspended, 0 sessions ended$"
run revoke sip:nobody@partner.example
check_run "revoking an unknown user fails with the kernel's words" 1 \
	'^lmigctl: revoke: '
run revoke
check_run "revoke without a user is bad usage" 2 'give exactly one user'
gw_ctl profile resume "$ALICE" >/dev/null
tap_eq "after resume alice may be admitted again" "HTTP 200" "$(gw_admit alice)"
tap_eq "and her ptt passes again" 1 "$(gw_wait_traffic alice $GW_PORT_PTT 1)"

gw_stop_agent
run revoke "$ALICE"
check_run "revoke without lmigd ends the session and says the fast path waits" \
	0 'no lmigd is running.*will not follow the suspension until it runs'
run profile set "$BOB" services ptt,data
check_run "a change without lmigd says so too" 0 \
	'no lmigd is running.*will not follow the change'

# --- apply and export ---------------------------------------------------

# The table as export prints it, and every profile's generation.
snapshot() {
	gw_ctl export
	gw_ctl -j profile list | jq -c '[.profiles[] | [.user_id, .generation]]'
}

cat > "$gw_dir/p1.conf" <<'CONF'
# The gateway's whole policy.
profile sip:alice@partner.example primary sip:alice@primary.example \
	services ptt,video comment "liaison, team A"
profile sip:bob@partner.example primary sip:bob@primary.example services ptt,data
profile sip:carol@partner.example primary sip:carol@primary.example \
	services data not-after 2030-01-01T00:00:00Z
CONF
before=$(snapshot)
run -j apply -f "$gw_dir/p1.conf" --dry-run
tap_eq "a dry run tells what would be added, changed and removed" \
	"0 sip:carol@partner.example|sip:alice@partner.example:services,state,comment||false" \
	"$rc $(jq -r '[(.added | map(.partner_id) | join(",")),
		(.changed | map(.partner_id + ":" + (.fields | join(","))) | join(",")),
		(.removed | map(.partner_id) | join(",")), .applied] | join("|")' <<< "$out")"
tap_eq "and changes nothing" "$before" "$(snapshot)"
run -j apply -f "$gw_dir/p1.conf"
tap_eq "apply creates one, changes one, keeps one" "0 1 1 0 1 true" \
	"$rc $(jq -r '"\(.summary.created) \(.summary.changed) \(.summary.deleted) \(.summary.unchanged) \(.applied)"' <<< "$out")"
tap_eq "the table holds the file" \
	"sip:alice@partner.example ptt,video active liaison, team A|sip:bob@partner.example ptt,data active null|sip:carol@partner.example data active null 2030-01-01T00:00:00Z" \
	"$(gw_ctl -j profile list | jq -r '[.profiles[] | "\(.partner_id) \(.services | join(",")) \(.state) \(.comment)" + (if .not_after then " " + .not_after_iso else "" end)] | join("|")')"
after=$(snapshot)
run apply -f "$gw_dir/p1.conf"
check_run "applying the same file again: no change" 0 '^no change$'
tap_eq "and nothing changed, not even a generation" "$after" "$(snapshot)"
out=$(gw_ctl export | gw_ctl apply -f - 2>&1)
tap_eq "export | apply -f - is a no-op" "no change" "$(tail -n 1 <<< "$out")"
tap_eq "export prints the file's profiles back" 3 \
	"$(gw_ctl export | grep -c '^profile ')"

{
	grep -v '^profile sip:bob' "$gw_dir/p1.conf" | grep -v 'primary sip:bob'
	echo 'profile sip:dave@partner.example primary sip:dave@primary.example services ptt'
	echo 'profile sip:erin@partner.example primary sip:erin@primary.example services mcx'
} > "$gw_dir/bad.conf"
run apply -f "$gw_dir/bad.conf"
check_run "a bad last line refuses the whole file, naming file and line" 1 \
	"bad.conf:7: unknown service 'mcx'"
tap_eq "and nothing changed" "$after" "$(snapshot)"
printf 'profile sip:x@partner.example primary sip:alice@primary.example services ptt\n' \
	>> "$gw_dir/p1.conf"
run apply -f "$gw_dir/p1.conf"
check_run "a primary ID used twice is refused before sending" 1 \
	'p1.conf:7: primary ID sip:alice@primary.example is already used on line 2'
tap_eq "nothing changed after that either" "$after" "$(snapshot)"

grep -v bob "$gw_dir/bad.conf" | sed 's/services mcx/services ptt/' \
	> "$gw_dir/p2.conf"
run apply -f "$gw_dir/p2.conf"
check_run "apply prints what it removes" 0 '^- profile sip:bob@partner.example'
check_run "and what it adds" 0 '^\+ profile sip:erin@partner.example'
tap_eq "bob is gone, dave and erin are in" \
	"sip:alice@partner.example sip:carol@partner.example sip:dave@partner.example sip:erin@partner.example" \
	"$(gw_ctl -j export | jq -r '[.profiles[].partner_id] | sort | join(" ")')"
run apply
check_run "apply without a file is bad usage" 2 'which file'
run apply -f "$gw_dir/missing.conf"
check_run "a missing file is named" 1 'missing.conf: No such file'

# --- stats and services -------------------------------------------------

tap_check "lmigd starts again" gw_start_agent
gw_traffic bob $GW_PORT_PTT 1 >/dev/null
run -j stats
tap_eq "stats: the table's counts and limits" "0 4 1000000 true" \
	"$rc $(jq -r '.table | "\(.profiles) \(.max_profiles) \(.memory > 0)"' <<< "$out")"
tap_eq "stats: fast-path totals are the sum of the reasons" \
	"$gw_instance true true true" \
	"$(jq -r '.fastpath | "\(.instance) \(.passed.packets > 0) \(.dropped.packets > 0) \((.reasons | to_entries | map(.value.packets) | add) == .passed.packets + .dropped.packets)"' <<< "$out")"
run stats
check_run "stats in text" 0 '^profiles +4 of 1000000 \(0 suspended\)$'
run stats now
check_run "stats takes no arguments" 2 'takes no arguments'
# classes: the live table in one line, from lmigctl -j services.
classes() {
	gw_ctl -j services | jq -r '[.unclassified] + [.services[] | "\(.class) \(.protocol) \(.first)-\(.last)"] | join("|")'
}
conf_classes="pass|ptt udp 5000-5099|video udp 5100-5199|data udp 5200-5299|deny udp 8809-8809|open tcp 8443-8443"
# wait_classes WANT: up to 5 s for the live table to be WANT.
wait_classes() {
	local i
	for i in $(seq 50); do
		[ "$(classes)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
tap_eq "services: the classes lmigd.conf sets, and its own port open" \
	"$conf_classes" "$(classes)"
run services
check_run "services in text" 0 '^ptt +udp +5000-5099$'

# services set: a live change of the pinned table, until lmigd reloads.
tap_eq "bob's unadmitted traffic to port $GW_PORT_OTHER passes" 1 \
	"$(gw_traffic bob $GW_PORT_OTHER 1)"
run -j services set video udp $GW_PORT_OTHER
tap_eq "services set prints the change as JSON" \
	"0 $gw_instance udp $GW_PORT_OTHER $GW_PORT_OTHER video none" \
	"$rc $(jq -r '"\(.instance) \(.protocol) \(.first) \(.last) \(.class) \([.was[].class] | join(","))"' <<< "$out")"
tap_eq "services set with -j says nothing on stderr" "" "$err"
tap_eq "the port is in the table" \
	"${conf_classes/|deny /|video udp $GW_PORT_OTHER-$GW_PORT_OTHER|deny }" \
	"$(classes)"
tap_eq "and bob's unadmitted traffic to it is dropped at once" 0 \
	"$(gw_traffic bob $GW_PORT_OTHER 1)"
run services set none udp $GW_PORT_OTHER
check_run "set none in text: what changed" 0 \
	"^udp $GW_PORT_OTHER: none \(was video\)$"
check_run "and that lmigd.conf comes back at the next start or reload" 0 \
	'live change; lmigd sets the table from lmigd.conf again'
tap_eq "none gives the port back to the unclassified default" \
	"$conf_classes 1" "$(classes) $(gw_traffic bob $GW_PORT_OTHER 1)"
run -j services set deny udp 5095-5105
tap_eq "a range over two classes tells both" \
	"0 5095-5099:ptt,5100-5105:video" \
	"$rc $(jq -r '[.was[] | "\(.first)-\(.last):\(.class)"] | join(",")' <<< "$out")"
run services set deny udp 5195-5205
check_run "and in text" 0 \
	'^udp 5195-5205: deny \(was 5195-5199 video, 5200-5205 data\)$'
run -j services set unclassified drop
tap_eq "set unclassified drop: the change as JSON" "0 drop pass" \
	"$rc $(jq -r '"\(.unclassified) \(.was)"' <<< "$out")"
tap_eq "unclassified traffic is dropped at once" 0 \
	"$(gw_traffic bob $GW_PORT_OTHER 1)"
kill -HUP "$gw_agent_pid"
tap_check "a reload of lmigd sets the table from lmigd.conf again" \
	wait_classes "$conf_classes"
tap_eq "and unclassified traffic passes again" 1 \
	"$(gw_traffic bob $GW_PORT_OTHER 1)"

# Every bad argument is refused before the table is touched.
bad_set() {
	local name=$1 pattern=$2
	shift 2
	run services set "$@"
	check_run "services set: $name" 2 "$pattern"
}
bad_set "an unknown class" "class 'mcx' unknown \(open, ptt, video, data, deny, none\)" \
	mcx udp 7000
bad_set "a class no port can have" "class 'fragment' unknown" \
	fragment udp 7000
bad_set "an unknown protocol" "protocol 'icmp' unknown \(udp, tcp, sctp\)" \
	ptt icmp 7000
bad_set "port 0" "port '0' is not a number from 1 to 65535" ptt udp 0
bad_set "a port above 65535" "port '70000' is not a number" ptt udp 70000
bad_set "a port that is not a number" "port '7k' is not a number" ptt udp 7k
bad_set "an inverted range" "range '7010-7000' ends before it starts" \
	ptt udp 7010-7000
bad_set "an extra argument" "unexpected 'now'" ptt udp 7000 now
bad_set "a missing port" 'expected CLASS udp\|tcp\|sctp PORT' ptt udp
bad_set "an unknown default" "unclassified: 'maybe' unknown \(pass, drop\)" \
	unclassified maybe
bad_set "unclassified with an extra argument" "unexpected 'now'" \
	unclassified drop now
tap_eq "after every refusal the table is unchanged" "$conf_classes" \
	"$(classes)"
out=$(in_ns "$gw_ns" lmigctl -i nosuch services set ptt udp 7000 2>&1)
rc=$?
tap_eq "services set on an instance that does not exist" 1 "$rc"
out=$(in_ns "$gw_ns" lmigctl -i nosuch services 2>&1)
rc=$?
tap_eq "services of an instance that does not exist" 1 "$rc"

# --- monitor ------------------------------------------------------------

nsenter --net="/run/netns/$gw_ns" -- lmigctl -j -i "$gw_instance" monitor \
	> "$gw_dir/monitor.out" 2> "$gw_dir/monitor.err" &
monitor_pid=$!
# wait_for FILE PATTERN: up to 5 s.
wait_for() {
	local i
	for i in $(seq 50); do
		grep -qE -- "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}
tap_check "monitor starts" wait_for "$gw_dir/monitor.err" '^lmigctl: monitoring'
check_run_file() {
	if grep -qE -- "$2" "$3"; then
		tap_ok "$1"
	else
		tap_fail "$1" "no '$2' in $(cat "$3")"
	fi
}
check_run_file "with lmigd running, monitor takes denial samples from it" \
	'^lmigctl: denial samples: from lmigd$' "$gw_dir/monitor.err"
generation=$(gw_ctl -j stats | jq .table.generation)
gw_ctl apply -f "$gw_dir/p2.conf" >/dev/null 2>&1
gw_ctl profile add sip:frank@partner.example primary sip:frank@primary.example \
	services ptt >/dev/null
wait_for "$gw_dir/monitor.out" 'sip:frank@partner.example'
tap_eq "an unchanged apply sent no event: the next one is the new profile" \
	"profile_new sip:frank@partner.example $((generation + 1))" \
	"$(head -n 1 "$gw_dir/monitor.out" | jq -r '"\(.type) \(.profile.partner_id) \(.generation)"')"
gw_ctl profile suspend sip:frank@partner.example >/dev/null
wait_for "$gw_dir/monitor.out" '"profile_change"'
tap_eq "a change shows the fields that changed and the old profile" \
	"state suspended active" \
	"$(grep '"profile_change"' "$gw_dir/monitor.out" | head -n 1 |
		jq -r '"\(.changed | join(",")) \(.profile.state) \(.old.state)"')"
# lmigd is the one reader of the ring buffer and passes every sample on:
# the monitor and lmigd's log both see it.
log_mark=$(wc -l < "$gw_dir/lmigd.log")
gw_traffic bob $GW_PORT_PTT 3 >/dev/null
wait_for "$gw_dir/monitor.out" '"denial"'
tap_eq "a fast-path denial reaches the monitor through lmigd" \
	"$(gw_client_addr bob) udp $GW_PORT_PTT ptt drop_no_admission" \
	"$(grep '"denial"' "$gw_dir/monitor.out" | head -n 1 |
		jq -r '"\(.address) \(.protocol) \(.port) \(.class) \(.reason)"')"
tap_check "and lmigd still logs the same sample" wait_for "$gw_dir/lmigd.log" \
	"dropped $(gw_client_addr bob) to udp/$GW_PORT_PTT: class ptt, drop_no_admission"
# same_count: the monitor has as many of these samples as the log, 5 s.
same_count() {
	local i logged seen
	for i in $(seq 50); do
		logged=$(tail -n +$((log_mark + 1)) "$gw_dir/lmigd.log" |
			grep -c "dropped $(gw_client_addr bob) to udp/$GW_PORT_PTT:")
		seen=$(grep '"denial"' "$gw_dir/monitor.out" |
			grep -c "\"port\":$GW_PORT_PTT")
		[ "$logged" = "$seen" ] && [ "$seen" -gt 0 ] && return 0
		sleep 0.1
	done
	echo "# lmigd logged $logged, the monitor saw $seen"
	return 1
}
tap_check "and every sample lmigd logged, the monitor saw" same_count
denials=$(grep -c '"denial"' "$gw_dir/monitor.out")
gw_stop_agent
tap_check "when lmigd stops, monitor reads the ring buffer itself" \
	wait_for "$gw_dir/monitor.err" \
	'^lmigctl: denial samples: from the ring buffer \(lmigd stopped\)$'
gw_traffic alice $GW_PORT_VIDEO 3 >/dev/null
wait_for "$gw_dir/monitor.out" "\"address\":\"$(gw_client_addr alice)\""
tap_eq "a fast-path denial is sampled without lmigd" \
	"$(gw_client_addr alice) udp $GW_PORT_VIDEO video" \
	"$(grep '"denial"' "$gw_dir/monitor.out" | tail -n +$((denials + 1)) |
		head -n 1 | jq -r '"\(.address) \(.protocol) \(.port) \(.class)"')"
kill -INT "$monitor_pid"
wait "$monitor_pid"
tap_eq "monitor ends cleanly on SIGINT" 0 $?
monitor_pid=
tap_eq "every line it printed is a JSON object with a time" \
	"$(wc -l < "$gw_dir/monitor.out")" \
	"$(jq -r 'select(.time > 0 and (.time_iso | endswith("Z"))) | .type' \
		"$gw_dir/monitor.out" | wc -l)"

nsenter --net="/run/netns/$gw_ns" -- lmigctl -i "$gw_instance" monitor \
	> "$gw_dir/monitor.txt" 2> "$gw_dir/monitor.err" &
monitor_pid=$!
sleep 0.5
gw_ctl profile del sip:frank@partner.example >/dev/null
wait_for "$gw_dir/monitor.txt" 'profile_del'
out=$(cat "$gw_dir/monitor.txt") rc=0 err=
check_run "monitor in text: one line an event" 0 \
	'^[0-9-]+T[0-9:]+Z profile_del user [0-9]+ sip:frank@partner.example suspended ptt \(generation [0-9]+\)$'
# A monitor reading the ring buffer gives it up to an lmigd that starts.
tap_check "lmigd starts beside a monitor reading the ring buffer" gw_start_agent
tap_check "and the monitor moves to lmigd's feed" wait_for "$gw_dir/monitor.err" \
	'^lmigctl: denial samples: from lmigd$'
gw_stop_agent
kill -TERM "$monitor_pid"
wait "$monitor_pid"
tap_eq "monitor ends cleanly on SIGTERM" 0 $?
monitor_pid=
check_run_file "without lmigd it says it reads the ring buffer" \
	'^lmigctl: denial samples: from the ring buffer \(no lmigd\)$' \
	"$gw_dir/monitor.err"

# --- privileges ---------------------------------------------------------

if unshare -U true 2>/dev/null; then
	out=$(in_ns "$gw_ns" unshare -U lmigctl profile list 2>&1)
	rc=$? err=
	check_run "without CAP_NET_ADMIN: status 3 and why" 3 'CAP_NET_ADMIN'
	out=$(in_ns "$gw_ns" unshare -U lmigctl monitor 2>&1)
	rc=$? err=
	check_run "monitor without CAP_NET_ADMIN: status 3" 3 'CAP_NET_ADMIN'
else
	tap_skip "without CAP_NET_ADMIN: status 3 and why" "no unshare -U"
	tap_skip "monitor without CAP_NET_ADMIN: status 3" "no unshare -U"
fi

tap_done
