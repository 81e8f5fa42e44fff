/*
 * notify.c: the delivery of queued messages, in every worker process.
 *
 * Rows of the messages table are claimed a few at a time by one UPDATE
 * with FOR UPDATE SKIP LOCKED, which sets a lease (claimed_until) and
 * counts the attempt, so two workers, or two daemons on one database,
 * never claim the same row while its lease runs. A timer (about every
 * two seconds, with jitter so workers do not claim in step) and
 * notify_kick() start a claim; only one claim per process is in flight.
 *
 * Sending blocks (SMTP can take seconds), so one delivery thread per
 * process does it: the loop hands it jobs through a bounded list, and
 * finished jobs come back through one event, as in crypto/workers.c.
 * The thread never touches libevent objects other than that event, nor
 * the database, nor the log; the loop records each outcome: a delivered
 * row is deleted, a failed one rescheduled with exponential back-off.
 *
 * Lease and timeouts fit together: a job whose lease has less time left
 * than one send can take plus a margin is not sent but released, so a
 * message is not sent while another worker may already hold it. A
 * process that stops with claimed rows leaves them to expire, and a
 * message sent but not yet recorded may be sent again: delivery is at
 * least once, never lost.
 *
 * A body holds a code or a temporary password: it is wiped as soon as
 * it has been sent and never logged; log lines show the message id and
 * the masked recipient. The statements are db/messages.c's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "conf.h"
#include "db/messages.h"
#include "db/pg.h"
#include "log.h"
#include "notify/messages.h"
#include "notify/notify.h"
#include "notify/sms.h"
#include "notify/smtp.h"
#include "util.h"

#define NOTIFY_TICK_MS		2000	/* look for due rows this often */
#define NOTIFY_JITTER_MS	500	/* plus or minus */
#define NOTIFY_LEASE_S		60	/* a claim holds a row this long */
#define NOTIFY_CLAIM_MAX	16	/* rows per claim */
#define NOTIFY_QUEUE_MAX	32	/* jobs claimed and not yet recorded */
#define NOTIFY_SEND_MAX_MS	(SMTP_TIMEOUT_MS > SMS_TIMEOUT_MS ? \
				SMTP_TIMEOUT_MS : SMS_TIMEOUT_MS)
#define NOTIFY_MARGIN_MS	10000	/* clock skew and recording time */
#define NOTIFY_BACKOFF_S	30	/* first retry; doubles each time */
#define NOTIFY_BACKOFF_MAX_S	3600
#define NOTIFY_MAX_ATTEMPTS	128	/* about five days at the cap */
#define NOTIFY_ERROR_MAX	500	/* bytes of last_error kept */

enum notify_status {
	NOTIFY_PENDING,
	NOTIFY_SENT,
	NOTIFY_FAILED,
	NOTIFY_SKIPPED,		/* lease too short: released unsent */
};

struct notify_job {
	char			*id;
	char			*pool_id;
	char			*medium;
	char			*recipient;
	char			*subject;
	char			*body;
	char			*claimed_until;
	int			 attempts;
	int64_t			 deadline_ms;	/* local end of the lease */
	enum notify_status	 status;
	char			*error;
	STAILQ_ENTRY(notify_job) entry;
};
STAILQ_HEAD(notify_list, notify_job);

static struct {
	/* loop thread only */
	struct event_base	*base;
	struct event		*timer, *kick, *done_ev;
	int			 running;
	int			 inflight;	/* claimed, not yet recorded */
	int			 claiming;	/* a claim query is out */
	int			 again;		/* claim again afterwards */
	unsigned		 seed;
	char			*outbox;
	int			 thread_started;
	pthread_t		 thread;
	/* shared with the delivery thread, under lock */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct notify_list	 todo, finished;
	int			 stopping;
	atomic_int		 stop;		/* aborts a transfer */
} n = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

void
notify_queue(struct pg_batch *b, const char *pool_id, const char *medium,
    const char *recipient, const char *subject, const char *body)
{
	db_messages_insert(b, pool_id, medium, recipient,
	    subject == NULL ? "" : subject, body);
	pg_batch_on_commit(b, notify_kick);
}

