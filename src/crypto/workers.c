/*
 * workers.c: a fixed pool of threads for CPU-heavy jobs.
 *
 * The loop thread queues a job (bounded: a full queue refuses it and the
 * caller answers 503); a pool thread runs it; finished jobs go on a
 * done list and one pre-created event, activated from the pool thread,
 * drains that list on the loop thread and calls each job's done(). Jobs
 * never touch libevent or request objects from a pool thread.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "crypto/workers.h"
#include "log.h"
#include "util.h"

#define WORKERS_NICE	5	/* crypto threads yield to the event loop */

struct job {
	work_fn			 run;
	work_fn			 done;
	void			*arg;
	STAILQ_ENTRY(job)	 entry;
};
STAILQ_HEAD(job_list, job);

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct job_list	 todo;
	struct job_list	 finished;
	int		 queued;
	int		 limit;
	int		 stopping;
	int		 nthreads;
	pthread_t	*threads;
	struct event	*done_ev;
} wp = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void *
workers_main(void *unused)
{
	struct job	*j;

	/*
	 * Below the event loop: a burst of hashing must not delay cheap
	 * requests (Linux takes a thread id for a per-thread nice value).
	 */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
	    WORKERS_NICE) != 0)
		log_debug("workers: setpriority: %s", strerror(errno));
	pthread_mutex_lock(&wp.lock);
	for (;;) {
		while (STAILQ_EMPTY(&wp.todo) && !wp.stopping)
			pthread_cond_wait(&wp.cond, &wp.lock);
		if (wp.stopping)
			break;
		j = STAILQ_FIRST(&wp.todo);
		STAILQ_REMOVE_HEAD(&wp.todo, entry);
		pthread_mutex_unlock(&wp.lock);
		j->run(j->arg);
		pthread_mutex_lock(&wp.lock);
		STAILQ_INSERT_TAIL(&wp.finished, j, entry);
		event_active(wp.done_ev, EV_READ, 0);
	}
	pthread_mutex_unlock(&wp.lock);
	return NULL;
}

/* On the loop: call done() of every finished job. */
static void
workers_drain(evutil_socket_t fd, short what, void *unused)
{
	struct job_list	 done;
	struct job	*j;

	STAILQ_INIT(&done);
	pthread_mutex_lock(&wp.lock);
	STAILQ_CONCAT(&done, &wp.finished);
	pthread_mutex_unlock(&wp.lock);
	while ((j = STAILQ_FIRST(&done)) != NULL) {
		STAILQ_REMOVE_HEAD(&done, entry);
		pthread_mutex_lock(&wp.lock);
		wp.queued--;
		pthread_mutex_unlock(&wp.lock);
		j->done(j->arg);
		free(j);
	}
}

int
workers_init(struct event_base *base, int nthreads, int limit)
{
	int	i;

	STAILQ_INIT(&wp.todo);
	STAILQ_INIT(&wp.finished);
	wp.limit = limit;
	wp.nthreads = nthreads;
	wp.done_ev = event_new(base, -1, 0, workers_drain, NULL);
	wp.threads = xcalloc(nthreads, sizeof *wp.threads);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&wp.threads[i], NULL, workers_main,
		    NULL) != 0)
			return -1;
	return 0;
}

int
workers_submit(work_fn run, work_fn done, void *arg)
{
	struct job	*j;

	pthread_mutex_lock(&wp.lock);
	if (wp.queued >= wp.limit || wp.stopping) {
		pthread_mutex_unlock(&wp.lock);
		return -1;
	}
	j = xcalloc(1, sizeof *j);
	j->run = run;
	j->done = done;
	j->arg = arg;
	STAILQ_INSERT_TAIL(&wp.todo, j, entry);
	wp.queued++;
	pthread_cond_signal(&wp.cond);
	pthread_mutex_unlock(&wp.lock);
	return 0;
}

void
workers_run_inline(work_fn run, work_fn done, void *arg)
{
	run(arg);
	done(arg);
}

/* Stop the threads; jobs not yet run are dropped with their done(). */
void
workers_shutdown(void)
{
	int	i;

	if (wp.threads == NULL)
		return;
	pthread_mutex_lock(&wp.lock);
	wp.stopping = 1;
	pthread_cond_broadcast(&wp.cond);
	pthread_mutex_unlock(&wp.lock);
	for (i = 0; i < wp.nthreads; i++)
		pthread_join(wp.threads[i], NULL);
	free(wp.threads);
	wp.threads = NULL;
	event_free(wp.done_ev);
}
