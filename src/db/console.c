/*
 * console.c: SQL of the admin console's account, sessions and audit log
 * (see console.h). A session's idle limit is checked and renewed by the
 * same UPDATE, so two requests cannot both see a session the other
 * ended. A failed sign-in counts and locks in one UPDATE, so parallel
 * posts cannot both see a count under the limit.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/console.h"
#include "db/pg.h"
#include "util.h"

#define DB_CONSOLE_NOW	"extract(epoch FROM clock_timestamp())"

int
db_console_account_create(PGconn *c, const char *user, const char *hash,
    int *created, char **cause)
{
	const char	*params[2] = { user, hash };
	PGresult	*res;

	if (pg_exec_blocking(c, "INSERT INTO console_accounts (username, "
	    "password_hash) VALUES ($1, $2) ON CONFLICT (username) DO NOTHING "
	    "RETURNING 1", 2, params, &res, cause) != 0)
		return -1;
	*created = PQntuples(res) == 1;
	PQclear(res);
	return 0;
}

int
db_console_password_reset(PGconn *c, const char *user, const char *hash,
    char **cause)
{
	const char	*params[2] = { user, hash };

	return pg_exec_blocking(c, "WITH a AS (INSERT INTO console_accounts "
	    "(username, password_hash) VALUES ($1, $2) ON CONFLICT (username) "
	    "DO UPDATE SET password_hash = $2, failed_count = 0, "
	    "locked_until = 0, totp_sealed = NULL, totp_last_step = 0, "
	    "changed_at = " DB_CONSOLE_NOW " RETURNING "
	    "username) DELETE FROM console_sessions WHERE username IN "
	    "(SELECT username FROM a)", 2, params, NULL, cause);
}

void
db_console_session_touch(struct pg_batch *b, const char *digest, int idle)
{
	char	*s = xasprintf("%d", idle);

	pg_batch_add(b, "UPDATE console_sessions SET last_seen = "
	    DB_CONSOLE_NOW " WHERE session_hash = $1::bytea AND last_seen > "
	    DB_CONSOLE_NOW " - $2::integer RETURNING username, mfa_pending",
	    2, digest, s);
	free(s);
}

void
db_console_session_insert(struct pg_batch *b, const char *digest,
    const char *user, int mfa_pending)
{
	pg_batch_add(b, "INSERT INTO console_sessions (session_hash, "
	    "username, mfa_pending) VALUES ($1::bytea, $2, $3::boolean)", 3,
	    digest, user, mfa_pending ? "t" : "f");
}

void
db_console_session_verified(struct pg_batch *b, const char *digest)
{
	pg_batch_add(b, "UPDATE console_sessions SET mfa_pending = false "
	    "WHERE session_hash = $1::bytea", 1, digest);
}

void
db_console_session_delete(struct pg_batch *b, const char *digest)
{
	pg_batch_add(b, "DELETE FROM console_sessions WHERE session_hash = "
	    "$1::bytea", 1, digest);
}

void
db_console_sessions_end_others(struct pg_batch *b, const char *user,
    const char *digest)
{
	pg_batch_add(b, "DELETE FROM console_sessions WHERE username = $1 "
	    "AND session_hash <> $2::bytea", 2, user, digest);
}

void
db_console_account_get(struct pg_batch *b, const char *user)
{
	pg_batch_add(b, "SELECT password_hash, totp_sealed, totp_last_step, "
	    "failed_count, greatest(0, ceil(locked_until - " DB_CONSOLE_NOW
	    "))::bigint FROM console_accounts WHERE username = $1", 1, user);
}

void
db_console_failed(struct pg_batch *b, const char *user, int max, int lock_s)
{
	char	*m = xasprintf("%d", max), *l = xasprintf("%d", lock_s);

	pg_batch_add(b, "UPDATE console_accounts SET failed_count = "
	    "CASE WHEN failed_count + 1 >= $2::integer THEN 0 ELSE "
	    "failed_count + 1 END, locked_until = CASE WHEN failed_count + 1 "
	    ">= $2::integer THEN " DB_CONSOLE_NOW " + $3::integer ELSE "
	    "locked_until END WHERE username = $1", 3, user, m, l);
	free(m);
	free(l);
}

void
db_console_succeeded(struct pg_batch *b, const char *user)
{
	pg_batch_add(b, "UPDATE console_accounts SET failed_count = 0 "
	    "WHERE username = $1 AND failed_count <> 0", 1, user);
}

void
db_console_password_set(struct pg_batch *b, const char *user,
    const char *hash)
{
	pg_batch_add(b, "UPDATE console_accounts SET password_hash = $2, "
	    "changed_at = " DB_CONSOLE_NOW " WHERE username = $1", 2, user,
	    hash);
}

void
db_console_totp_set(struct pg_batch *b, const char *user, const char *sealed)
{
	pg_batch_add(b, "UPDATE console_accounts SET totp_sealed = $2, "
	    "totp_last_step = 0, changed_at = " DB_CONSOLE_NOW " WHERE "
	    "username = $1", 2, user, sealed);
}

void
db_console_totp_used(struct pg_batch *b, const char *user, long long step)
{
	char	*s = xasprintf("%lld", step);

	pg_batch_add(b, "UPDATE console_accounts SET totp_last_step = "
	    "$2::bigint WHERE username = $1 AND totp_last_step < $2::bigint "
	    "RETURNING 1", 2, user, s);
	free(s);
}

void
db_console_audit_add(struct pg_batch *b, const char *user, const char *addr,
    const char *op, const char *target, const char *outcome)
{
	pg_batch_add(b, "INSERT INTO console_audit (username, address, "
	    "operation, target, outcome) VALUES ($1, $2, $3, $4, $5)", 5,
	    user, addr, op, target, outcome);
}

void
db_console_audit_list(struct pg_batch *b, long long before, int limit)
{
	char	*bs = xasprintf("%lld", before), *ls = xasprintf("%d", limit);

	pg_batch_add(b, "SELECT id, to_char(to_timestamp(at) AT TIME ZONE "
	    "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), username, address, "
	    "operation, target, outcome FROM console_audit WHERE $1::bigint = "
	    "0 OR id < $1::bigint ORDER BY id DESC LIMIT $2::integer", 2, bs,
	    ls);
	free(bs);
	free(ls);
}
