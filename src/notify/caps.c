/*
 * caps.c: caps on the messages a pool sends, so that one script cannot
 * make a pool send thousands of SMS (toll fraud) or e-mails (bombing).
 *
 * The counting is SQL (message_caps_charge, sql/008_message_caps.sql,
 * called by db/messages.c's db_messages_charge): the charge is a
 * statement of the batch that queues the message, so it commits or
 * rolls back with it; over a cap it raises CAPS_SQLSTATE and
 * nothing of the batch is written, nothing is sent. The pool's advisory
 * lock makes parallel charges count one after the other, in every
 * worker and every instance on the database.
 *
 * The caps come from the configuration: message_cap_recipient_15min,
 * message_cap_recipient_day, message_cap_pool_hour and
 * message_cap_address_hour (0 means no cap), each overridden per pool by
 * message_caps_pools, a list of "POOL_ID:name=value,name=value" entries
 * separated by spaces or ';', where name is one of those keys without
 * "message_cap_", for example
 * "us-east-1_AbC:recipient_15min=10,pool_hour=5000".
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db/messages.h"
#include "db/pg.h"
#include "notify/caps.h"
#include "util.h"

#define CAPS_VALUE_MAX	(1 << 20)
#define CAPS_SEP	" \t;"

enum caps_which { CAPS_R15, CAPS_RDAY, CAPS_PHOUR, CAPS_AHOUR, CAPS_N };

static const char *const caps_names[CAPS_N] = {
	"recipient_15min", "recipient_day", "pool_hour", "address_hour"
};

static void
caps_defaults(int *v)
{
	v[CAPS_R15] = conf->message_cap_recipient_15min;
	v[CAPS_RDAY] = conf->message_cap_recipient_day;
	v[CAPS_PHOUR] = conf->message_cap_pool_hour;
	v[CAPS_AHOUR] = conf->message_cap_address_hour;
}

static int
caps_pool_id_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > 55)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return 1;
}

/* One "name=value" setting into v; -1 when malformed. */
static int
caps_setting(char *item, int *v)
{
	char	*eq = strchr(item, '='), *end;
	long	 n;
	size_t	 i;

	if (eq == NULL)
		return -1;
	*eq = '\0';
	errno = 0;
	n = strtol(eq + 1, &end, 10);
	if (eq[1] == '\0' || *end != '\0' || errno != 0 || n < 0 ||
	    n > CAPS_VALUE_MAX)
		return -1;
	for (i = 0; i < CAPS_N; i++)
		if (strcmp(item, caps_names[i]) == 0) {
			v[i] = (int)n;
			return 0;
		}
	return -1;
}

/* One "POOL:settings" entry; applied to v when it names pool_id. */
static int
caps_entry(char *entry, const char *pool_id, int *v)
{
	char	*colon = strchr(entry, ':'), *item, *save = NULL;
	int	 mine, scratch[CAPS_N];

	if (colon == NULL || !caps_pool_id_ok(entry, colon - entry) ||
	    colon[1] == '\0')
		return -1;
	*colon = '\0';
	mine = pool_id != NULL && strcmp(entry, pool_id) == 0;
	for (item = strtok_r(colon + 1, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save))
		if (caps_setting(item, mine ? v : scratch) != 0)
			return -1;
	return 0;
}

/* Parse spec; the entries of pool_id (if any) override v. */
static int
caps_parse(const char *spec, const char *pool_id, int *v)
{
	char	*copy = xstrdup(spec != NULL ? spec : ""), *entry;
	char	*save = NULL;
	int	 rv = 0;

	for (entry = strtok_r(copy, CAPS_SEP, &save); entry != NULL &&
	    rv == 0; entry = strtok_r(NULL, CAPS_SEP, &save))
		rv = caps_entry(entry, pool_id, v);
	free(copy);
	return rv;
}

int
caps_check(const char *spec)
{
	int	v[CAPS_N] = { 0 };

	return caps_parse(spec, NULL, v);
}

void
caps_charge(struct pg_batch *b, enum caps_kind kind, const char *pool_id,
    const char *dest, const char *address)
{
	int	 v[CAPS_N];
	char	 s[CAPS_N][16];
	size_t	 i;

	caps_defaults(v);
	/* Checked at start-up: a parse error cannot happen here. */
	(void)caps_parse(conf->message_caps_pools, pool_id, v);
	if (kind == CAPS_ADMIN) {
		dest = address = NULL;
		v[CAPS_R15] = v[CAPS_RDAY] = v[CAPS_AHOUR] = 0;
	}
	for (i = 0; i < CAPS_N; i++)
		snprintf(s[i], sizeof s[i], "%d", v[i]);
	db_messages_charge(b, pool_id, dest, address, s[CAPS_R15],
	    s[CAPS_RDAY], s[CAPS_PHOUR], s[CAPS_AHOUR]);
}
