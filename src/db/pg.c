/*
 * pg.c: asynchronous PostgreSQL for one event loop.
 *
 * A worker owns a few connections in pipeline mode. A batch (one or more
 * statements) goes to the connection with the fewest batches in flight
 * and is closed by a sync, so PostgreSQL runs it as one implicit
 * transaction and an error in it cannot abort another batch. Results
 * arrive in order; the head of a connection's in-flight list owns the
 * next result.
 *
 * Each distinct SQL text is prepared once per connection, in a segment of
 * its own, so that an error in somebody else's batch cannot leave the
 * statement unprepared while the cache believes otherwise.
 *
 * Waits are bounded: a batch that waits for a connection longer than the
 * database timeout fails with PG_STATE_TIMEOUT, and one whose results do
 * not come in time is answered with a timeout while its results, when
 * they come, are dropped; a connection whose oldest batch is far past its
 * deadline is reset. While the database is unreachable, new batches fail
 * at once with PG_STATE_UNAVAILABLE, and connections retry with back-off.
 * Callbacks never run from inside pg_submit(): failures found there are
 * delivered from the loop.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "db/pg.h"
#include "log.h"
#include "util.h"

#define PG_MAX_DEPTH		64	/* batches in flight per connection */
#define PG_BACKOFF_MIN_MS	100
#define PG_BACKOFF_MAX_MS	3000
#define PG_JANITOR_MS		200
#define PG_STMT_CACHE		512	/* prepared statements per connection */

enum pg_conn_state { PGC_DOWN, PGC_CONNECTING, PGC_READY };

struct pg_stmt {
	char	 *sql;
	int	  nparams;
	char	**params;
};

struct pg_batch {
	struct pg_stmt		*stmts;
	int			 n, cap;
	pg_cb			 cb;
	void			*arg;
	int64_t			 deadline_ms;
	int			 timed_out;	/* answered already */
	int			 prepare_only;	/* internal prepare segment */
	void			(*on_commit)(void);
	unsigned		 prepare_slot;
	/* result collection */
	int			 cur;
	int			 awaiting_end;
	struct pg_reply		 reply;
	char			*sqlstate, *error, *constraint;
	TAILQ_ENTRY(pg_batch)	 entry;
};
TAILQ_HEAD(pg_batch_list, pg_batch);

struct pg_prepared {
	char		*sql;
	unsigned	 hash;
	int		 state;		/* 0 free, 1 sent or ready */
};

struct pg_conn {
	int			 index;
	PGconn			*conn;
	struct event		*ev;
	struct event		*retry;
	enum pg_conn_state	 state;
	int			 backoff_ms;
	int			 nflight;
	struct pg_batch_list	 flight;
	struct pg_prepared	 cache[PG_STMT_CACHE];
	int			 ncached;
};

static struct {
	struct event_base	*base;
	char			*conninfo;
	struct pg_conn		*conns;
	int			 nconns;
	int			 timeout_ms;
	int			 queue_limit;
	int			 queued;
	struct pg_batch_list	 pending;
	struct event		*janitor;
	struct event		*kick;
	int			 ever_ready;
	int			 down;		/* lost every connection */
} pg;

static void	pg_connect_start(struct pg_conn *);
static void	pg_conn_fail(struct pg_conn *, const char *);
static void	pg_dispatch(void);
static void	pg_io(evutil_socket_t, short, void *);

struct pg_batch *
pg_batch_new(void)
{
	return xcalloc(1, sizeof(struct pg_batch));
}

/* Add a statement with nparams text parameters (NULL for SQL NULL). */
void
pg_batch_addv(struct pg_batch *b, const char *sql, int nparams,
    const char *const *params)
{
	struct pg_stmt	*s;
	int		 i;

	if (b->n == b->cap) {
		b->cap = b->cap == 0 ? 4 : b->cap * 2;
		b->stmts = xrealloc(b->stmts, b->cap * sizeof *b->stmts);
	}
	s = &b->stmts[b->n++];
	s->sql = xstrdup(sql);
	s->nparams = nparams;
	s->params = xcalloc(nparams, sizeof *s->params);
	for (i = 0; i < nparams; i++)
		s->params[i] = params[i] == NULL ? NULL : xstrdup(params[i]);
}

