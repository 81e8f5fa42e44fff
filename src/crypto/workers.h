/*
 * workers.h: a small pool of threads for CPU-heavy work (scrypt, SRP,
 * RSA), so the event loop never waits on it. A job carries copies of its
 * inputs; run() executes on a pool thread and must not touch libevent or
 * request objects; done() runs afterwards on the loop thread.
 */
#ifndef WORKERS_H
#define WORKERS_H

#include "util.h"

struct event_base;

typedef void	(*work_fn)(void *);

int	workers_init(struct event_base *, int, int) MUST_CHECK;
void	workers_shutdown(void);
/* Queue a job; -1 when the queue is full (answer 503/429). */
int	workers_submit(work_fn run, work_fn done, void *arg) MUST_CHECK;
/* Run a job synchronously (command-line tools and tests). */
void	workers_run_inline(work_fn run, work_fn done, void *arg);

#endif
