#!/bin/sh
# run.sh BUILD_DIR [SECONDS]: run every fuzz target for a bounded time
# over a copy of its seed corpus; prints one "fuzz: <target> ok" line per
# clean target and exits non-zero if any target found a crash.
set -u
build=${1:?usage: run.sh BUILD_DIR [SECONDS]}
secs=${2:-${FUZZ_SECONDS:-30}}
here=$(cd "$(dirname "$0")" && pwd)
fail=0
for t in http api users template forms css; do
	bin="$build/tests/fuzz/fuzz_$t"
	[ -x "$bin" ] || { echo "fuzz: $bin missing"; fail=1; continue; }
	work=$(mktemp -d)
	cp "$here/corpus/$t/"* "$work/" 2>/dev/null
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=0 -artifact_prefix="$work/" "$work" \
	    > "$build/fuzz_$t.log" 2>&1; then
		echo "fuzz: fuzz_$t ok ($secs s)"
	else
		echo "fuzz: fuzz_$t FAILED; log follows"
		tail -40 "$build/fuzz_$t.log"
		fail=1
	fi
	rm -rf "$work"
done
exit $fail
