/*
 * task.h: one piece of core work from its start to its single end.
 *
 * A task runs asynchronous steps, PostgreSQL batches (db/pg.c) on the
 * loop and CPU jobs (crypto/workers.c) on the worker threads, each
 * resuming the task with a continuation, and ends exactly once: with
 * success (the result is whatever the work left in its own state) or
 * with one struct core_err. The owner, an API call, a hosted page or
 * an OAuth endpoint, embeds the task, sets end() and keeps the task
 * alive until end() has run.
 *
 * The owner may go away while a step is in flight (its deadline
 * answered the request). The guard says so: the task calls hold()
 * before each step and release() after it; release() returning -1
 * means the owner is gone and may have freed the task, so the step is
 * dropped without touching it. A task without a guard (a test, a job
 * of the daemon itself) always resumes.
 */
#ifndef CORE_TASK_H
#define CORE_TASK_H

#include "core/err.h"
#include "util.h"

struct event_base;
struct pg_batch;
struct pg_reply;
struct task;

typedef void	(*task_db_fn)(struct task *, struct pg_reply *);
typedef void	(*task_fn)(struct task *);
/* err is NULL on success; it and its message live until end returns. */
typedef void	(*task_end_fn)(struct task *, const struct core_err *);

struct task_guard {
	void	(*hold)(void *);
	int	(*release)(void *);	/* -1: the owner is gone */
};

struct task {
	const char		*id;	/* request id for logs */
	const char		*name;	/* what runs, for logs */
	const struct task_guard	*guard;
	void			*guard_arg;
	task_end_fn		 end;
	void			*owner;	/* the adapter's object */
	void			*data;	/* the work's state */
	void			(*data_free)(void *);
	/* private to task.c: the step in flight and the end */
	task_db_fn		 db_done;
	task_fn			 work_run;
	task_fn			 work_done;
	task_fn			 later;
	int			 ended;
	char			*message;
};

/* Set up t for owner; guard may be NULL. */
void	task_init(struct task *, const char *, const char *,
	    const struct task_guard *, void *, task_end_fn, void *);
/* Free the work's state and the end's message. */
void	task_clear(struct task *);
/* Replace the work's state (the previous one is freed). */
void	task_set_data(struct task *, void *, void (*)(void *));

/* Run a batch; cb runs with its reply while the owner still waits. */
void	task_query(struct task *, struct pg_batch *, task_db_fn);
/*
 * Run run() on a worker thread, then done() on the loop while the
 * owner still waits; a full queue ends the task with CORE_ERR_BUSY.
 * run() sees only t->data, never the loop's objects.
 */
void	task_work(struct task *, task_fn, task_fn);

/*
 * The loop whose timers task_after() uses (once per worker, at start).
 */
void	task_loop(struct event_base *);
/*
 * Run fn on the loop after ms milliseconds while the owner still waits:
 * 0 when the timer is set (or the owner went meanwhile), -1 when no
 * timer could be set (no loop: a test), t untouched.
 */
int	task_after(struct task *, long, task_fn) MUST_CHECK;

/*
 * A step with its own state, for work that runs inside another's task
 * (core/tokens.c): task_hold() before submitting it, task_release() in
 * its callback; -1 means the owner is gone (t may be freed): drop the
 * step's state without touching t.
 */
void	task_hold(struct task *);
int	task_release(struct task *) MUST_CHECK;

/* End with success. */
void	task_ok(struct task *);
/* End with an error of kind, the message formatted. */
void	task_fail(struct task *, enum core_err_kind, const char *, ...)
	    PRINTFLIKE(3, 4);
/*
 * End after a failed batch: CORE_ERR_LIMIT for a message cap, else
 * CORE_ERR_BUSY or CORE_ERR_INTERNAL, logged.
 */
void	task_fail_db(struct task *, struct pg_reply *);
/* 1 once the task has ended. */
int	task_ended(const struct task *);

#endif
