/*
 * task.c: the task primitive (see task.h): asynchronous steps that
 * resume a task only while its owner waits, and the single end.
 *
 * Ending twice is dropped rather than fatal: a step can find that the
 * owner's deadline already answered, and the first end is the one the
 * owner saw.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/task.h"
#include "crypto/workers.h"
#include "db/pg.h"
#include "log.h"
#include "notify/caps.h"
#include "util.h"

static struct event_base	*task_base;

static const char *const core_err_names[CORE_ERR_NKINDS] = {
	[CORE_ERR_INTERNAL] = "internal",
	[CORE_ERR_BUSY] = "busy",
	[CORE_ERR_INVALID] = "invalid",
	[CORE_ERR_NOT_AUTHORIZED] = "not_authorized",
	[CORE_ERR_NO_RESOURCE] = "no_resource",
	[CORE_ERR_NO_USER] = "no_user",
	[CORE_ERR_NOT_CONFIRMED] = "not_confirmed",
	[CORE_ERR_RESET_REQUIRED] = "reset_required",
	[CORE_ERR_BAD_PASSWORD] = "bad_password",
	[CORE_ERR_CODE_MISMATCH] = "code_mismatch",
	[CORE_ERR_CODE_EXPIRED] = "code_expired",
	[CORE_ERR_ALIAS_EXISTS] = "alias_exists",
	[CORE_ERR_LIMIT] = "limit",
	[CORE_ERR_UNSUPPORTED] = "unsupported",
	[CORE_ERR_TOKEN_REUSE] = "token_reuse",
	[CORE_ERR_CONFIG] = "config",
	[CORE_ERR_NO_CLIENT] = "no_client",
	[CORE_ERR_BAD_REDIRECT] = "bad_redirect",
	[CORE_ERR_BAD_TYPE] = "bad_type",
	[CORE_ERR_BAD_SCOPE] = "bad_scope",
	[CORE_ERR_BAD_GRANT] = "bad_grant",
	[CORE_ERR_BAD_TOKEN_TYPE] = "bad_token_type",
	[CORE_ERR_NO_TOTP] = "no_totp",
	[CORE_ERR_TOTP_MISMATCH] = "totp_mismatch",
	[CORE_ERR_USER_EXISTS] = "user_exists",
	[CORE_ERR_CHANGED] = "changed",
	[CORE_ERR_LAMBDA_VALIDATION] = "lambda_validation",
	[CORE_ERR_LAMBDA_UNEXPECTED] = "lambda_unexpected",
	[CORE_ERR_LAMBDA_RESPONSE] = "lambda_response",
};

const char *
core_err_name(enum core_err_kind kind)
{
	if ((unsigned)kind >= CORE_ERR_NKINDS || core_err_names[kind] == NULL)
		return "unknown";
	return core_err_names[kind];
}

void
task_init(struct task *t, const char *id, const char *name,
    const struct task_guard *guard, void *guard_arg, task_end_fn end,
    void *owner)
{
	memset(t, 0, sizeof *t);
	t->id = id != NULL ? id : "-";
	t->name = name != NULL ? name : "task";
	t->guard = guard;
	t->guard_arg = guard_arg;
	t->end = end;
	t->owner = owner;
}

void
task_set_data(struct task *t, void *data, void (*data_free)(void *))
{
	if (t->data_free != NULL)
		t->data_free(t->data);
	t->data = data;
	t->data_free = data_free;
}

void
task_clear(struct task *t)
{
	task_set_data(t, NULL, NULL);
	free(t->message);
	t->message = NULL;
}

int
task_ended(const struct task *t)
{
	return t->ended;
}

void
task_hold(struct task *t)
{
	if (t->guard != NULL)
		t->guard->hold(t->guard_arg);
}

int
task_release(struct task *t)
{
	if (t->guard == NULL)
		return t->ended ? -1 : 0;
	if (t->guard->release(t->guard_arg) != 0)
		return -1;
	return t->ended ? -1 : 0;
}

static void
task_query_done(struct pg_reply *reply, void *arg)
{
	struct task	*t = arg;
	task_db_fn	 fn = t->db_done;

	if (task_release(t) != 0)
		return;
	t->db_done = NULL;
	fn(t, reply);
}

void
task_query(struct task *t, struct pg_batch *b, task_db_fn cb)
{
	t->db_done = cb;
	task_hold(t);
	pg_submit(b, task_query_done, t);
}

static void
task_work_run(void *arg)
{
	struct task	*t = arg;

	t->work_run(t);
}

static void
task_work_finish(void *arg)
{
	struct task	*t = arg;

	if (task_release(t) != 0)
		return;
	t->work_done(t);
}

void
task_work(struct task *t, task_fn run, task_fn done)
{
	t->work_run = run;
	t->work_done = done;
	task_hold(t);
	if (workers_submit(task_work_run, task_work_finish, t) != 0) {
		if (task_release(t) == 0)
			task_fail(t, CORE_ERR_BUSY,
			    "The server is busy; try again later.");
	}
}

void
task_loop(struct event_base *base)
{
	task_base = base;
}

static void
task_later_fired(evutil_socket_t fd, short what, void *arg)
{
	struct task	*t = arg;
	task_fn		 fn = t->later;

	(void)fd;
	(void)what;
	if (task_release(t) != 0)
		return;
	t->later = NULL;
	fn(t);
}

int
task_after(struct task *t, long ms, task_fn fn)
{
	struct timeval	tv;

	if (task_base == NULL)
		return -1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	t->later = fn;
	task_hold(t);
	if (event_base_once(task_base, -1, EV_TIMEOUT, task_later_fired, t,
	    &tv) == 0)
		return 0;
	return task_release(t) == 0 ? -1 : 0;
}

static void
task_end(struct task *t, const struct core_err *err)
{
	if (t->ended)
		return;
	t->ended = 1;
	if (t->end != NULL)
		t->end(t, err);
}

void
task_ok(struct task *t)
{
	task_end(t, NULL);
}

void
task_fail(struct task *t, enum core_err_kind kind, const char *fmt, ...)
{
	struct core_err	 err;
	va_list		 ap;

	if (t->ended)
		return;
	free(t->message);
	va_start(ap, fmt);
	t->message = xvasprintf(fmt, ap);
	va_end(ap);
	err.kind = kind;
	err.message = t->message;
	task_end(t, &err);
}

void
task_fail_db(struct task *t, struct pg_reply *reply)
{
	const char	*msg = reply->error != NULL ? reply->error : "";
	const char	*state = reply->sqlstate != NULL ? reply->sqlstate : "";
	char		*e;

	/* A message cap (notify/caps.c) rolled the batch back. */
	if (strcmp(state, CAPS_SQLSTATE) == 0) {
		log_info("%s: %s: message cap reached", t->id, t->name);
		task_fail(t, CORE_ERR_LIMIT, CAPS_MESSAGE);
		return;
	}
	e = log_escape(msg, strlen(msg));
	log_error("%s: %s: database: %s (%s)", t->id, t->name, e, state);
	free(e);
	if (strcmp(state, PG_STATE_OVERLOADED) == 0)
		task_fail(t, CORE_ERR_BUSY,
		    "Too many requests; try again later.");
	else
		task_fail(t, CORE_ERR_INTERNAL,
		    "The service could not complete the request; try again.");
}