static void
pg_batch_vadd(struct pg_batch *b, const char *sql, int nparams, va_list ap)
{
	const char	**params;
	int		  i;

	params = xcalloc(nparams, sizeof *params);
	for (i = 0; i < nparams; i++)
		params[i] = va_arg(ap, const char *);
	pg_batch_addv(b, sql, nparams, params);
	free(params);
}

void
pg_batch_add(struct pg_batch *b, const char *sql, int nparams, ...)
{
	va_list	ap;

	va_start(ap, nparams);
	pg_batch_vadd(b, sql, nparams, ap);
	va_end(ap);
}

void
pg_batch_on_commit(struct pg_batch *b, void (*fn)(void))
{
	b->on_commit = fn;
}

void
pg_batch_free(struct pg_batch *b)
{
	int	i, j;

	if (b == NULL)
		return;
	for (i = 0; b->stmts != NULL && i < b->n; i++) {
		for (j = 0; j < b->stmts[i].nparams; j++)
			wipe_free(b->stmts[i].params[j]);
		free(b->stmts[i].params);
		free(b->stmts[i].sql);
	}
	if (b->reply.res != NULL)
		for (i = 0; i < b->n; i++)
			PQclear(b->reply.res[i]);
	free(b->reply.res);
	free(b->stmts);
	free(b->sqlstate);
	free(b->error);
	free(b->constraint);
	free(b);
}

static void
pg_batch_record_error(struct pg_batch *b, const char *state, const char *msg,
    const char *constraint)
{
	if (b->sqlstate != NULL)
		return;
	b->sqlstate = xstrdup(state != NULL ? state : "XX000");
	b->error = xstrdup(msg != NULL ? msg : "unknown error");
	if (constraint != NULL)
		b->constraint = xstrdup(constraint);
}

/* Run the callback (unless already answered) and free the batch. */
static void
pg_batch_finish(struct pg_batch *b)
{
	if (!b->timed_out && b->cb != NULL) {
		b->reply.ok = b->sqlstate == NULL;
		b->reply.sqlstate = b->sqlstate;
		b->reply.error = b->error;
		b->reply.constraint = b->constraint;
		b->reply.nres = b->n;
		b->cb(&b->reply, b->arg);
	}
	if (b->sqlstate == NULL && b->on_commit != NULL)
		b->on_commit();
	pg_batch_free(b);
}

static void
pg_batch_fail(struct pg_batch *b, const char *state, const char *msg)
{
	pg_batch_record_error(b, state, msg, NULL);
	pg_batch_finish(b);
}

static void
pg_deferred_fail(evutil_socket_t fd, short what, void *arg)
{
	pg_batch_finish(arg);
}

/* Fail a batch from the loop, never from inside the caller. */
static void
pg_fail_later(struct pg_batch *b, const char *state, const char *msg)
{
	struct timeval	zero = { 0, 0 };

	pg_batch_record_error(b, state, msg, NULL);
	if (event_base_once(pg.base, -1, EV_TIMEOUT, pg_deferred_fail, b,
	    &zero) != 0)
		fatalx("event_base_once");
}

