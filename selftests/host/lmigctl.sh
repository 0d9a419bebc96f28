#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lmigctl without the module (this host cannot load it): help for every
# command works and exits 0; bad usage exits 2 with a message; asking the
# kernel exits 3 and says the module is not loaded; version prints. The
# commands against the real module run in the VM (selftests/e2e).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"
O=${O:-build}
ctl=$top/$O/lmigctl
tap_plan 55

# expect NAME STATUS PATTERN -- ARGS: exit status and a line of output.
expect() {
	local name=$1 want=$2 pattern=$3 out rc
	shift 4
	out=$("$ctl" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$pattern" <<< "$out"; then
		tap_ok "$name"
	else
		tap_fail "$name" "status $rc (want $want): $(head -3 <<< "$out")"
	fi
}

if [ -d /sys/module/lmig ]; then
	for i in $(seq 55); do tap_skip "lmigctl $i" "lmig is loaded here"; done
	exit 4
fi
expect "--help lists the commands" 0 '^  profile ' -- --help
expect "help is the same" 0 '^  show ' -- help
expect "profile --help" 0 '^usage: lmigctl profile add' -- profile --help
expect "profile add --help changes nothing" 0 '^usage: lmigctl profile' \
	-- profile add --help
expect "show --help" 0 '^usage: lmigctl .*show \[USER\]' -- show --help
expect "version" 0 '^lmigctl [0-9]+\.[0-9]+\.[0-9]+$' -- version
expect "version -j is JSON" 0 '^\{"version":"[0-9.]+"\}$' -- -j version
expect "no command is bad usage" 2 '^usage: ' --
expect "an unknown command is named" 2 "unknown command 'frobnicate'" \
	-- frobnicate
expect "an unknown option is bad usage" 2 'usage: ' -- --frobnicate list
expect "profile list without the module says so" 3 \
	'the lmig module is not loaded' -- profile list
expect "show without the module says so" 3 \
	'the lmig module is not loaded' -- show
expect "--help lists revoke" 0 '^  revoke ' -- --help
expect "revoke --help" 0 '^usage: lmigctl .*revoke USER' -- revoke --help
expect "revoke without a user is bad usage" 2 'give exactly one user' -- revoke
expect "revoke of a bad user id is bad usage" 2 "'0' is not a user id" \
	-- revoke 0
expect "revoke without the module says so" 3 \
	'the lmig module is not loaded' -- revoke sip:a@partner.example
expect "profile replace needs services" 2 "'services LIST' is needed" \
	-- profile replace sip:a@p.example primary sip:a@q.example
expect "profile replace by user id needs the partner ID" 2 \
	"give 'partner PARTNER-ID'" \
	-- profile replace 7 primary sip:a@q.example services ptt

# The profiles file is checked whole before the kernel is asked anything.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' '# two profiles' \
	'profile sip:a@partner.example primary sip:a@primary.example services ptt' \
	'profile sip:b@partner.example primary sip:b@primary.example services fax' \
	> "$tmp/bad.conf"
sed '$d' "$tmp/bad.conf" > "$tmp/good.conf"
expect "apply --help" 0 '^usage: lmigctl .*apply -f FILE' -- apply --help
expect "apply without a file is bad usage" 2 'which file' -- apply
expect "apply with an unknown option is bad usage" 2 "unexpected '--frob'" \
	-- apply -f "$tmp/good.conf" --frob
expect "a bad file is refused before the kernel is asked" 1 \
	"bad.conf:3: unknown service 'fax'" -- apply -f "$tmp/bad.conf"
expect "a bad file on standard input is named too" 1 \
	"<stdin>:3: unknown service 'fax'" -- apply -f - < "$tmp/bad.conf"
expect "a good file without the module says so" 3 \
	'the lmig module is not loaded' -- apply -f "$tmp/good.conf" --dry-run
expect "export without the module says so" 3 \
	'the lmig module is not loaded' -- export
expect "stats --help" 0 '^usage: lmigctl .*stats' -- stats --help
expect "stats without the module says so" 3 \
	'the lmig module is not loaded' -- stats
expect "services --help says where classes are set" 0 "'service CLASS" \
	-- services --help
expect "services --help says a live set lasts until lmigd reloads" 0 \
	'lasts until lmigd next starts or reloads' -- services --help
expect "services set --help is the services help" 0 \
	'services set CLASS udp\|tcp\|sctp PORT\[-PORT\]' -- services set --help
# Every bad argument of services set is refused before any map is opened.
expect "services set without arguments is bad usage" 2 \
	'expected CLASS udp\|tcp\|sctp PORT\[-PORT\], or unclassified pass\|drop' \
	-- services set
expect "services set of an unknown class" 2 \
	"class 'mcx' unknown \(open, ptt, video, data, deny, none\)" \
	-- services set mcx udp 5000
expect "services set of a class only counters have" 2 \
	"class 'opaque' unknown" -- services set opaque udp 5000
expect "services set of an unknown protocol" 2 \
	"protocol 'icmp' unknown \(udp, tcp, sctp\)" -- services set ptt icmp 5000
expect "services set of port 0" 2 "port '0' is not a number from 1 to 65535" \
	-- services set ptt udp 0
expect "services set of a port above 65535" 2 "port '65536' is not a number" \
	-- services set ptt udp 65536
expect "services set of a signed port" 2 "port '\+5000' is not a number" \
	-- services set ptt udp +5000
expect "services set of a range without an end" 2 "port '' is not a number" \
	-- services set ptt udp 5000-
expect "services set of an inverted range" 2 \
	"range '5010-5000' ends before it starts" -- services set ptt udp 5010-5000
expect "services set with an extra argument" 2 "unexpected 'now'" \
	-- services set ptt udp 5000 now
expect "services set unclassified without a default" 2 'give pass or drop' \
	-- services set unclassified
expect "services set unclassified of an unknown default" 2 \
	"unclassified: 'maybe' unknown \(pass, drop\)" \
	-- services set unclassified maybe
expect "services set unclassified with an extra argument" 2 \
	"unexpected 'now'" -- services set unclassified drop now
expect "services set of a missing instance says so" 1 \
	"has lmigd run|not a BPF filesystem" \
	-- -i lmig-no-such-instance services set ptt udp 5000
expect "services of a missing instance says so" 1 \
	"has lmigd run|not a BPF filesystem" \
	-- -i lmig-no-such-instance services
expect "monitor --help" 0 '^usage: lmigctl .*monitor' -- monitor --help
expect "monitor --help says where denial samples come from" 0 \
	'from lmigd' -- monitor --help
expect "monitor takes no arguments" 2 'takes no arguments' -- monitor now
expect "monitor without the module says so" 3 \
	'the lmig module is not loaded' -- monitor
expect "-j monitor without the module prints no JSON" 3 \
	'^lmigctl: the lmig module is not loaded' -- -j monitor
# IDs are checked by the module's rule before anything is sent.
expect "a partner ID with a blank is bad usage" 2 \
	"partner ID 'a b' has a byte outside printable ASCII" \
	-- profile add "a b" primary sip:b@q services ptt
expect "an empty primary ID is bad usage" 2 "primary '' is empty" \
	-- profile add sip:a@q primary "" services ptt
expect "a primary ID of 256 bytes is bad usage" 2 \
	'is longer than 255 bytes' \
	-- profile set sip:a@q primary "$(printf 'p%.0s' $(seq 256))"
expect "revoke of a partner ID with a control byte is bad usage" 2 \
	'outside printable ASCII' -- revoke "$(printf 'sip:a\tb')"
tap_done
