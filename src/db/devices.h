/*
 * devices.h: the devices table (a user's remembered devices, keyed by
 * pool and device_key) and srp_spent (the SECRET_BLOCKs a matched SRP
 * answer spent, so it cannot sign in twice): the statements the
 * sign-in (core/signin_device.c, core/signin_srp.c), the token issue
 * (core/tokens.c) and the JSON API's device operations
 * (api/device_ops.c) run and the columns of their rows. Functions are
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

/*
 * A device as the device operations describe it: the columns of the
 * rows of db_devices_get and db_devices_list (REMEMBERED a boolean,
 * the times epoch seconds, NAME and LAST_IP NULL when unknown).
 */
#define DB_DEVICES_COL_KEY		0
#define DB_DEVICES_COL_NAME		1
#define DB_DEVICES_COL_LAST_IP		2
#define DB_DEVICES_COL_REMEMBERED	3
#define DB_DEVICES_COL_CREATED		4
#define DB_DEVICES_COL_MODIFIED		5
#define DB_DEVICES_COL_LAST_AUTH	6

/* What ConfirmDevice stores (strings; NULL: SQL NULL). */
struct db_devices_confirm {
	const char	*pool_id;
	const char	*sub;
	const char	*key;
	const char	*verifier;	/* sealed */
	const char	*salt;		/* hex */
	const char	*name;		/* NULL: keep the name */
	const char	*remembered;	/* "true" or "false" */
	const char	*ip;		/* NULL: unknown */
};

/*
 * Confirm the user's unconfirmed device, in one statement: one row of
 * these columns, whether the device exists (confirmed or not) and the
 * rows confirmed now (0: it was confirmed before).
 */
#define DB_DEVICES_CONFIRM_EXISTS	0
#define DB_DEVICES_CONFIRM_UPDATED	1
void	db_devices_confirm(struct pg_batch *,
	    const struct db_devices_confirm *);
/* The confirmed device (pool, sub, key): one row or none. */
void	db_devices_get(struct pg_batch *, const char *, const char *,
	    const char *);
/*
 * The user's (pool, sub) confirmed devices in (created_at, device_key)
 * order after the position (at, a double as text, and key; NULL: from
 * the start), at most limit (text) rows.
 */
void	db_devices_list(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);
/* Delete the device (pool, sub, key), either kind: one row if it was. */
void	db_devices_delete(struct pg_batch *, const char *, const char *,
	    const char *);
/*
 * Set the confirmed device's (pool, sub, key) remembered status to
 * status ("remembered" or "not_remembered"; NULL: as it is): one row
 * if there is such a device.
 */
void	db_devices_set_status(struct pg_batch *, const char *, const char *,
	    const char *, const char *);

#endif
