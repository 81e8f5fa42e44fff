/*
 * signup_codes.c: the codes of sign-up, recovery and attribute
 * verification (see signup.h), for core/signup.c, core/recovery.c and
 * the API's attribute operations: a new code queued with its row
 * (db/user_codes.c, a digest only), the message caps' charge and the
 * message that carries it, in the caller's batch, so they commit
 * together or not at all; the check that consumes a code and writes
 * the attributes it verifies; and the one table from a code's verdict to
 * the error it ends with.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/codes.h"
#include "core/signup.h"
#include "core/signup_int.h"
#include "core/users.h"
#include "db/user_codes.h"
#include "notify/caps.h"
#include "notify/messages.h"
#include "util.h"

#define SIGNUP_MSG_EXPIRED	"Invalid code provided, please request a " \
				"code again."

int
signup_code_send(struct pg_batch *b, const struct signup_code *c,
    struct signup_delivery *d)
{
	char	 code[CODES_DIGITS + 1], digest[CODES_DIGEST_HEX];
	int	 verify = strncmp(c->purpose, "verify:", 7) == 0;
	int	 email = strcmp(c->attr, "email") == 0;
	json_t	*cdd;

	codes_new(code);
	codes_digest_bound(c->purpose, verify ? c->dest : NULL, code, digest);
	db_user_codes_issue(b, c->pool_id, c->sub, c->purpose, digest, c->ttl);
	caps_charge(b, CAPS_CODE, c->pool_id, c->dest, c->address);
	cdd = messages_send(b, c->pool_id, c->pool_config,
	    strcmp(c->purpose, "reset") == 0 ? MESSAGES_RESET :
	    MESSAGES_VERIFY, email ? "EMAIL" : "SMS", c->dest, code,
	    c->username);
	wipe(code, sizeof code);
	signup_delivery_clear(d);
	if (cdd == NULL)
		return -1;
	d->destination = xstrdup(json_string_value(json_object_get(cdd,
	    "Destination")));
	d->medium = email ? "EMAIL" : "SMS";
	d->attribute = email ? "email" : "phone_number";
	json_decref(cdd);
	return 0;
}

void
signup_code_verify(struct pg_batch *b, const struct users_rules *rules,
    json_t *attrs, struct db_user_codes_verify *v)
{
	struct users_aliases	 al;
	char			*text;

	if ((text = json_dumps(attrs, JSON_COMPACT)) == NULL)
		fatalx("signup_code_verify: json_dumps");
	users_alias_columns(rules, attrs, &al);
	v->attributes = text;
	v->email = al.email;
	v->phone = al.phone;
	v->preferred = al.preferred;
	db_user_codes_verify(b, v);
	v->attributes = v->email = v->phone = v->preferred = NULL;
	users_aliases_clear(&al);
	free(text);
}

void
signup_delivery_clear(struct signup_delivery *d)
{
	free(d->destination);
	memset(d, 0, sizeof *d);
}

/* The one table from a code's verdict to the error it ends with. */
static const struct core_err signup_code_errs[] = {
	[DB_USER_CODES_RIGHT] = { CORE_ERR_INTERNAL, "" },
	[DB_USER_CODES_MISMATCH] = { CORE_ERR_CODE_MISMATCH,
	    SIGNUP_MSG_MISMATCH },
	[DB_USER_CODES_EXPIRED] = { CORE_ERR_CODE_EXPIRED,
	    SIGNUP_MSG_EXPIRED },
	[DB_USER_CODES_CHANGED] = { CORE_ERR_CHANGED, SIGNUP_MSG_CHANGED },
	[DB_USER_CODES_LIMIT] = { CORE_ERR_LIMIT, SIGNUP_MSG_LIMIT },
};

void
signup_code_err(enum db_user_codes_verdict v, struct core_err *err)
{
	*err = signup_code_errs[v];
}
