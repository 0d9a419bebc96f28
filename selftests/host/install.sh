#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# 'make install' and 'make uninstall' into a staging directory: every file
# lands where the README says, the DKMS source tree builds a module on its
# own, an operator's configuration is never overwritten, and uninstall
# removes what install put in place but the configuration.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"

stage=$(mktemp -d /tmp/lmig-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT
tap_plan 15

version=$(sed -n 's/^VERSION[[:space:]]*:= *//p' "$top/Makefile")
src=$stage/usr/src/lmig-$version

if make -s -C "$top" install DESTDIR="$stage" > "$stage/install.log" 2>&1; then
	tap_ok "make install DESTDIR=... succeeds"
else
	tap_fail "make install DESTDIR=... succeeds" "$(tail -5 "$stage/install.log")"
fi
tap_check "lmigd and lmigctl are in /usr/sbin" \
	test -x "$stage/usr/sbin/lmigd" -a -x "$stage/usr/sbin/lmigctl"
tap_check "the systemd unit is installed" \
	grep -q '^ExecStart=/usr/sbin/lmigd' "$stage/lib/systemd/system/lmigd.service"
tap_check "the module loads at boot" \
	grep -qx lmig "$stage/usr/lib/modules-load.d/lmig.conf"
tap_check "an example configuration is in /etc/lmig" \
	test -f "$stage/etc/lmig/lmigd.conf"
tap_check "the manual pages are installed" \
	test -f "$stage/usr/share/man/man8/lmigd.8" \
	-a -f "$stage/usr/share/man/man8/lmigctl.8" \
	-a -f "$stage/usr/share/man/man5/lmigd.conf.5" \
	-a -f "$stage/usr/share/man/man5/lmig-profiles.5"
tap_check "the bash completion is installed" \
	test -f "$stage/usr/share/bash-completion/completions/lmigctl"
tap_check "dkms.conf names this version" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "$src/dkms.conf"

kdir=$(make -s -C "$top" --no-print-directory print-KDIR)
if [ -d "$kdir" ] &&
   make -C "$kdir" M="$src" modules > "$stage/dkms.log" 2>&1 &&
   [ -f "$src/kmod/lmig.ko" ]; then
	tap_ok "the DKMS source tree builds lmig.ko on its own"
else
	tap_fail "the DKMS source tree builds lmig.ko on its own" \
		"$(tail -5 "$stage/dkms.log" 2>/dev/null)"
fi

out=$("$stage/usr/sbin/lmigd" --check-config -c "$stage/etc/lmig/lmigd.conf" 2>&1)
if grep -q "issuers/primary-idms.pem" <<< "$out"; then
	tap_ok "lmigd --check-config names the missing issuer certificate"
else
	tap_fail "lmigd --check-config names the missing issuer certificate" "$out"
fi

echo "# operator's own setting" >> "$stage/etc/lmig/lmigd.conf"
make -s -C "$top" install DESTDIR="$stage" > "$stage/install2.log" 2>&1
tap_check "a second install keeps the operator's configuration" \
	grep -q "operator's own setting" "$stage/etc/lmig/lmigd.conf"
tap_check "and puts the new example beside it" \
	test -f "$stage/etc/lmig/lmigd.conf.example"

make -s -C "$top" uninstall DESTDIR="$stage" > "$stage/uninstall.log" 2>&1
tap_check "make uninstall removes binaries, unit and module source" \
	test ! -e "$stage/usr/sbin/lmigd" -a ! -e "$stage/usr/sbin/lmigctl" \
	-a ! -e "$stage/lib/systemd/system/lmigd.service" -a ! -e "$src"
tap_check "make uninstall removes the manual pages" \
	test ! -e "$stage/usr/share/man/man8/lmigd.8" \
	-a ! -e "$stage/usr/share/man/man5/lmigd.conf.5"
tap_check "make uninstall keeps the configuration" \
	test -f "$stage/etc/lmig/lmigd.conf"
tap_done
