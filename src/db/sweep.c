/*
 * sweep.c: a timer that deletes expired rows. Expired rows are refused
 * wherever they are read, so the sweep only keeps tables small; it runs
 * every SWEEP_INTERVAL seconds, a bounded number of rows at a time.
 */
#include "config.h"

#include <event2/event.h>

#include "db/pg.h"
#include "db/sweep.h"
#include "log.h"
#include "util.h"

#define SWEEP_INTERVAL	300
#define SWEEP_ROWS	"10000"

static struct event	*sweep_timer;

static const char *const sweep_sql[] = {
	"DELETE FROM auth_sessions WHERE session_hash IN (SELECT "
	"session_hash FROM auth_sessions WHERE expires_at < extract(epoch "
	"FROM clock_timestamp()) LIMIT " SWEEP_ROWS ")",
	"DELETE FROM srp_spent WHERE digest IN (SELECT digest FROM srp_spent "
	"WHERE expires_at < extract(epoch FROM clock_timestamp()) LIMIT "
	SWEEP_ROWS ")",
	"DELETE FROM oauth_codes WHERE code_hash IN (SELECT code_hash FROM "
	"oauth_codes WHERE expires_at < extract(epoch FROM clock_timestamp()) "
	"LIMIT " SWEEP_ROWS ")",
	"DELETE FROM fed_states WHERE state_hash IN (SELECT state_hash "
	"FROM fed_states WHERE expires_at < extract(epoch FROM "
	"clock_timestamp()) LIMIT " SWEEP_ROWS ")",
	"DELETE FROM saml_assertions WHERE (pool_id, issuer, assertion_id) "
	"IN (SELECT pool_id, issuer, assertion_id FROM saml_assertions WHERE "
	"expires_at < extract(epoch FROM clock_timestamp()) LIMIT "
	SWEEP_ROWS ")",
	"DELETE FROM ui_sessions WHERE session_hash IN (SELECT session_hash "
	"FROM ui_sessions WHERE expires_at < extract(epoch FROM "
	"clock_timestamp()) LIMIT " SWEEP_ROWS ")",
	"DELETE FROM signin_attempts WHERE window_start < extract(epoch FROM "
	"clock_timestamp())::bigint / 60 - 60",
	/* Console sessions idle past ui/console_int.h's CONSOLE_IDLE. */
	"DELETE FROM console_sessions WHERE session_hash IN (SELECT "
	"session_hash FROM console_sessions WHERE last_seen < extract(epoch "
	"FROM clock_timestamp()) - 28800 LIMIT " SWEEP_ROWS ")",
	/* Quiet longer than the lockout window and its longest lock. */
	"DELETE FROM lockout_names WHERE (pool_id, name_key) IN (SELECT "
	"pool_id, name_key FROM lockout_names WHERE last_failed_at < "
	"extract(epoch FROM clock_timestamp()) - 1800 LIMIT " SWEEP_ROWS ")",
	/* Simulated codes: past their expiry and the count's window. */
	"DELETE FROM code_names WHERE (pool_id, name_key) IN (SELECT "
	"pool_id, name_key FROM code_names WHERE expires_at < extract(epoch "
	"FROM clock_timestamp()) AND created_at < extract(epoch FROM "
	"clock_timestamp()) - 3600 LIMIT " SWEEP_ROWS ")",
	/* The longest message cap window is a day. */
	"DELETE FROM message_sends WHERE ctid IN (SELECT ctid FROM "
	"message_sends WHERE sent_at < extract(epoch FROM clock_timestamp()) "
	"- 86400 LIMIT " SWEEP_ROWS ")",
};

static void
sweep_done(struct pg_reply *reply, void *unused)
{
	(void)unused;
	if (!reply->ok)
		log_warn("sweep: %s", reply->error != NULL ? reply->error :
		    "database error");
}

static void
sweep_on_timer(evutil_socket_t fd, short what, void *unused)
{
	struct timeval	 tv = { SWEEP_INTERVAL, 0 };
	struct pg_batch	*b = pg_batch_new();
	size_t		 i;

	(void)fd;
	(void)what;
	(void)unused;
	for (i = 0; i < nitems(sweep_sql); i++)
		pg_batch_add(b, sweep_sql[i], 0);
	pg_submit(b, sweep_done, NULL);
	evtimer_add(sweep_timer, &tv);
}

int
sweep_start(struct event_base *base)
{
	struct timeval	tv = { 10, 0 };

	if ((sweep_timer = evtimer_new(base, sweep_on_timer, NULL)) == NULL)
		return -1;
	return evtimer_add(sweep_timer, &tv);
}

void
sweep_stop(void)
{
	if (sweep_timer != NULL)
		event_free(sweep_timer);
	sweep_timer = NULL;
}
