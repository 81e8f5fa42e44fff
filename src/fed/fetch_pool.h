/*
 * fetch_pool.h: the threads outbound fetches (fed/fetch.c) run on,
 * apart from the crypto threads (crypto/workers.c), so that an
 * identity provider that answers slowly holds up no password hash or
 * token signature. Jobs are queued up to a bound, run on one of a few
 * threads and finish on the loop, as crypto jobs do.
 */
#ifndef FED_FETCH_POOL_H
#define FED_FETCH_POOL_H

#include "crypto/workers.h"
#include "util.h"

struct event_base;

#define FETCH_POOL_THREADS	4	/* fetches in flight per worker */
#define FETCH_POOL_QUEUE	64	/* queued or running, at most */

int	fetch_pool_init(struct event_base *) MUST_CHECK;
/* Stop the threads; a transfer in progress is abandoned. */
void	fetch_pool_shutdown(void);
/* Queue a job; -1 when the queue is full or the pool is not running. */
int	fetch_pool_submit(work_fn, work_fn, void *) MUST_CHECK;
/* 1 once shutting down: a transfer in progress ends early. */
int	fetch_pool_stopping(void);

#endif