static void
notify_job_free(struct notify_job *j)
{
	free(j->id);
	free(j->pool_id);
	free(j->medium);
	free(j->recipient);
	free(j->subject);
	wipe_free(j->body);
	free(j->claimed_until);
	free(j->error);
	free(j);
}

/* A line break would let a value forge the outbox file's headers. */
static int
notify_outbox_write(const char *dir, const struct notify_job *j,
    char **cause)
{
	char	*path, *tmp, *text;
	size_t	 len, off = 0;
	ssize_t	 w;
	int	 fd, rv = -1;

	if (strpbrk(j->recipient, "\r\n") != NULL ||
	    strpbrk(j->subject, "\r\n") != NULL) {
		*cause = xstrdup("outbox: line break in recipient or subject");
		return -1;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		*cause = xasprintf("outbox: %s: %s", dir, strerror(errno));
		return -1;
	}
	path = xasprintf("%s/%013lld-%012lld.msg", dir, (long long)now_ms(),
	    strtoll(j->id, NULL, 10));
	tmp = xasprintf("%s.tmp", path);
	text = xasprintf("To: %s\nSubject: %s\nMedium: %s\n\n%s",
	    j->recipient, j->subject, j->medium, j->body);
	len = strlen(text);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		*cause = xasprintf("outbox: %s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len && ((w = write(fd, text + off, len - off)) > 0 ||
	    (w == -1 && errno == EINTR)))
		off += w > 0 ? (size_t)w : 0;
	if (close(fd) != 0 || off != len || rename(tmp, path) != 0) {
		*cause = xasprintf("outbox: %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rv = 0;
out:
	wipe_free(text);
	free(tmp);
	free(path);
	return rv;
}

/* On the delivery thread: send one message by the configured way. */
static void
notify_deliver(struct notify_job *j)
{
	int	rv;

	if (j->deadline_ms - now_ms() < NOTIFY_SEND_MAX_MS + NOTIFY_MARGIN_MS) {
		j->status = NOTIFY_SKIPPED;
		return;
	}
	if (strcmp(j->medium, "EMAIL") == 0 && *conf->smtp_url != '\0')
		rv = smtp_send(j->recipient, j->subject, j->body, &n.stop,
		    &j->error);
	else if (strcmp(j->medium, "SMS") == 0 &&
	    *conf->sms_webhook_url != '\0')
		rv = sms_send(j->recipient, j->body, j->pool_id, &n.stop,
		    &j->error);
	else
		rv = notify_outbox_write(n.outbox, j, &j->error);
	j->status = rv == 0 ? NOTIFY_SENT : NOTIFY_FAILED;
	wipe_free(j->body);
	j->body = NULL;
}

static void *
notify_thread(void *unused)
{
	struct notify_job	*j;
	sigset_t		 all;

	/* Signals belong to the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&n.lock);
	for (;;) {
		while (STAILQ_EMPTY(&n.todo) && !n.stopping)
			pthread_cond_wait(&n.cond, &n.lock);
		if (n.stopping)
			break;
		j = STAILQ_FIRST(&n.todo);
		STAILQ_REMOVE_HEAD(&n.todo, entry);
		pthread_mutex_unlock(&n.lock);
		notify_deliver(j);
		pthread_mutex_lock(&n.lock);
		STAILQ_INSERT_TAIL(&n.finished, j, entry);
		event_active(n.done_ev, EV_READ, 0);
	}
	pthread_mutex_unlock(&n.lock);
	return NULL;
}

static void
notify_recorded(struct pg_reply *r, void *arg)
{
	if (!r->ok)
		log_warn("messages: cannot record a delivery: %s", r->error);
}

/* Submit the batch b recording an outcome. */
static void
notify_submit_record(struct pg_batch *b)
{
	pg_submit(b, notify_recorded, NULL);
}

/* Seconds until the next attempt after a failed one. */
static long
notify_backoff(int attempts)
{
	long	s = NOTIFY_BACKOFF_S;

	while (--attempts > 0 && s < NOTIFY_BACKOFF_MAX_S)
		s *= 2;
	return s < NOTIFY_BACKOFF_MAX_S ? s : NOTIFY_BACKOFF_MAX_S;
}

static void
notify_record_failure(struct notify_job *j, const char *who)
{
	struct pg_batch	*b;
	char		*err, delay[32];
	long		 s = notify_backoff(j->attempts);

	err = log_escape(j->error, strlen(j->error));
	if (j->attempts >= NOTIFY_MAX_ATTEMPTS) {
		log_error("message %s (%s to %s) failed %d times, dropped: %s",
		    j->id, j->medium, who, j->attempts, err);
		b = pg_batch_new();
		db_messages_delete(b, j->id);
		notify_submit_record(b);
	} else {
		log_warn("message %s (%s to %s) attempt %d failed, retry in "
		    "%ld s: %s", j->id, j->medium, who, j->attempts, s, err);
		if (strlen(j->error) > NOTIFY_ERROR_MAX)
			j->error[NOTIFY_ERROR_MAX] = '\0';
		snprintf(delay, sizeof delay, "%ld", s);
		b = pg_batch_new();
		db_messages_retry(b, j->id, j->error, delay, j->claimed_until);
		notify_submit_record(b);
	}
	free(err);
}

/* On the loop: the outcome of one job goes to the database. */
static void
notify_record(struct notify_job *j)
{
	struct pg_batch	*b;
	char		*masked = messages_mask(j->medium, j->recipient), *who;

	who = log_escape(masked, strlen(masked));
	free(masked);
	switch (j->status) {
	case NOTIFY_SENT:
		log_info("message %s (%s to %s) delivered", j->id, j->medium,
		    who);
		b = pg_batch_new();
		db_messages_delete(b, j->id);
		notify_submit_record(b);
		break;
	case NOTIFY_FAILED:
		if (j->error == NULL)
			j->error = xstrdup("unknown error");
		notify_record_failure(j, who);
		break;
	case NOTIFY_SKIPPED:
	case NOTIFY_PENDING:
		log_debug("message %s: lease too short, released", j->id);
		b = pg_batch_new();
		db_messages_release(b, j->id, j->claimed_until);
		notify_submit_record(b);
		break;
	}
	free(who);
}

static void
notify_done(evutil_socket_t fd, short what, void *unused)
{
	struct notify_list	 done;
	struct notify_job	*j;

	STAILQ_INIT(&done);
	pthread_mutex_lock(&n.lock);
	STAILQ_CONCAT(&done, &n.finished);
	pthread_mutex_unlock(&n.lock);
	while ((j = STAILQ_FIRST(&done)) != NULL) {
		STAILQ_REMOVE_HEAD(&done, entry);
		n.inflight--;
		if (n.running)
			notify_record(j);
		notify_job_free(j);
	}
	if (n.running && n.again)
		event_active(n.kick, EV_TIMEOUT, 0);
}

static struct notify_job *
notify_job_new(const PGresult *res, int row)
{
	struct notify_job	*j = xcalloc(1, sizeof *j);
	const char		*v;

	j->id = xstrdup(pg_val(res, row, DB_MESSAGES_ID));
	j->pool_id = xstrdup(pg_val(res, row, DB_MESSAGES_POOL));
	j->medium = xstrdup(pg_val(res, row, DB_MESSAGES_MEDIUM));
	j->recipient = xstrdup(pg_val(res, row, DB_MESSAGES_RECIPIENT));
	j->subject = xstrdup((v = pg_val(res, row, DB_MESSAGES_SUBJECT)) !=
	    NULL ? v : "");
	j->body = xstrdup(pg_val(res, row, DB_MESSAGES_BODY));
	j->attempts = atoi(pg_val(res, row, DB_MESSAGES_ATTEMPTS));
	j->claimed_until = xstrdup(pg_val(res, row, DB_MESSAGES_CLAIMED));
	j->deadline_ms = now_ms() + NOTIFY_LEASE_S * 1000;
	return j;
}

static void
notify_claimed(struct pg_reply *r, void *arg)
{
	struct notify_job	*j;
	int			 i, rows, limit = (int)(intptr_t)arg;

	n.claiming = 0;
	if (!n.running)
		return;		/* leases expire; another worker sends */
	if (!r->ok) {
		log_debug("messages: claim failed: %s", r->error);
		return;
	}
	rows = pg_rows(r->res[0]);
	pthread_mutex_lock(&n.lock);
	for (i = 0; i < rows; i++) {
		j = notify_job_new(r->res[0], i);
		STAILQ_INSERT_TAIL(&n.todo, j, entry);
		n.inflight++;
	}
	pthread_cond_signal(&n.cond);
	pthread_mutex_unlock(&n.lock);
	if (rows == limit)
		n.again = 1;	/* there may be more */
	if (n.again && n.inflight < NOTIFY_QUEUE_MAX)
		event_active(n.kick, EV_TIMEOUT, 0);
}

/* Claim due rows, unless a claim is out or the queue is full. */
static void
notify_claim(void)
{
	struct pg_batch	*b;
	char		 limit[16], lease[16];
	int		 room = NOTIFY_QUEUE_MAX - n.inflight;

	if (!n.running)
		return;
	if (n.claiming || room <= 0) {
		n.again = 1;
		return;
	}
	if (room > NOTIFY_CLAIM_MAX)
		room = NOTIFY_CLAIM_MAX;
	n.claiming = 1;
	n.again = 0;
	snprintf(limit, sizeof limit, "%d", room);
	snprintf(lease, sizeof lease, "%d", NOTIFY_LEASE_S);
	b = pg_batch_new();
	db_messages_claim(b, limit, lease);
	pg_submit(b, notify_claimed, (void *)(intptr_t)room);
}

static void
notify_on_kick(evutil_socket_t fd, short what, void *unused)
{
	notify_claim();
}

static void
notify_arm_timer(void)
{
	struct timeval	tv;
	int		ms;

	ms = NOTIFY_TICK_MS - NOTIFY_JITTER_MS +
	    rand_r(&n.seed) % (2 * NOTIFY_JITTER_MS + 1);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(n.timer, &tv);
}

static void
notify_on_timer(evutil_socket_t fd, short what, void *unused)
{
	notify_claim();
	notify_arm_timer();
}

void
notify_kick(void)
{
	if (n.base != NULL && n.running)
		event_active(n.kick, EV_TIMEOUT, 0);
}

int
notify_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int
notify_init(struct event_base *base)
{
	n.base = base;
	n.seed = (unsigned)getpid() ^ (unsigned)now_ms();
	n.outbox = conf_path(conf, "outbox");
	STAILQ_INIT(&n.todo);
	STAILQ_INIT(&n.finished);
	n.stopping = 0;
	atomic_store(&n.stop, 0);
	n.timer = evtimer_new(base, notify_on_timer, NULL);
	n.kick = event_new(base, -1, 0, notify_on_kick, NULL);
	n.done_ev = event_new(base, -1, 0, notify_done, NULL);
	if (n.timer == NULL || n.kick == NULL || n.done_ev == NULL)
		return -1;
	if (pthread_create(&n.thread, NULL, notify_thread, NULL) != 0)
		return -1;
	n.thread_started = 1;
	n.running = 1;
	notify_arm_timer();
	notify_kick();
	return 0;
}

static void
notify_free_list(struct notify_list *l)
{
	struct notify_job	*j;

	while ((j = STAILQ_FIRST(l)) != NULL) {
		STAILQ_REMOVE_HEAD(l, entry);
		notify_job_free(j);
	}
}

/*
 * Stop the thread (a transfer in progress is abandoned); claimed rows
 * not yet recorded stay claimed until their lease ends.
 */
void
notify_shutdown(void)
{
	if (n.base == NULL)
		return;
	n.running = 0;
	atomic_store(&n.stop, 1);
	if (n.thread_started) {
		pthread_mutex_lock(&n.lock);
		n.stopping = 1;
		pthread_cond_broadcast(&n.cond);
		pthread_mutex_unlock(&n.lock);
		pthread_join(n.thread, NULL);
		n.thread_started = 0;
	}
	notify_free_list(&n.todo);
	notify_free_list(&n.finished);
	if (n.timer != NULL)
		event_free(n.timer);
	if (n.kick != NULL)
		event_free(n.kick);
	if (n.done_ev != NULL)
		event_free(n.done_ev);
	n.timer = n.kick = n.done_ev = NULL;
	free(n.outbox);
	n.outbox = NULL;
	n.base = NULL;
	n.inflight = 0;
	curl_global_cleanup();
}
