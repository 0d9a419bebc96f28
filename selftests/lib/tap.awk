# SPDX-License-Identifier: GPL-2.0-only
#
# Turn one test program's TAP/KTAP output into the suite's result lines.
# Input: the program's output, then a last line "__LMIG_RC=<exit status>".
# Output: every input line indented (the log), then for each top-level
# result one line "PASS: <name>: <test>", "FAIL: ..." or "SKIP: ...".
# A program that dies early, exits non-zero without a failing result, or
# reports no result at all is a failure too: a test must assert something.

function result(kind, desc) {
	printf "%s: %s: %s\n", kind, name, desc
	fflush()
	seen++
	if (kind == "FAIL")
		failed++
}

/^__LMIG_RC=/ {
	rc = substr($0, 11) + 0
	next
}

{
	sub(/\r$/, "")
	print "    " $0
	fflush()
}

/^1\.\.[0-9]+/ {
	split(substr($0, 4), p, /[^0-9]/)
	plan += p[1]
	next
}

/^(not )?ok [0-9]+/ {
	line = $0
	bad = (line ~ /^not /)
	sub(/^(not )?ok [0-9]+ *(- )?/, "", line)
	if (line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) {
		result("SKIP", line)
	} else if (bad && line !~ /#[ \t]*TODO/) {
		result("FAIL", line)
	} else {
		result("PASS", line)
	}
}

END {
	if (plan > seen)
		result("FAIL", sprintf("only %d of %d planned results reported", seen, plan))
	if (rc == 4 && seen == 0)
		result("SKIP", "skipped as a whole")
	else if (rc != 0 && failed == 0)
		result("FAIL", sprintf("exited with status %d", rc))
	else if (seen == 0)
		result("FAIL", "reported no result")
}
