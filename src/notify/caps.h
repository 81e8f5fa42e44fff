/*
 * caps.h: caps on the messages a pool sends (codes, MFA codes,
 * invitations), counted in PostgreSQL so they hold across workers and
 * instances: per recipient (15 minutes and a day), per pool (an hour) and
 * per source address (an hour), from the configuration with per-pool
 * overrides (message_caps_pools).
 */
#ifndef CAPS_H
#define CAPS_H

#include "util.h"

struct pg_batch;

/* The SQLSTATE a charge over a cap raises; the batch rolls back. */
#define CAPS_SQLSTATE	"UP429"
/* Cognito's LimitExceededException message. */
#define CAPS_MESSAGE	"Attempt limit exceeded, please try after some time."

enum caps_kind {
	CAPS_CODE,	/* a code to a user: every cap */
	CAPS_ADMIN,	/* sent by an administrator: the pool's cap only */
};

/* 0 when a message_caps_pools value parses, else -1 (a start-up check). */
int	 caps_check(const char *);
/*
 * Add to a batch, before the message is queued, the statement that
 * counts one message of pool to dest from address (NULL: unknown) and
 * raises CAPS_SQLSTATE when a cap is reached, so the whole batch, the
 * message with it, is rolled back.
 */
void	 caps_charge(struct pg_batch *, enum caps_kind, const char *,
	    const char *, const char *);

#endif