static unsigned
pg_hash(const char *s)
{
	unsigned	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * Find the prepared-statement slot of sql on c, preparing it in a
 * segment of its own when new. Returns the slot, or -1 to send the
 * statement unprepared (cache full or prepare refused).
 */
static int
pg_prepare(struct pg_conn *c, const char *sql, int nparams)
{
	struct pg_batch	*p;
	unsigned	 h = pg_hash(sql), i, slot;
	char		 name[16];

	for (i = 0; i < PG_STMT_CACHE; i++) {
		slot = (h + i) % PG_STMT_CACHE;
		if (c->cache[slot].state == 0)
			break;
		if (c->cache[slot].hash == h &&
		    strcmp(c->cache[slot].sql, sql) == 0)
			return (int)slot;
	}
	if (i == PG_STMT_CACHE || c->ncached >= PG_STMT_CACHE / 2)
		return -1;
	snprintf(name, sizeof name, "s%u", slot);
	if (!PQsendPrepare(c->conn, name, sql, nparams, NULL) ||
	    !PQpipelineSync(c->conn))
		return -1;
	c->cache[slot].sql = xstrdup(sql);
	c->cache[slot].hash = h;
	c->cache[slot].state = 1;
	c->ncached++;
	p = pg_batch_new();
	p->prepare_only = 1;
	p->prepare_slot = slot;
	p->n = 1;
	p->deadline_ms = now_ms() + pg.timeout_ms;
	TAILQ_INSERT_TAIL(&c->flight, p, entry);
	return (int)slot;
}

/* A prepare segment failed: forget the statement on this connection. */
static void
pg_unprepare(struct pg_conn *c, unsigned slot)
{
	log_warn("pg: prepare failed on connection %d", c->index);
	free(c->cache[slot].sql);
	c->cache[slot].sql = NULL;
	c->cache[slot].state = 0;
	c->ncached--;
}

static void
pg_cache_clear(struct pg_conn *c)
{
	unsigned	i;

	for (i = 0; i < PG_STMT_CACHE; i++) {
		free(c->cache[i].sql);
		c->cache[i].sql = NULL;
		c->cache[i].state = 0;
	}
	c->ncached = 0;
}

static int
pg_send_stmt(struct pg_conn *c, struct pg_stmt *s)
{
	const char *const	*params = (const char *const *)s->params;
	char			 name[16];
	int			 slot;

	if ((slot = pg_prepare(c, s->sql, s->nparams)) >= 0) {
		snprintf(name, sizeof name, "s%d", slot);
		return PQsendQueryPrepared(c->conn, name, s->nparams, params,
		    NULL, NULL, 0);
	}
	return PQsendQueryParams(c->conn, s->sql, s->nparams, NULL, params,
	    NULL, NULL, 0);
}

static void
pg_want_write(struct pg_conn *c, int want)
{
	event_del(c->ev);
	event_assign(c->ev, pg.base, PQsocket(c->conn),
	    EV_READ | EV_PERSIST | (want ? EV_WRITE : 0), pg_io, c);
	event_add(c->ev, NULL);
}

/* Send a batch on a ready connection; -1 if the connection broke. */
static int
pg_send(struct pg_conn *c, struct pg_batch *b)
{
	int	i, r;

	b->reply.res = xcalloc(b->n, sizeof *b->reply.res);
	/*
	 * Prepare segments end with a sync of their own, so every new
	 * statement is prepared before the batch's first statement goes
	 * out: a sync in the middle would split the batch in two
	 * transactions and shift its results.
	 */
	for (i = 0; i < b->n; i++)
		(void)pg_prepare(c, b->stmts[i].sql, b->stmts[i].nparams);
	for (i = 0; i < b->n; i++)
		if (!pg_send_stmt(c, &b->stmts[i]))
			break;
	/* Queued even on failure, so that pg_conn_fail() answers it. */
	TAILQ_INSERT_TAIL(&c->flight, b, entry);
	c->nflight++;
	if (i < b->n || !PQpipelineSync(c->conn))
		return -1;
	if ((r = PQflush(c->conn)) == -1)
		return -1;
	pg_want_write(c, r == 1);
	return 0;
}

static struct pg_conn *
pg_pick(void)
{
	struct pg_conn	*best = NULL;
	int		 i;

	for (i = 0; i < pg.nconns; i++) {
		struct pg_conn	*c = &pg.conns[i];

		if (c->state != PGC_READY || c->nflight >= PG_MAX_DEPTH)
			continue;
		if (best == NULL || c->nflight < best->nflight)
			best = c;
	}
	return best;
}

/* Move queued batches onto connections with room. */
static void
pg_dispatch(void)
{
	struct pg_batch	*b;
	struct pg_conn	*c;

	while ((b = TAILQ_FIRST(&pg.pending)) != NULL &&
	    (c = pg_pick()) != NULL) {
		TAILQ_REMOVE(&pg.pending, b, entry);
		pg.queued--;
		if (pg_send(c, b) != 0) {
			/* the batch is in flight; pg_conn_fail answers it */
			pg_conn_fail(c, PQerrorMessage(c->conn));
		}
	}
}

void
pg_submit(struct pg_batch *b, pg_cb cb, void *arg)
{
	b->cb = cb;
	b->arg = arg;
	b->deadline_ms = now_ms() + pg.timeout_ms;
	if (b->n == 0)
		fatalx("pg_submit: empty batch");
	if (pg.down) {
		pg_fail_later(b, PG_STATE_UNAVAILABLE, "database unavailable");
		return;
	}
	if (pg.queued >= pg.queue_limit) {
		pg_fail_later(b, PG_STATE_OVERLOADED, "database queue full");
		return;
	}
	TAILQ_INSERT_TAIL(&pg.pending, b, entry);
	pg.queued++;
	event_active(pg.kick, EV_TIMEOUT, 0);
}

/* Dispatch from the loop, never from inside a caller's callback chain. */
static void
pg_kick(evutil_socket_t fd, short what, void *arg)
{
	pg_dispatch();
}

void
pg_query(pg_cb cb, void *arg, const char *sql, int nparams, ...)
{
	struct pg_batch	*b = pg_batch_new();
	va_list		 ap;

	va_start(ap, nparams);
	pg_batch_vadd(b, sql, nparams, ap);
	va_end(ap);
	pg_submit(b, cb, arg);
}

/* One result of the head batch of c. */
static void
pg_take_result(struct pg_conn *c, struct pg_batch *b, PGresult *r)
{
	ExecStatusType	st = PQresultStatus(r);

	if (st == PGRES_PIPELINE_SYNC) {
		PQclear(r);
		TAILQ_REMOVE(&c->flight, b, entry);
		if (b->prepare_only) {
			if (b->sqlstate != NULL)
				pg_unprepare(c, b->prepare_slot);
			pg_batch_free(b);
			return;
		}
		c->nflight--;
		pg_batch_finish(b);
		return;
	}
	b->awaiting_end = 1;
	if (st == PGRES_FATAL_ERROR)
		pg_batch_record_error(b,
		    PQresultErrorField(r, PG_DIAG_SQLSTATE),
		    PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY),
		    PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME));
	else if (st == PGRES_PIPELINE_ABORTED)
		pg_batch_record_error(b, "25P02", "pipeline aborted", NULL);
	if (b->prepare_only || b->cur >= b->n ||
	    b->reply.res[b->cur] != NULL) {
		PQclear(r);
		return;
	}
	b->reply.res[b->cur] = r;
}

