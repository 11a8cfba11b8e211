# SPDX-License-Identifier: GPL-2.0
# Passes a TAP stream through and adds it up. Programs are framed by
#   # skap-test: NAME           ...their TAP...
#   # skap-test-exit: NAME RC
# A program that exits non-zero without a failing line, or succeeds without
# reporting a single test, counts as one failure: a crash or a test that
# silently ran nothing must never look green.
# Ends with the plain line "N passed, N failed, N skipped"; exits 1 on failure.
function close_block(rc) {
	if (name == "")
		return
	if (rc != 0 && bfail == 0) {
		print "not ok - " name " exited with status " rc
		fail++
	} else if (rc == 0 && bpass + bskip + bfail == 0) {
		print "not ok - " name " reported no test"
		fail++
	}
	name = ""
}
/^# skap-test: / {
	close_block(0)
	name = $3
	bpass = bfail = bskip = 0
	print
	next
}
/^# skap-test-exit: / {
	print
	if (name != "")
		close_block($4 + 0)
	next
}
/^ok / {
	if ($0 ~ /# [Ss][Kk][Ii][Pp]/) {
		skip++
		bskip++
	} else {
		pass++
		bpass++
	}
	print
	next
}
/^not ok / {
	if ($0 ~ /# TODO/) {
		print
		next
	}
	fail++
	bfail++
	print
	next
}
{ print }
END {
	if (name != "") {
		print "not ok - " name " did not finish"
		fail++
	}
	printf "%d passed, %d failed, %d skipped\n", pass, fail, skip
	exit fail > 0
}
