#!/bin/sh
# structure.sh: the layering of src/ (issue 10, DESIGN.md "Modules").
#
# core/ is wire-neutral: no file under src/core/ includes a header of an
# adapter (api/, ui/, oauth/) or of http/. And no operation runs through
# a fake API request: api_invoke, domain_invoke, internal operations
# (API_INTERNAL) and the internal request (req_new_internal) do not
# exist anywhere in src/ (rule api_invoke). Nor does core/ name its
# failures by Cognito exception: no file under src/core/ holds a string
# literal ending in Exception (rule exception-name); it says a kind of
# core/err.h, and api/api.c's table names it. Nor does core/ hold the
# users table's SQL or decode its rows (rule users-sql): no file under
# src/core/ has SQL on the table users (FROM, INTO, UPDATE or JOIN
# users), its column list ("u.sub, u.username", DB_USERS_COLUMNS,
# DB_USERS_MATCH) or a row decoder users_from_row / users_col_*; those
# are db/users.c's (db_users_from_row). Nor do the adapters and the
# federation code hold SQL (rule adapter-sql): no file under src/api/,
# src/oauth/, src/ui/ or src/fed/ adds a statement to a batch or runs
# one (pg_batch_add, pg_batch_addv, pg_query) or has a string literal
# that starts with "SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"
# or "WITH "; they call the functions of their table family in src/db/.
#
# KNOWN lists files excepted while converting (file<TAB>rule), each only
# for the rule it names; an entry that no longer breaks its rule fails
# the test too, so the list only shrinks. It is empty: every door calls
# the core directly.
# Run by `make check` (srcdir from automake) or by hand from the tree.

srcdir=${srcdir:-$(dirname "$0")/..}
src=$srcdir/src

# file<TAB>rule (core-include | api_invoke | exception-name | users-sql |
# adapter-sql)
KNOWN='
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
invoke=$(grep -rlwE 'api_invoke|domain_invoke|API_INTERNAL|req_new_internal' \
    src | sort)
# shellcheck disable=SC2086
check api_invoke $invoke
exc=$(grep -lE 'Exception"' $(find src/core -name '*.[ch]' | sort) \
    2>/dev/null)
# shellcheck disable=SC2086
check exception-name $exc
users='(FROM|INTO|UPDATE|JOIN)[[:space:]]+users([^a-z_]|$)'
users="$users|u\\.sub,[[:space:]]*u\\.username|DB_USERS_(COLUMNS|MATCH)"
users="$users|(^|[^a-z_])users_(from_row|col_[a-z]+)"
usql=$(grep -lE "$users" $(find src/core -name '*.[ch]' | sort) 2>/dev/null)
# shellcheck disable=SC2086
check users-sql $usql
adapters=$(find src/api src/oauth src/ui src/fed -name '*.[ch]' 2>/dev/null |
    sort)
asql='(^|[^A-Za-z0-9_])(pg_batch_addv?|pg_query)[[:space:]]*\('
asql="$asql"'|"(SELECT |INSERT INTO|UPDATE |DELETE FROM|WITH )'
# shellcheck disable=SC2086
adsql=$(grep -lE "$asql" $adapters 2>/dev/null)
# shellcheck disable=SC2086
check adapter-sql $adsql

[ "$fail" -eq 0 ] && echo "PASS: structure"
exit "$fail"