/* Read every result that is complete; -1 if the connection broke. */
static int
pg_read(struct pg_conn *c)
{
	struct pg_batch	*b;
	PGresult	*r;

	if (!PQconsumeInput(c->conn))
		return -1;
	while ((b = TAILQ_FIRST(&c->flight)) != NULL && !PQisBusy(c->conn)) {
		if ((r = PQgetResult(c->conn)) == NULL) {
			if (!b->awaiting_end)
				break;
			b->awaiting_end = 0;
			b->cur++;
			continue;
		}
		pg_take_result(c, b, r);
	}
	return PQstatus(c->conn) == CONNECTION_BAD ? -1 : 0;
}

static void
pg_io(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn	*c = arg;
	int		 r;

	if (what & EV_WRITE) {
		if ((r = PQflush(c->conn)) == -1) {
			pg_conn_fail(c, PQerrorMessage(c->conn));
			return;
		}
		if (r == 0)
			pg_want_write(c, 0);
	}
	if ((what & EV_READ) && pg_read(c) != 0) {
		pg_conn_fail(c, PQerrorMessage(c->conn));
		return;
	}
	pg_dispatch();
}

static void
pg_became_ready(struct pg_conn *c)
{
	if (PQsetnonblocking(c->conn, 1) != 0 ||
	    !PQenterPipelineMode(c->conn)) {
		pg_conn_fail(c, "cannot enter pipeline mode");
		return;
	}
	c->state = PGC_READY;
	c->backoff_ms = PG_BACKOFF_MIN_MS;
	if (pg.down)
		log_info("pg: database reachable again");
	pg.down = 0;
	pg.ever_ready = 1;
	pg_want_write(c, 0);
	pg_dispatch();
}

