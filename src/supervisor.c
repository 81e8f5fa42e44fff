/*
 * supervisor.c: keep N workers running. Signals are handled
 * synchronously with sigtimedwait, so there are no handlers to reason
 * about. A worker that dies is restarted; one that keeps dying right
 * after start is restarted at most once a second so a broken
 * configuration cannot spin the machine.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "supervisor.h"
#include "util.h"
#include "worker.h"

#define SUPERVISOR_STOP_GRACE_S	20
#define SUPERVISOR_RESTART_MS	1000

struct child {
	pid_t	 pid;
	int64_t	 started_ms;
	int64_t	 restart_at_ms;	/* 0: not waiting */
};

static sigset_t	supervisor_sigs;

static pid_t
supervisor_spawn(const struct worker_args *args)
{
	pid_t	pid;

	if ((pid = fork()) == -1) {
		log_error("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		sigprocmask(SIG_UNBLOCK, &supervisor_sigs, NULL);
		exit(worker_main(args));
	}
	log_info("worker %d started as pid %ld", args->index, (long)pid);
	return pid;
}

static void
supervisor_start(struct child *c, const struct worker_args *args)
{
	c->pid = supervisor_spawn(args);
	c->started_ms = now_ms();
	c->restart_at_ms = c->pid == -1 ? now_ms() + SUPERVISOR_RESTART_MS : 0;
}

/* Note dead workers and schedule their restart. */
static void
supervisor_reap(struct child *kids, int n)
{
	pid_t	pid;
	int	status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < n; i++) {
			if (kids[i].pid != pid)
				continue;
			if (WIFSIGNALED(status))
				log_warn("worker %d (pid %ld) killed by signal "
				    "%d", i, (long)pid, WTERMSIG(status));
			else if (WEXITSTATUS(status) != 0)
				log_warn("worker %d (pid %ld) exited with %d",
				    i, (long)pid, WEXITSTATUS(status));
			else
				log_info("worker %d (pid %ld) exited", i,
				    (long)pid);
			kids[i].pid = -1;
			kids[i].restart_at_ms = now_ms() - kids[i].started_ms <
			    SUPERVISOR_RESTART_MS ? now_ms() +
			    SUPERVISOR_RESTART_MS : now_ms();
		}
	}
}

static void
supervisor_signal_all(struct child *kids, int n, int sig)
{
	int	i;

	for (i = 0; i < n; i++)
		if (kids[i].pid > 0)
			kill(kids[i].pid, sig);
}

/* SIGTERM the workers and wait for them, then SIGKILL stragglers. */
static void
supervisor_stop(struct child *kids, int n)
{
	int64_t	deadline = now_ms() + SUPERVISOR_STOP_GRACE_S * 1000;
	int	i, alive;

	supervisor_signal_all(kids, n, SIGTERM);
	do {
		supervisor_reap(kids, n);
		for (alive = 0, i = 0; i < n; i++)
			alive += kids[i].pid > 0;
		if (alive > 0)
			usleep(50000);
	} while (alive > 0 && now_ms() < deadline);
	if (alive > 0) {
		supervisor_signal_all(kids, n, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
}

static void
supervisor_restart_due(struct child *kids, int n,
    const struct worker_args *args)
{
	int	i;

	for (i = 0; i < n; i++)
		if (kids[i].pid == -1 && kids[i].restart_at_ms != 0 &&
		    now_ms() >= kids[i].restart_at_ms)
			supervisor_start(&kids[i], &args[i]);
}

int
supervisor_run(int n, const struct worker_args *args)
{
	struct child	*kids = xcalloc(n, sizeof *kids);
	struct timespec	 tick = { 0, 200 * 1000000 };
	int		 i, sig;

	sigemptyset(&supervisor_sigs);
	sigaddset(&supervisor_sigs, SIGCHLD);
	sigaddset(&supervisor_sigs, SIGTERM);
	sigaddset(&supervisor_sigs, SIGINT);
	sigaddset(&supervisor_sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &supervisor_sigs, NULL);
	for (i = 0; i < n; i++)
		supervisor_start(&kids[i], &args[i]);
	for (;;) {
		sig = sigtimedwait(&supervisor_sigs, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading certificates");
			supervisor_signal_all(kids, n, SIGHUP);
		}
		supervisor_reap(kids, n);
		supervisor_restart_due(kids, n, args);
	}
	log_info("stopping workers");
	supervisor_stop(kids, n);
	free(kids);
	return 0;
}
