/*
 * devices.h: the devices table (a user's remembered devices, keyed by
 * pool and device_key) and srp_spent (the SECRET_BLOCKs a matched SRP
 * answer spent, so it cannot sign in twice): the statements the
 * sign-in (core/signin_device.c, core/signin_srp.c) and the token issue
 * (core/tokens.c) run and the columns of their rows. Functions are
 * prefixed db_devices_.
 */
#ifndef DB_DEVICES_H
#define DB_DEVICES_H

struct pg_batch;

/*
 * The confirmed device device_key of the user (pool, key, sub): one
 * row of this column, none when there is no such device.
 */
#define DB_DEVICES_REMEMBERED	0
void	db_devices_find(struct pg_batch *, const char *, const char *,
	    const char *);
/* Note that device key of pool signed in now. */
void	db_devices_touch(struct pg_batch *, const char *, const char *);
/* A new unconfirmed device (pool, key, sub, group_key). */
void	db_devices_insert(struct pg_batch *, const char *, const char *,
	    const char *, const char *);
/* Delete the user's (pool, sub) devices left unconfirmed for a day. */
void	db_devices_prune(struct pg_batch *, const char *, const char *);
/*
 * Spend the SRP answer digest (hex) for ttl seconds (text) unless
 * device_key (NULL: none) is not a confirmed device of the user (pool,
 * sub): one row of these booleans, the device's check and whether the
 * answer was spent now (false: spent before).
 */
#define DB_DEVICES_SPEND_DEVICE_OK	0
#define DB_DEVICES_SPEND_SPENT		1
void	db_devices_spend_srp(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);

#endif
