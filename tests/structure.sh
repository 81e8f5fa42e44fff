#!/bin/sh
# structure.sh: the layering of src/ (issue 10, DESIGN.md "Modules").
#
# core/ is wire-neutral: no file under src/core/ includes a header of an
# adapter (api/, ui/, oauth/) or of http/. And no operation runs through
# a fake API request: api_invoke does not exist anywhere in src/.
#
# KNOWN lists the files still converting (file: why); each is an
# exception only for the rule it names, and an entry that no longer
# breaks its rule fails the test too, so the list only shrinks.
# Run by `make check` (srcdir from automake) or by hand from the tree.

srcdir=${srcdir:-$(dirname "$0")/..}
src=$srcdir/src

# file<TAB>rule (core-include | api_invoke)
KNOWN='
src/api/api.c	api_invoke
src/api/api.h	api_invoke
src/http/domain.c	api_invoke
'

fail=0

known() {
	printf '%s\n' "$KNOWN" | grep -qxF "$(printf '%s\t%s' "$1" "$2")"
}

check() {	# rule, files breaking it (relative to $srcdir)
	rule=$1
	shift
	for f in "$@"; do
		if known "$f" "$rule"; then
			continue
		fi
		echo "FAIL: $f: $rule"
		fail=1
	done
	printf '%s\n' "$KNOWN" | while IFS='	' read -r f r; do
		[ "$r" = "$rule" ] || continue
		case " $* " in
		*" $f "*) ;;
		*)	echo "FAIL: $f is listed as a known $rule exception" \
			    "but no longer breaks the rule: drop it from KNOWN"
			exit 1 ;;
		esac
	done || fail=1
}

cd "$srcdir" || exit 1
core=$(grep -lE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"(api|ui|oauth|http)/' \
    $(find src/core -name '*.[ch]' | sort) 2>/dev/null)
# shellcheck disable=SC2086
check core-include $core
invoke=$(grep -rlw 'api_invoke' src | sort)
# shellcheck disable=SC2086
check api_invoke $invoke

[ "$fail" -eq 0 ] && echo "PASS: structure"
exit "$fail"
