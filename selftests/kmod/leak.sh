#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lmig.ko gives back all the memory it took. Each cycle loads the module,
# fills the table with LMIG_LEAK_PROFILES profiles (default 100000, four
# primary IDs each) in one apply, unloads the module with them still in
# it, and checks that memory is back to what it was before the first load:
#
#   baseline --> insmod --> apply N --> rmmod --> back to baseline? --> ...
#                          (slab grows)           (x LMIG_LEAK_CYCLES)
#
# "Memory" is measured twice: slab objects in use (/proc/slabinfo, which
# the profiles, index nodes and messages live in) and all memory in use
# but the page cache (/proc/meminfo, which also sees the hash tables'
# buckets when they come from vmalloc or the page allocator). Each must
# return to within LMIG_LEAK_SLAB_KB (default 1024) and LMIG_LEAK_USED_KB
# (default 4096) of its baseline; 100000 profiles take some 150 MB.
#
# LMIG_LEAK_CYCLES defaults to 3 so that 'make check' stays short (each
# cycle takes some 15 s in the emulated VM); the soak the module is held
# to is LMIG_LEAK_CYCLES=50 (some 15 minutes there):
#   O=build selftests/vm/run --timeout 3600 -- env LMIG_LEAK_CYCLES=50 \
#       /lmig/selftests/kmod/leak.sh
#
# On the debug kernel, memory freed is not all given back at once: KASAN
# holds freed objects in its quarantine and keeps every allocation's stack
# for good, so some megabytes stay in use after the first cycle whatever
# the module does. There the first cycle's residue is the reference, held
# under LMIG_LEAK_DEBUG_KB (default 32768), and each later cycle must come
# back to it: what grows cycle after cycle is a leak. kmemleak, scanned by
# the VM runner after this test, names any object the module lost.
#
# Runs as root in the VM, which has loaded lmig.ko:
#   selftests/vm/run -- /lmig/selftests/kmod/leak.sh
# The module is loaded again on exit, whatever happened.

set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

helper=${LMIG_TABLE_TEST:-$(ls "${LMIG_BUILD:-/lmig/build}"/selftests/kmod/table_test \
	/lmig/*/selftests/kmod/table_test 2>/dev/null | head -n1)}
ko=${LMIG_KO:-$(ls /lib/modules/lmig.ko /lmig/lmig.ko 2>/dev/null | head -n1)}
cycles=${LMIG_LEAK_CYCLES:-3}
profiles=${LMIG_LEAK_PROFILES:-100000}
slab_tol=${LMIG_LEAK_SLAB_KB:-1024}
used_tol=${LMIG_LEAK_USED_KB:-4096}

if [ ! -x "$helper" ] || [ ! -f "$ko" ]; then
	echo "1..0 # SKIP needs table_test and lmig.ko (set LMIG_TABLE_TEST, LMIG_KO)"
	exit 4
fi
if [ ! -r /proc/slabinfo ]; then
	echo "1..0 # SKIP /proc/slabinfo is not readable"
	exit 4
fi

cleanup() {
	grep -q '^lmig ' /proc/modules || insmod "$ko"
}
trap cleanup EXIT

# Slab objects in use, in kB.
slab_kb() {
	awk 'NR > 2 { b += $2 * $4 } END { printf "%d\n", b / 1024 }' /proc/slabinfo
}

# Memory in use but the page cache, in kB. Pages freed lately may wait in
# the per-CPU lists of the page allocator, which MemFree does not count:
# /proc/zoneinfo does ("count:" of each CPU's pageset), so they are taken
# out too, or freeing the table's 150 MB would look like a leak of several.
used_kb() {
	local pcp
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '/^(MemTotal|MemFree|Buffers|Cached):/ { v[$1] = $2 }
	     END { print v["MemTotal:"] - v["MemFree:"] - v["Buffers:"] - v["Cached:"] - pcp }' \
		/proc/meminfo
}

# settle BASE_SLAB BASE_USED: wait (up to 30 s) for both measures to be
# back within their tolerance; freeing after a grace period takes a moment.
settle() {
	local i
	for i in $(seq 60); do
		slab=$(slab_kb)
		used=$(used_kb)
		if [ $((slab - $1)) -le "$slab_tol" ] &&
		   [ $((used - $2)) -le "$used_tol" ]; then
			return 0
		fi
		sleep 0.5
	done
	return 1
}

# The debug kernel: KASAN says so when it starts.
debug_kernel=false
if dmesg | grep -q "KernelAddressSanitizer initialized"; then
	debug_kernel=true
	debug_tol=${LMIG_LEAK_DEBUG_KB:-32768}
	echo "# KASAN: the first cycle's residue is the reference (under $debug_tol kB)"
fi

tap_plan $((cycles + 2))

# A first round, not measured: what loading the module, creating the
# first table and unloading allocate once for good (sysfs and debugfs
# nodes, per-CPU chunks, caches) is not what this test looks for.
tap_check "a first load, table and unload" \
	eval 'rmmod lmig && insmod "$ko" && "$helper" apply 1000 warm >/dev/null && rmmod lmig'
sleep 1
base_slab=$(slab_kb)
base_used=$(used_kb)
echo "# baseline: slab $base_slab kB, used $base_used kB"

for c in $(seq "$cycles"); do
	name="cycle $c of $cycles: $profiles profiles, then memory back to baseline"
	start=$SECONDS
	if ! insmod "$ko"; then
		tap_fail "$name" "insmod failed"
		continue
	fi
	if ! "$helper" apply "$profiles" "leak$c" >/dev/null; then
		tap_fail "$name" "the apply failed"
		rmmod lmig
		continue
	fi
	held_slab=$(( $(slab_kb) - base_slab ))
	held_used=$(( $(used_kb) - base_used ))
	if ! rmmod lmig; then
		tap_fail "$name" "rmmod failed"
		continue
	fi
	if [ "$held_slab" -lt $((profiles / 10)) ]; then
		# Under 100 bytes a profile: the measure does not see them.
		tap_fail "$name" "the table held only $held_slab kB of slab"
	elif settle "$base_slab" "$base_used"; then
		echo "# cycle $c: held $held_slab kB slab, $held_used kB in all;" \
			"after: slab $((slab - base_slab)) kB, in all $((used - base_used)) kB" \
			"($((SECONDS - start)) s)"
		tap_ok "$name"
	elif $debug_kernel && [ "$c" = 1 ] &&
	     [ $((slab - base_slab)) -le "$debug_tol" ] &&
	     [ $((used - base_used)) -le "$debug_tol" ]; then
		echo "# cycle 1: held $held_slab kB slab, $held_used kB in all;" \
			"the debug kernel keeps $((slab - base_slab)) kB slab," \
			"$((used - base_used)) kB in all: the new reference"
		base_slab=$slab
		base_used=$used
		tap_ok "$name (the debug kernel's own residue, under $debug_tol kB)"
	else
		tap_fail "$name" "held $held_slab kB slab, $held_used kB in all; still $((slab - base_slab)) kB slab, $((used - base_used)) kB in all after 30 s"
	fi
done

insmod "$ko"
tap_check "the module reported no leak" eval '! dmesg | grep -q "profiles leaked"'
tap_done