static void
pg_connect_poll(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn	*c = arg;
	short		 ev;

	switch (PQconnectPoll(c->conn)) {
	case PGRES_POLLING_OK:
		pg_became_ready(c);
		return;
	case PGRES_POLLING_FAILED:
		pg_conn_fail(c, PQerrorMessage(c->conn));
		return;
	case PGRES_POLLING_READING:
		ev = EV_READ;
		break;
	default:
		ev = EV_WRITE;
		break;
	}
	/* The socket may change while libpq tries several addresses. */
	event_del(c->ev);
	event_assign(c->ev, pg.base, PQsocket(c->conn), ev, pg_connect_poll,
	    c);
	event_add(c->ev, NULL);
}

static void
pg_retry(evutil_socket_t fd, short what, void *arg)
{
	pg_connect_start(arg);
}

static void
pg_connect_start(struct pg_conn *c)
{
	c->state = PGC_CONNECTING;
	c->conn = PQconnectStart(pg.conninfo);
	if (c->conn == NULL || PQstatus(c->conn) == CONNECTION_BAD) {
		pg_conn_fail(c, c->conn != NULL ? PQerrorMessage(c->conn) :
		    "out of memory");
		return;
	}
	event_assign(c->ev, pg.base, PQsocket(c->conn), EV_WRITE,
	    pg_connect_poll, c);
	event_add(c->ev, NULL);
}

static int
pg_any_ready(void)
{
	int	i;

	for (i = 0; i < pg.nconns; i++)
		if (pg.conns[i].state == PGC_READY)
			return 1;
	return 0;
}

/* Fail everything in flight on c, close it and schedule a reconnect. */
static void
pg_conn_fail(struct pg_conn *c, const char *why)
{
	struct pg_batch	*b;
	struct timeval	 tv;
	char		*e = log_escape(why, strcspn(why, "\n"));

	if (c->state == PGC_READY || !pg.down)
		log_warn("pg: connection %d: %s", c->index, e);
	free(e);
	event_del(c->ev);
	while ((b = TAILQ_FIRST(&c->flight)) != NULL) {
		TAILQ_REMOVE(&c->flight, b, entry);
		if (b->prepare_only)
			pg_batch_free(b);
		else
			pg_batch_fail(b, PG_STATE_UNAVAILABLE,
			    "database connection lost");
	}
	c->nflight = 0;
	pg_cache_clear(c);
	if (c->conn != NULL)
		PQfinish(c->conn);
	c->conn = NULL;
	c->state = PGC_DOWN;
	if (pg.ever_ready && !pg_any_ready())
		pg.down = 1;
	tv.tv_sec = c->backoff_ms / 1000;
	tv.tv_usec = (c->backoff_ms % 1000) * 1000;
	c->backoff_ms = c->backoff_ms * 2 > PG_BACKOFF_MAX_MS ?
	    PG_BACKOFF_MAX_MS : c->backoff_ms * 2;
	evtimer_add(c->retry, &tv);
}

/* Time out queued batches and reset connections that stopped answering. */
static void
pg_janitor(evutil_socket_t fd, short what, void *arg)
{
	struct pg_batch	*b, *next;
	int64_t		 now = now_ms();
	int		 i;

	for (b = TAILQ_FIRST(&pg.pending); b != NULL; b = next) {
		next = TAILQ_NEXT(b, entry);
		if (now < b->deadline_ms && !pg.down)
			continue;
		TAILQ_REMOVE(&pg.pending, b, entry);
		pg.queued--;
		pg_batch_fail(b, pg.down ? PG_STATE_UNAVAILABLE :
		    PG_STATE_TIMEOUT, "database query timed out");
	}
	for (i = 0; i < pg.nconns; i++) {
		struct pg_conn	*c = &pg.conns[i];

		TAILQ_FOREACH(b, &c->flight, entry) {
			if (b->prepare_only || b->timed_out ||
			    now < b->deadline_ms)
				continue;
			b->timed_out = 1;
			b->cb(&(struct pg_reply){ .ok = 0,
			    .sqlstate = PG_STATE_TIMEOUT,
			    .error = "database query timed out" }, b->arg);
		}
		b = TAILQ_FIRST(&c->flight);
		if (b != NULL && now > b->deadline_ms + 2 * pg.timeout_ms)
			pg_conn_fail(c, "no answer from the database");
	}
}

