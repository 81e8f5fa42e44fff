/*
 * fetch_pool.c: a few threads for outbound fetches (see fetch_pool.h).
 *
 * The loop thread queues a job; a pool thread runs it (a blocking
 * libcurl transfer, at most FETCH_TIMEOUT_MS); the finished job goes
 * on a done list that one pre-created event drains on the loop thread,
 * calling each job's done(). At shutdown the transfers in progress
 * abort through fetch_pool_stopping(), and the jobs still queued or
 * finished get their done() on the loop thread, so that what they own
 * is freed.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "fed/fetch_pool.h"
#include "util.h"

struct fetch_pool_job {
	work_fn				 run;
	work_fn				 done;
	void				*arg;
	STAILQ_ENTRY(fetch_pool_job)	 entry;
};
STAILQ_HEAD(fetch_pool_list, fetch_pool_job);

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct fetch_pool_list	 todo;
	struct fetch_pool_list	 finished;
	int			 queued;
	int			 running;
	atomic_int		 stopping;
	int			 nthreads;
	pthread_t		 threads[FETCH_POOL_THREADS];
	struct event		*done_ev;
} fp = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void *
fetch_pool_main(void *unused)
{
	struct fetch_pool_job	*j;
	sigset_t		 all;

	/* Signals belong to the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&fp.lock);
	for (;;) {
		while (STAILQ_EMPTY(&fp.todo) && !atomic_load(&fp.stopping))
			pthread_cond_wait(&fp.cond, &fp.lock);
		if (atomic_load(&fp.stopping))
			break;
		j = STAILQ_FIRST(&fp.todo);
		STAILQ_REMOVE_HEAD(&fp.todo, entry);
		pthread_mutex_unlock(&fp.lock);
		j->run(j->arg);
		pthread_mutex_lock(&fp.lock);
		STAILQ_INSERT_TAIL(&fp.finished, j, entry);
		event_active(fp.done_ev, EV_READ, 0);
	}
	pthread_mutex_unlock(&fp.lock);
	return NULL;
}

/* Call done() of every job on the list (the loop thread). */
static void
fetch_pool_finish(struct fetch_pool_list *l)
{
	struct fetch_pool_job	*j;

	while ((j = STAILQ_FIRST(l)) != NULL) {
		STAILQ_REMOVE_HEAD(l, entry);
		pthread_mutex_lock(&fp.lock);
		fp.queued--;
		pthread_mutex_unlock(&fp.lock);
		j->done(j->arg);
		free(j);
	}
}

static void
fetch_pool_drain(evutil_socket_t fd, short what, void *unused)
{
	struct fetch_pool_list	done;

	STAILQ_INIT(&done);
	pthread_mutex_lock(&fp.lock);
	STAILQ_CONCAT(&done, &fp.finished);
	pthread_mutex_unlock(&fp.lock);
	fetch_pool_finish(&done);
}

int
fetch_pool_init(struct event_base *base)
{
	STAILQ_INIT(&fp.todo);
	STAILQ_INIT(&fp.finished);
	atomic_store(&fp.stopping, 0);
	if ((fp.done_ev = event_new(base, -1, 0, fetch_pool_drain,
	    NULL)) == NULL)
		return -1;
	for (fp.nthreads = 0; fp.nthreads < FETCH_POOL_THREADS; fp.nthreads++)
		if (pthread_create(&fp.threads[fp.nthreads], NULL,
		    fetch_pool_main, NULL) != 0)
			return -1;
	fp.running = 1;
	return 0;
}

int
fetch_pool_submit(work_fn run, work_fn done, void *arg)
{
	struct fetch_pool_job	*j;

	pthread_mutex_lock(&fp.lock);
	if (!fp.running || fp.queued >= FETCH_POOL_QUEUE ||
	    atomic_load(&fp.stopping)) {
		pthread_mutex_unlock(&fp.lock);
		return -1;
	}
	j = xcalloc(1, sizeof *j);
	j->run = run;
	j->done = done;
	j->arg = arg;
	STAILQ_INSERT_TAIL(&fp.todo, j, entry);
	fp.queued++;
	pthread_cond_signal(&fp.cond);
	pthread_mutex_unlock(&fp.lock);
	return 0;
}

int
fetch_pool_stopping(void)
{
	return atomic_load(&fp.stopping);
}

void
fetch_pool_shutdown(void)
{
	int	i;

	if (fp.done_ev == NULL)
		return;
	pthread_mutex_lock(&fp.lock);
	atomic_store(&fp.stopping, 1);
	pthread_cond_broadcast(&fp.cond);
	pthread_mutex_unlock(&fp.lock);
	for (i = 0; i < fp.nthreads; i++)
		pthread_join(fp.threads[i], NULL);
	fp.nthreads = 0;
	fp.running = 0;
	STAILQ_CONCAT(&fp.finished, &fp.todo);
	fetch_pool_finish(&fp.finished);
	event_free(fp.done_ev);
	fp.done_ev = NULL;
}
