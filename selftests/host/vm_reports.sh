#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# selftests/vm/reports, the detector that fails a VM run on a kernel
# report: fed console logs in the form the 6.1 kernel prints each kind of
# report, it must find every one (with its stack) and nothing in a clean
# boot of the debug kernel.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
reports=$here/../vm/reports

dir=$(mktemp -d /tmp/lmig-vm-reports.XXXXXX)
trap 'rm -rf "$dir"' EXIT
tap_plan 16

# What a clean boot and run on the debug kernel logs, words that look like
# reports included.
cat > "$dir/clean" <<'LOG'
[    0.000000] Linux version 6.1.0-lmig-debug (root@lmig) #1 SMP PREEMPT_DYNAMIC
[    0.000000] Kernel command line: console=ttyS0 ignore_loglevel panic=-1 panic_on_warn=1
[    0.010000] kasan: KernelAddressSanitizer initialized (generic)
[    0.020000] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar
[    0.020000] ... MAX_LOCKDEP_SUBCLASSES:  8
[    1.100000] kmemleak: Kernel memory leak detector initialized (mem pool available: 15682)
[    1.100001] kmemleak: Automatic memory scanning thread ended
[    1.200000] FAULT_INJECTION: failslab and fail_page_alloc ready
[    2.300000] lmig: loaded, generic netlink family lmig
[    3.000000] veth0: renamed from eth0
[   40.000000] reboot: Power down
LOG

# klog NAME: a log that is the clean one with the lines of stdin in the
# middle, as a report comes between other messages.
klog() {
	{
		head -n 6 "$dir/clean"
		cat
		tail -n 5 "$dir/clean"
	} > "$dir/$1"
}

klog kasan <<'LOG'
[   12.000001] ==================================================================
[   12.000002] BUG: KASAN: slab-use-after-free in lmig_table_del+0x1a4/0x2c0 [lmig]
[   12.000003] Read of size 8 at addr ffff888004c1d2e8 by task genl_test/131
[   12.000004] 
[   12.000005] CPU: 1 PID: 131 Comm: genl_test Not tainted 6.1.0-lmig-debug #1
[   12.000006] Call Trace:
[   12.000007]  <TASK>
[   12.000008]  dump_stack_lvl+0x5b/0x77
[   12.000009]  kasan_report+0xb4/0xe0
[   12.000010]  lmig_table_del+0x1a4/0x2c0 [lmig]
[   12.000011]  genl_family_rcv_msg_doit+0x1c1/0x290
[   12.000012]  </TASK>
[   12.000013] ==================================================================
[   12.000014] lmig: profile 7 deleted
LOG

klog lockdep <<'LOG'
[   13.000001] 
[   13.000002] ======================================================
[   13.000003] WARNING: possible circular locking dependency detected
[   13.000004] 6.1.0-lmig-debug #1 Not tainted
[   13.000005] ------------------------------------------------------
[   13.000006] events_test/140 is trying to acquire lock:
[   13.000007] ffff888003a1c0b0 (&table->lock){+.+.}-{3:3}, at: lmig_flush+0x3e/0x120 [lmig]
[   13.000008] 
[   13.000009] but task is already holding lock:
[   13.000010] ffffffff84a3b2d0 (cb_lock){++++}-{3:3}, at: genl_rcv+0x15/0x40
LOG

klog ubsan <<'LOG'
[   14.000001] ================================================================================
[   14.000002] UBSAN: shift-out-of-bounds in /lmig/kmod/table.c:212:19
[   14.000003] shift exponent 64 is too large for 64-bit type 'long long unsigned int'
[   14.000004] CPU: 0 PID: 150 Comm: table_test Not tainted 6.1.0-lmig-debug #1
[   14.000005] ================================================================================
LOG

klog warn <<'LOG'
[   15.000001] ------------[ cut here ]------------
[   15.000002] WARNING: CPU: 1 PID: 160 at kmod/apply.c:88 lmig_apply_commit+0x2f1/0x3a0 [lmig]
[   15.000003] Modules linked in: lmig
[   15.000004] RIP: 0010:lmig_apply_commit+0x2f1/0x3a0 [lmig]
[   15.000005] ---[ end trace 0000000000000000 ]---
[   15.000006] Kernel panic - not syncing: panic_on_warn set ...
LOG

klog atomic <<'LOG'
[   16.000001] BUG: sleeping function called from invalid context at include/linux/sched/mm.h:274
[   16.000002] in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 170, name: apply_test
[   16.000003] preempt_count: 1, expected: 0
[   16.000004] RCU nest depth: 1, expected: 0
LOG

