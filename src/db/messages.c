/*
 * messages.c: the messages table and the message caps (see
 * messages.h). A claim is one UPDATE with FOR UPDATE SKIP LOCKED that
 * sets a lease and counts the attempt, so two workers never claim the
 * same row while its lease runs; a retry or release names the lease it
 * holds, so it cannot touch a row another worker claimed since.
 */
#include "config.h"

#include "db/messages.h"
#include "db/pg.h"

#define MSG_NOW	"extract(epoch FROM clock_timestamp())"

void
db_messages_insert(struct pg_batch *b, const char *pool_id,
    const char *medium, const char *recipient, const char *subject,
    const char *body)
{
	pg_batch_add(b, "INSERT INTO messages (pool_id, medium, recipient, "
	    "subject, body) VALUES ($1, $2, $3, $4, $5)", 5, pool_id, medium,
	    recipient, subject, body);
}

void
db_messages_claim(struct pg_batch *b, const char *limit, const char *lease)
{
	pg_batch_add(b, "UPDATE messages SET claimed_until = " MSG_NOW
	    " + $2, attempts = attempts + 1 WHERE id IN (SELECT id FROM "
	    "messages WHERE next_attempt_at <= " MSG_NOW " AND "
	    "(claimed_until IS NULL OR claimed_until < " MSG_NOW ") ORDER BY "
	    "next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id, "
	    "pool_id, medium, recipient, subject, body, attempts, "
	    "claimed_until", 2, limit, lease);
}

void
db_messages_delete(struct pg_batch *b, const char *id)
{
	pg_batch_add(b, "DELETE FROM messages WHERE id = $1", 1, id);
}

void
db_messages_retry(struct pg_batch *b, const char *id, const char *error,
    const char *delay, const char *claimed)
{
	pg_batch_add(b, "UPDATE messages SET claimed_until = NULL, "
	    "last_error = $2, next_attempt_at = " MSG_NOW " + $3 "
	    "WHERE id = $1 AND claimed_until = $4", 4, id, error, delay,
	    claimed);
}

void
db_messages_release(struct pg_batch *b, const char *id, const char *claimed)
{
	pg_batch_add(b, "UPDATE messages SET claimed_until = NULL, "
	    "attempts = greatest(attempts - 1, 0) "
	    "WHERE id = $1 AND claimed_until = $2", 2, id, claimed);
}

void
db_messages_charge(struct pg_batch *b, const char *pool_id,
    const char *dest, const char *address, const char *r15,
    const char *rday, const char *phour, const char *ahour)
{
	pg_batch_add(b, "SELECT message_caps_charge($1, $2, $3, $4::int, "
	    "$5::int, $6::int, $7::int)", 7, pool_id, dest, address, r15,
	    rday, phour, ahour);
}