int
pg_init(struct event_base *base, const char *conninfo, int nconns,
    int timeout_s, int queue_limit)
{
	struct timeval	tv = { 0, PG_JANITOR_MS * 1000 };
	int		i;

	memset(&pg, 0, sizeof pg);
	pg.base = base;
	pg.conninfo = xstrdup(conninfo);
	pg.nconns = nconns;
	pg.timeout_ms = timeout_s * 1000;
	pg.queue_limit = queue_limit;
	TAILQ_INIT(&pg.pending);
	pg.conns = xcalloc(nconns, sizeof *pg.conns);
	for (i = 0; i < nconns; i++) {
		struct pg_conn	*c = &pg.conns[i];

		c->index = i;
		c->backoff_ms = PG_BACKOFF_MIN_MS;
		TAILQ_INIT(&c->flight);
		c->ev = event_new(base, -1, 0, NULL, NULL);
		c->retry = evtimer_new(base, pg_retry, c);
		pg_connect_start(c);
	}
	pg.janitor = event_new(base, -1, EV_PERSIST, pg_janitor, NULL);
	event_add(pg.janitor, &tv);
	pg.kick = event_new(base, -1, 0, pg_kick, NULL);
	return 0;
}

/* Is at least one connection ready (for /health)? */
int
pg_ready(void)
{
	return pg_any_ready();
}

void
pg_shutdown(void)
{
	struct pg_batch	*b;
	int		 i;

	if (pg.conns == NULL)
		return;
	while ((b = TAILQ_FIRST(&pg.pending)) != NULL) {
		TAILQ_REMOVE(&pg.pending, b, entry);
		pg_batch_fail(b, PG_STATE_UNAVAILABLE, "shutting down");
	}
	for (i = 0; i < pg.nconns; i++) {
		struct pg_conn	*c = &pg.conns[i];

		while ((b = TAILQ_FIRST(&c->flight)) != NULL) {
			TAILQ_REMOVE(&c->flight, b, entry);
			if (b->prepare_only)
				pg_batch_free(b);
			else
				pg_batch_fail(b, PG_STATE_UNAVAILABLE,
				    "shutting down");
		}
		pg_cache_clear(c);
		if (c->conn != NULL)
			PQfinish(c->conn);
		event_free(c->ev);
		event_free(c->retry);
	}
	event_free(pg.janitor);
	event_free(pg.kick);
	free(pg.conns);
	free(pg.conninfo);
	memset(&pg, 0, sizeof pg);
}

const char *
pg_val(const PGresult *r, int row, int col)
{
	if (r == NULL || row < 0 || row >= PQntuples(r) || col < 0 ||
	    col >= PQnfields(r) || PQgetisnull(r, row, col))
		return NULL;
	return PQgetvalue(r, row, col);
}

int
pg_rows(const PGresult *r)
{
	return r == NULL ? 0 : PQntuples(r);
}

/* The value of the named column in row 0 (most queries return one). */
const char *
pg_field(const PGresult *r, int row, const char *name)
{
	if (r == NULL)
		return NULL;
	return pg_val(r, row, PQfnumber(r, name));
}

PGconn *
pg_connect_blocking(const char *conninfo, char **cause)
{
	PGconn	*c = PQconnectdb(conninfo);

	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("database: %s", c != NULL ?
		    PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return NULL;
	}
	return c;
}

int
pg_exec_blocking(PGconn *c, const char *sql, int nparams,
    const char *const *params, PGresult **out, char **cause)
{
	PGresult	*r;
	ExecStatusType	 st;

	r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		*cause = xasprintf("database: %s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	if (out != NULL)
		*out = r;
	else
		PQclear(r);
	return 0;
}
