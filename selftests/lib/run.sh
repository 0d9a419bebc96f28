# SPDX-License-Identifier: GPL-2.0-only
#
# lmig_run NAME COMMAND...: run one test program that speaks TAP, stream
# its output indented and one result line per test (see tap.awk). Bounded
# by LMIG_TEST_TIMEOUT seconds (default 600).

lmig_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

lmig_run() {
	local name=$1
	shift
	echo "# ---- $name"
	{
		local rc=0
		timeout -k 5 "${LMIG_TEST_TIMEOUT:-600}" "$@" 2>&1 < /dev/null || rc=$?
		[ "$rc" = 124 ] && echo "# timed out after ${LMIG_TEST_TIMEOUT:-600}s"
		echo "__LMIG_RC=$rc"
	} | awk -v name="$name" -f "$lmig_lib_dir/tap.awk"
}

# lmig_count FILE: print "N passed, N failed, N skipped" for result lines.
lmig_count() {
	awk '/^PASS: /{p++} /^FAIL: /{f++} /^SKIP: /{s++}
	     END {printf "%d passed, %d failed, %d skipped\n", p, f, s}' "$1"
}
