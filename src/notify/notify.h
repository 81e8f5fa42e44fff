/*
 * notify.h: delivery of e-mail and SMS.
 *
 * A message is a row of the messages table, inserted in the same batch
 * (transaction) as what caused it, so a user is never created without
 * the invitation that goes with it, nor the other way round. Each worker
 * delivers due rows: it claims a few (FOR UPDATE SKIP LOCKED, a lease in
 * claimed_until), sends each off the event loop (SMTP through libcurl,
 * SMS through the webhook, or one file per message in
 * <state_dir>/outbox/ when neither is configured), deletes delivered
 * rows and reschedules failed ones with back-off. A failure is logged,
 * never lost.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

struct event_base;
struct pg_batch;

/*
 * Once per process before any thread starts (libcurl's global set-up);
 * notify_shutdown() undoes it.
 */
int	notify_global_init(void);
int	notify_init(struct event_base *);
void	notify_shutdown(void);
/*
 * Add the insert of one message to the batch: pool id, medium ("EMAIL"
 * or "SMS"), recipient (address or phone number), subject (e-mail
 * only, may be NULL) and body.
 */
void	notify_queue(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);
/* Look for due messages now (after a batch with notify_queue commits). */
void	notify_kick(void);

#endif
