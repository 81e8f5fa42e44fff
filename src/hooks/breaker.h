/*
 * breaker.h: a circuit breaker per trigger URL, so that an endpoint
 * that does not answer cannot hold every fetch thread of a worker.
 *
 * After conf->trigger_breaker_failures failed calls in a row (no
 * answer, or a 5xx without Lambda's error JSON) the URL's circuit
 * opens: for conf->trigger_breaker_seconds every call to it fails at
 * once, without reaching it. Then one call goes through (half open):
 * its success closes the circuit, its failure opens it again. State is
 * per worker process and lives on its loop thread only.
 */
#ifndef HOOKS_BREAKER_H
#define HOOKS_BREAKER_H

/* 1 when a call to url may go now (it must then be recorded), else 0. */
int	breaker_allow(const char *);
/* The outcome of an allowed call: ok 1 (an answer) or 0 (a failure). */
void	breaker_record(const char *, int);
/* An allowed call that never went (our queue was full): no outcome. */
void	breaker_cancel(const char *);
/* Forget every URL (tests). */
void	breaker_reset(void);

#endif
