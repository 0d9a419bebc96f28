#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lmigd check-token: the agent's decision on one token, offline, against
# a profiles file; exit status 0 admitted, 1 refused, 2 usage or config.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"
O=${O:-build}
bin=$top/$O
lmigd=$bin/lmigd
idms=$bin/tools/lmig-idms

dir=$(mktemp -d /tmp/lmig-check-token.XXXXXX)
trap 'rm -rf "$dir"' EXIT
tap_plan 14

now=1790000000
$idms keygen --alg ES256 --key "$dir/idms.key" --cert "$dir/idms.pem" --now $now
$idms tls-cert --key "$dir/tls.key" --cert "$dir/tls.pem" --ip 127.0.0.1 >/dev/null
cat > "$dir/lmigd.conf" <<CONF
audience https://mc.partner.example
listen 127.0.0.1:8443
tls-certificate tls.pem
tls-key tls.key
issuer https://idms.primary.example idms.pem ES256
clock-skew 5
max-admission 1800
interface lo
CONF
cat > "$dir/profiles.conf" <<'PROFILES'
profile sip:alice@partner.example primary sip:alice@primary.example services ptt,video
profile sip:sus@partner.example primary sip:sus@primary.example services ptt state suspended
PROFILES

mint() {
	$idms mint --key "$dir/idms.key" --now $now \
		--iss https://idms.primary.example --aud https://mc.partner.example "$@"
}
check() {
	"$lmigd" check-token -c "$dir/lmigd.conf" --profiles "$dir/profiles.conf" \
		--now $now "$@"
}

mint --exp-in 3600 --scope "3gpp:mc:ptt_service 3gpp:mc:data_service" \
	--mcptt-id sip:alice@primary.example --mcdata-id sip:alice@primary.example \
	> "$dir/alice"
out=$(check -j "$dir/alice"); rc=$?
tap_check "a valid token: exit 0" test $rc -eq 0
tap_check "decision admitted" test "$(jq -r .decision <<< "$out")" = admitted
tap_check "granted = scope and profile: ptt only" \
	test "$(jq -c .services <<< "$out")" = '["ptt"]'
tap_check "expiry capped by max-admission (1800 s)" \
	test "$(jq -r .expires_in <<< "$out")" = 1800
tap_check "the token can come from standard input" \
	bash -c "\"$lmigd\" check-token -c \"$dir/lmigd.conf\" --profiles \"$dir/profiles.conf\" --now $now < \"$dir/alice\" | grep -q '^decision    admitted'"

mint --exp-in 3600 --scope 3gpp:mc:ptt_service --mcptt-id sip:sus@primary.example > "$dir/sus"
out=$(check -j "$dir/sus"); rc=$?
tap_check "a suspended user: exit 1" test $rc -eq 1
tap_check "reason suspended, HTTP 403" \
	test "$(jq -r '.reason + " " + (.http_status|tostring)' <<< "$out")" = "suspended 403"

out=$(check -j --now $((now + 7200)) "$dir/alice"); rc=$?
tap_check "--now after expiry: refused as expired" \
	test $rc -eq 1 -a "$(jq -r .reason <<< "$out")" = expired

mint --scope 3gpp:mc:ptt_service --mcptt-id sip:alice@primary.example --tamper-signature > "$dir/bad"
out=$(check "$dir/bad"); rc=$?
tap_check "a bad signature: the precise reason for the operator" \
	test $rc -eq 1 -a -n "$(grep '^reason      bad_signature' <<< "$out")"
tap_check "and what the client was told" \
	grep -q "reason 'untrusted_token'" <<< "$out"

out=$("$lmigd" check-token -c "$dir/none.conf" "$dir/alice" 2>&1); rc=$?
tap_check "a missing configuration: exit 2, named" \
	test $rc -eq 2 -a -n "$(grep none.conf <<< "$out")"
printf 'profile X primary Y services voice\n' > "$dir/bad.profiles"
out=$("$lmigd" check-token -c "$dir/lmigd.conf" --profiles "$dir/bad.profiles" \
	"$dir/alice" 2>&1); rc=$?
tap_check "a bad profiles file: exit 2, file and line named" \
	test $rc -eq 2 -a -n "$(grep 'bad.profiles:1: unknown service' <<< "$out")"
out=$(check --now tomorrow "$dir/alice" 2>&1); rc=$?
tap_check "a bad --now: exit 2" test $rc -eq 2
out=$(check "$dir/missing-token" 2>&1); rc=$?
tap_check "a missing token file: exit 2" test $rc -eq 2
tap_done
