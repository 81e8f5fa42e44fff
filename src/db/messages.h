/*
 * messages.h: the messages table (the outbox of e-mail and SMS that
 * notify/notify.c delivers) and the message caps (message_caps_charge,
 * the per-recipient, per-pool and per-address counters of
 * notify/caps.c): the statements and the columns of their rows.
 * Functions are prefixed db_messages_.
 */
#ifndef DB_MESSAGES_H
#define DB_MESSAGES_H

struct pg_batch;

/* Queue a message (subject "" for SMS). */
void	db_messages_insert(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);
/*
 * Claim at most limit (text) due rows for lease seconds (text) with FOR
 * UPDATE SKIP LOCKED, counting the attempt: rows of these columns
 * (SUBJECT "" for SMS, CLAIMED the lease's end as stored).
 */
#define DB_MESSAGES_ID		0
#define DB_MESSAGES_POOL	1
#define DB_MESSAGES_MEDIUM	2
#define DB_MESSAGES_RECIPIENT	3
#define DB_MESSAGES_SUBJECT	4
#define DB_MESSAGES_BODY	5
#define DB_MESSAGES_ATTEMPTS	6
#define DB_MESSAGES_CLAIMED	7
void	db_messages_claim(struct pg_batch *, const char *, const char *);
/* Drop message id (delivered, or failed for good). */
void	db_messages_delete(struct pg_batch *, const char *);
/*
 * Give message id back for another attempt delay seconds (text) from
 * now with the error, if it is still claimed until claimed.
 */
void	db_messages_retry(struct pg_batch *, const char *, const char *,
	    const char *, const char *);
/* Give message id back unsent (the attempt uncounted), as above. */
void	db_messages_release(struct pg_batch *, const char *, const char *);

/*
 * Charge one message of pool to recipient and source address (NULL:
 * not counted) against the caps (texts: per recipient per 15 minutes
 * and per day, per pool per hour, per address per hour); the function
 * fails the batch when a cap is reached.
 */
void	db_messages_charge(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *);

#endif