klog rcu <<'LOG'
[   17.000001] =============================
[   17.000002] WARNING: suspicious RCU usage
[   17.000003] 6.1.0-lmig-debug #1 Not tainted
[   17.000004] -----------------------------
[   17.000005] kmod/table.c:97 suspicious rcu_dereference_check() usage!
LOG

klog hung <<'LOG'
[  140.000001] INFO: task stress_test:180 blocked for more than 120 seconds.
[  140.000002]       Not tainted 6.1.0-lmig-debug #1
LOG

klog gpf <<'LOG'
[   18.000001] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN
[   18.000002] KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]
LOG

# A kmemleak scan after the command, as /sys/kernel/debug/kmemleak shows it.
cat > "$dir/leak" <<'LOG'
unreferenced object 0xffff888005d2a400 (size 192):
  comm "apply_test", pid 190, jiffies 4294912345 (age 6.104s)
  hex dump (first 32 bytes):
    73 69 70 3a 61 6c 69 63 65 40 70 61 72 74 6e 65  sip:alice@partne
  backtrace:
    [<ffffffff8132a1b0>] __kmalloc+0x49/0x140
    [<ffffffffa0012345>] lmig_profile_alloc+0x5e/0x130 [lmig]
LOG

# found NAME PATTERN [KMEMLEAK]: reports exits 1 and prints PATTERN.
found() {
	local out rc=0
	out=$("$reports" "$dir/$1" "${3:-/dev/null}") || rc=$?
	[ "$rc" = 1 ] || { echo "# $1: exit status $rc, not 1"; return 1; }
	grep -qE -- "$2" <<< "$out" || {
		echo "# $1: no '$2' in:"
		sed 's/^/#   /' <<< "$out"
		return 1
	}
}

clean() {
	local out rc=0
	out=$("$reports" "$@") || rc=$?
	[ "$rc" = 0 ] && [ -z "$out" ] || {
		echo "# exit status $rc, output:"
		sed 's/^/#   /' <<< "$out"
		return 1
	}
}

tap_check "a clean boot has no report" clean "$dir/clean"
: > "$dir/empty"
tap_check "an empty kmemleak scan is no report" clean "$dir/clean" "$dir/empty"
tap_check "KASAN use-after-free, with the function and its stack" \
	found kasan 'REPORT: .*BUG: KASAN: slab-use-after-free in lmig_table_del'
tap_check "the KASAN report's stack is printed" \
	found kasan 'genl_family_rcv_msg_doit'
tap_check "lockdep circular locking, with both locks" \
	found lockdep 'cb_lock'
tap_check "UBSAN shift out of bounds" \
	found ubsan 'REPORT: .*UBSAN: shift-out-of-bounds in /lmig/kmod/table.c'
tap_check "WARN_ON, up to its end trace" found warn 'end trace'
tap_check "sleeping in atomic context" \
	found atomic 'REPORT: .*BUG: sleeping function called from invalid context'
tap_check "suspicious RCU usage" found rcu 'suspicious rcu_dereference_check'
tap_check "a hung task" found hung 'REPORT: .*INFO: task stress_test:180 blocked'
tap_check "a general protection fault" found gpf 'REPORT: .*general protection fault'
tap_check "a kmemleak leak after the command, with its backtrace" \
	found clean 'lmig_profile_alloc' "$dir/leak"
tap_check "a kmemleak leak is named in the summary" \
	found clean 'REPORT: kmemleak: unreferenced object 0xffff888005d2a400' "$dir/leak"

# Serial consoles end lines with CR LF.
sed 's/$/\r/' "$dir/kasan" > "$dir/kasan-crlf"
tap_check "a console log with CR LF line ends" \
	found kasan-crlf 'REPORT: .*BUG: KASAN: slab-use-after-free'

# A report stops at its end: the line after the KASAN report's closing
# rule is not part of it.
count_lines() {
	local out
	out=$("$reports" "$dir/kasan")
	! grep -q 'lmig: profile 7 deleted' <<< "$out" &&
		[ "$(grep -c 'REPORT:' <<< "$out")" = 1 ]
}
tap_check "a report ends at its closing rule, and counts once" count_lines

# Many reports: all named in the summary, the first MAX_REPORTS printed.
for _ in 1 2 3 4 5 6 7; do cat "$dir/warn"; done > "$dir/many"
many() {
	local out
	out=$(MAX_REPORTS=5 "$reports" "$dir/many")
	[ "$(grep -c '^REPORT: .*WARNING: CPU' <<< "$out")" = 7 ] &&
		[ "$(grep -c '^---- kernel report' <<< "$out")" = 5 ]
}
tap_check "seven reports: seven named, five printed" many
tap_done
