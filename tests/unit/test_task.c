/*
 * test_task.c: the core's task primitive: a task ends exactly once,
 * with success or one typed error and its message; a worker job runs
 * off the loop and resumes the task on it; when the owner's guard says
 * the owner is gone, the continuation is dropped and the task does not
 * end.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/task.h"
#include "crypto/workers.h"
#include "suites.h"

struct seen {
	int			 ends;
	int			 ok;
	enum core_err_kind	 kind;
	char			 message[128];
	int			 holds;
	int			 gone;	/* release answers -1 */
	int			 done_ran;
	long			 sum;	/* the job's result */
};

static void
seen_end(struct task *t, const struct core_err *err)
{
	struct seen	*s = t->owner;

	s->ends++;
	s->ok = err == NULL;
	if (err != NULL) {
		s->kind = err->kind;
		strlcpy(s->message, err->message, sizeof s->message);
	}
}

static void
seen_hold(void *arg)
{
	struct seen	*s = arg;

	s->holds++;
}

static int
seen_release(void *arg)
{
	struct seen	*s = arg;

	s->holds--;
	return s->gone ? -1 : 0;
}

static const struct task_guard seen_guard = { seen_hold, seen_release };

START_TEST(ends_once_with_error)
{
	struct task	t;
	struct seen	s;

	memset(&s, 0, sizeof s);
	task_init(&t, "rid", "test", NULL, NULL, seen_end, &s);
	task_fail(&t, CORE_ERR_NOT_AUTHORIZED, "Incorrect %s.", "password");
	task_ok(&t);
	task_fail(&t, CORE_ERR_INTERNAL, "late");
	ck_assert_int_eq(s.ends, 1);
	ck_assert_int_eq(s.ok, 0);
	ck_assert_int_eq(s.kind, CORE_ERR_NOT_AUTHORIZED);
	ck_assert_str_eq(s.message, "Incorrect password.");
	ck_assert(task_ended(&t));
	ck_assert_str_eq(core_err_name(CORE_ERR_NOT_AUTHORIZED),
	    "not_authorized");
	task_clear(&t);
}
END_TEST

START_TEST(every_kind_named)
{
	int	k;

	for (k = 0; k < CORE_ERR_NKINDS; k++)
		ck_assert_str_ne(core_err_name(k), "unknown");
	ck_assert_str_eq(core_err_name(CORE_ERR_NKINDS), "unknown");
}
END_TEST

START_TEST(ends_once_with_success)
{
	struct task	t;
	struct seen	s;

	memset(&s, 0, sizeof s);
	task_init(&t, NULL, NULL, NULL, NULL, seen_end, &s);
	task_set_data(&t, strdup("state"), free);
	task_ok(&t);
	task_ok(&t);
	ck_assert_int_eq(s.ends, 1);
	ck_assert_int_eq(s.ok, 1);
	task_clear(&t);
	ck_assert_ptr_null(t.data);
}
END_TEST

/* A worker job: sum 1..1000 into the owner's state, off the loop. */
static void
sum_run(struct task *t)
{
	struct seen	*s = t->data;
	long		 i;

	for (i = 1; i <= 1000; i++)
		s->sum += i;
}

static void
sum_done(struct task *t)
{
	struct seen	*s = t->data;

	s->done_ran = 1;
	task_ok(t);
}

/* Run the loop until the job has come back (or a bound of turns). */
static void
spin(struct event_base *base, struct seen *s)
{
	int	i;

	for (i = 0; i < 500 && s->holds > 0; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

static struct event_base *
base_with_workers(void)
{
	struct event_base	*base = event_base_new();

	ck_assert_ptr_nonnull(base);
	ck_assert_int_eq(workers_init(base, 1, 4), 0);
	return base;
}

START_TEST(work_resumes_on_the_loop)
{
	struct event_base	*base = base_with_workers();
	struct task		 t;
	struct seen		 s;

	memset(&s, 0, sizeof s);
	task_init(&t, "rid", "sum", &seen_guard, &s, seen_end, &s);
	t.data = &s;
	task_work(&t, sum_run, sum_done);
	ck_assert_int_eq(s.holds, 1);
	while (s.holds > 0)
		spin(base, &s);
	ck_assert_int_eq(s.done_ran, 1);
	ck_assert_int_eq(s.sum, 500500);
	ck_assert_int_eq(s.ends, 1);
	ck_assert_int_eq(s.ok, 1);
	workers_shutdown();
	event_base_free(base);
}
END_TEST

START_TEST(gone_owner_drops_the_step)
{
	struct event_base	*base = base_with_workers();
	struct task		 t;
	struct seen		 s;

	memset(&s, 0, sizeof s);
	task_init(&t, "rid", "sum", &seen_guard, &s, seen_end, &s);
	t.data = &s;
	s.gone = 1;
	task_work(&t, sum_run, sum_done);
	while (s.holds > 0)
		spin(base, &s);
	ck_assert_int_eq(s.sum, 500500);
	ck_assert_int_eq(s.done_ran, 0);
	ck_assert_int_eq(s.ends, 0);
	workers_shutdown();
	event_base_free(base);
}
END_TEST

Suite *
task_suite(void)
{
	Suite	*s = suite_create("task");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, ends_once_with_error);
	tcase_add_test(tc, every_kind_named);
	tcase_add_test(tc, ends_once_with_success);
	tcase_add_test(tc, work_resumes_on_the_loop);
	tcase_add_test(tc, gone_owner_drops_the_step);
	suite_add_tcase(s, tc);
	return s;
}
