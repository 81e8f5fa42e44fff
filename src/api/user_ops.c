/*
 * user_ops.c: the public self-service operations of the JSON API, the
 * ones a user's own app calls without SigV4: SignUp, ConfirmSignUp,
 * ResendConfirmationCode, ForgotPassword and ConfirmForgotPassword
 * (authenticated by ClientId and, for a client with a secret, a
 * SecretHash), and GetUser, UpdateUserAttributes,
 * GetUserAttributeVerificationCode, VerifyUserAttribute,
 * DeleteUserAttributes, DeleteUser and ChangePassword (authenticated by
 * the user's access token). The hosted UI's pages run the first five
 * as HostedSignUp, HostedConfirmSignUp and so on: the same handlers
 * without the SecretHash check (see user_client_start).
 *
 * Verification codes are CODES_DIGITS random digits, stored only as a
 * digest (table codes, one live code per user and purpose), single use
 * and expiring: 24 hours for sign-up and attribute verification, one
 * hour for a password reset. A code for an attribute is bound to the
 * value it was sent to (the value is part of its digest), so a code
 * sent to one address can never verify another. Every check of a code
 * is one statement that either consumes a right, live code or counts a
 * wrong guess; the two writes exclude each other by the digest and each
 * re-checks its condition on the latest row version, so a code is used
 * once and no more than USER_CODE_ATTEMPTS wrong guesses ever count.
 * The guesses count per window of USER_CODE_WINDOW seconds from the
 * first code: a new code sent within the window keeps the count, so
 * resending cannot buy an unlimited number of guesses, and a dead code
 * answers LimitExceededException until the window is over.
 *
 * Every write of an operation is one batch (one transaction): the user
 * row, the code row and the message that carries the code commit
 * together or not at all. The uniqueness of usernames and sign-in
 * aliases lives in the schema, so fifty parallel sign-ups of one name
 * end in one user and forty-nine UsernameExistsException. Read-modify-
 * write of a user's attributes is guarded by the modified_at it read.
 * Passwords are hashed and checked on a crypto thread, never on the
 * loop, and every copy of a password or code is wiped after use.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/codes.h"
#include "core/lockout.h"
#include "core/mfa.h"
#include "core/signin.h"
#include "core/tokens.h"
#include "core/users.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "db/pg.h"
#include "notify/caps.h"
#include "notify/messages.h"
#include "util.h"

/* Wrong guesses at a code per window of USER_CODE_WINDOW seconds. */
#define USER_CODE_ATTEMPTS	"5"
#define USER_CODE_WINDOW	"3600"
#define USER_TTL_SIGNUP		"86400"
#define USER_TTL_VERIFY		"86400"
#define USER_TTL_RESET		"3600"
#define USER_NOW		"extract(epoch FROM clock_timestamp())"

#define USER_NOT_FOUND		"Username/client id combination not " \
				"found."
#define USER_MSG_MISMATCH	"Invalid verification code provided, " \
				"please try again."
#define USER_MSG_EXPIRED	"Invalid code provided, please request a " \
				"code again."
#define USER_MSG_LIMIT		"Attempt limit exceeded, please try " \
				"after some time."
#define USER_MSG_CHANGED	"The user was changed by another request; " \
				"try again."
#define USER_MSG_NO_RECOVERY	"Cannot reset password for the user as " \
				"there is no registered/verified email or " \
				"phone_number"

/* --- Input shapes (from the service model) --- */

static int user_check_secret_hash(const char *);
static int user_check_token(const char *);

static const struct shape s_secret_hash = { .kind = SHAPE_STRING,
	.min = 1, .max = 128, .has_min = 1, .has_max = 1,
	.check = user_check_secret_hash, .pattern = "[\\w+=/]+",
	.sensitive = 1 };
static const struct shape s_code = { .kind = SHAPE_STRING, .min = 1,
	.max = 2048, .has_min = 1, .has_max = 1,
	.check = shape_check_no_space, .pattern = "[\\S]+" };
static const struct shape s_token = { .kind = SHAPE_STRING,
	.check = user_check_token, .pattern = "[A-Za-z0-9-_=.]+",
	.sensitive = 1 };
static const struct shape s_string = { .kind = SHAPE_STRING };
static const struct shape s_bool = { .kind = SHAPE_BOOL };
static const struct shape s_metadata = { .kind = SHAPE_MAP,
	.key = &s_string, .item = &s_string };
static const struct shape_member s_analytics_members[] = {
	{ "AnalyticsEndpointId", &s_string, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_analytics = { .kind = SHAPE_STRUCT,
	.members = s_analytics_members };
static const struct shape_member s_context_members[] = {
	{ "IpAddress", &s_string, 0 },
	{ "EncodedData", &s_string, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_context = { .kind = SHAPE_STRUCT,
	.members = s_context_members };
static const struct shape s_session = { .kind = SHAPE_STRING, .min = 20,
	.max = 2048, .has_min = 1, .has_max = 1, .sensitive = 1 };

/* What every ClientId operation takes. */
#define USER_CLIENT_MEMBERS						\
	{ "ClientId", &ops_shape_client_id, 1 },			\
	{ "SecretHash", &s_secret_hash, 0 },				\
	{ "Username", &ops_shape_username, 1 },				\
	{ "AnalyticsMetadata", &s_analytics, 0 },			\
	{ "UserContextData", &s_context, 0 },				\
	{ "ClientMetadata", &s_metadata, 0 }

static const struct shape_member s_signup_members[] = {
	USER_CLIENT_MEMBERS,
	{ "Password", &ops_shape_password, 0 },
	{ "UserAttributes", &ops_shape_attributes, 0 },
	{ "ValidationData", &ops_shape_attributes, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_signup = { .kind = SHAPE_STRUCT,
	.members = s_signup_members };

static const struct shape_member s_confirm_members[] = {
	USER_CLIENT_MEMBERS,
	{ "ConfirmationCode", &s_code, 1 },
	{ "ForceAliasCreation", &s_bool, 0 },
	{ "Session", &s_session, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_confirm = { .kind = SHAPE_STRUCT,
	.members = s_confirm_members };

static const struct shape_member s_user_members[] = {
	USER_CLIENT_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_user = { .kind = SHAPE_STRUCT,
	.members = s_user_members };

static const struct shape_member s_confirm_reset_members[] = {
	USER_CLIENT_MEMBERS,
	{ "ConfirmationCode", &s_code, 1 },
	{ "Password", &ops_shape_password, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_confirm_reset = { .kind = SHAPE_STRUCT,
	.members = s_confirm_reset_members };

static const struct shape_member s_token_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_token_only = { .kind = SHAPE_STRUCT,
	.members = s_token_members };

static const struct shape_member s_update_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "UserAttributes", &ops_shape_attributes, 1 },
	{ "ClientMetadata", &s_metadata, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_update = { .kind = SHAPE_STRUCT,
	.members = s_update_members };

static const struct shape_member s_get_code_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "AttributeName", &ops_shape_attribute_name, 1 },
	{ "ClientMetadata", &s_metadata, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_get_code = { .kind = SHAPE_STRUCT,
	.members = s_get_code_members };

static const struct shape_member s_verify_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "AttributeName", &ops_shape_attribute_name, 1 },
	{ "Code", &s_code, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_verify = { .kind = SHAPE_STRUCT,
	.members = s_verify_members };

static const struct shape_member s_delete_attrs_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "UserAttributeNames", &ops_shape_attribute_names, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_delete_attrs = { .kind = SHAPE_STRUCT,
	.members = s_delete_attrs_members };

static const struct shape_member s_change_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "PreviousPassword", &ops_shape_password, 0 },
	{ "ProposedPassword", &ops_shape_password, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_change = { .kind = SHAPE_STRUCT,
	.members = s_change_members };

/* [\w+=/]+ */
static int
user_check_secret_hash(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_+=/", *s) == NULL)
			return -1;
	return 0;
}

/* [A-Za-z0-9-_=.]+ */
static int
user_check_token(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-_=.", *s) == NULL)
			return -1;
	return 0;
}

/* --- SQL --- */

/*
 * A user by username or sign-in alias ($1 pool, $2 normalised name),
 * the exact username first; then whether the user's code for purpose
 * $3 (NULL: none) is dead, its wrong guesses used up within the window.
 */
static const char user_sql_find[] =
	"SELECT " USERS_COLUMNS ", "
	"(SELECT c.attempts >= " USER_CODE_ATTEMPTS " AND "
	"  c.created_at > " USER_NOW " - " USER_CODE_WINDOW " "
	"  FROM codes c WHERE c.pool_id = u.pool_id AND c.sub = u.sub "
	"  AND c.purpose = $3::text) "
	"FROM users u WHERE " USERS_MATCH("1", "2") " "
	"ORDER BY u.username_key = $2 DESC LIMIT 1";

/* Whether the code of user $2 of pool $1 for purpose $3 is dead. */
static const char user_sql_code_dead[] =
	"SELECT EXISTS (SELECT 1 FROM codes WHERE pool_id = $1 AND "
	"sub = $2::uuid AND purpose = $3 AND attempts >= "
	USER_CODE_ATTEMPTS " AND created_at > " USER_NOW " - "
	USER_CODE_WINDOW ")";

/*
 * A new code ($4 digest) for user $2 of pool $1 and purpose $3, live
 * for $5 seconds. Within the window of the first code, created_at
 * keeps the window's start and attempts the wrong guesses counted.
 */
static const char user_sql_code_issue[] =
	"INSERT INTO codes AS c (pool_id, sub, purpose, code_hash, "
	"  expires_at) "
	"VALUES ($1, $2::uuid, $3, $4::bytea, " USER_NOW " + $5::float8) "
	"ON CONFLICT (pool_id, sub, purpose) DO UPDATE SET "
	"  code_hash = EXCLUDED.code_hash, "
	"  expires_at = EXCLUDED.expires_at, "
	"  attempts = CASE WHEN c.created_at > " USER_NOW " - "
	USER_CODE_WINDOW " THEN c.attempts ELSE 0 END, "
	"  created_at = CASE WHEN c.created_at > " USER_NOW " - "
	USER_CODE_WINDOW " THEN c.created_at ELSE EXCLUDED.created_at END";

/*
 * The checks of a code: $1 pool, $2 sub, $3 purpose, $4 digest of the
 * code given. cur is the code as the statement found it, which only
 * tells why nothing happened; the answer otherwise rests on what the
 * writes did once they held the row's lock: used consumed a right, live
 * code, bump counted a wrong guess at a live code. G is a condition on
 * the user both writes need (it held when the user was read), so that
 * a code is neither used nor counted against a user changed meanwhile.
 * A guess beyond the limit is neither: its answer (LimitExceeded) is
 * the same whether it was right or wrong.
 */
#define USER_CODE_WHERE							\
	"pool_id = $1 AND sub = $2::uuid AND purpose = $3 "
#define USER_CODE_LIVE							\
	"attempts < " USER_CODE_ATTEMPTS " AND expires_at > " USER_NOW " "
#define USER_CODE_CUR							\
	"cur AS (SELECT attempts, expires_at <= " USER_NOW " AS expired "\
	"  FROM codes WHERE " USER_CODE_WHERE "), "
#define USER_CODE_CTES(G)						\
	USER_CODE_CUR							\
	"used AS (DELETE FROM codes WHERE " USER_CODE_WHERE		\
	"  AND code_hash = $4::bytea AND " USER_CODE_LIVE G		\
	"  RETURNING 1), "						\
	"bump AS (UPDATE codes SET attempts = attempts + 1 "		\
	"  WHERE " USER_CODE_WHERE " AND code_hash <> $4::bytea AND "	\
	USER_CODE_LIVE G "RETURNING 1) "
/* Columns 0-4: attempts, expired (as found), counted wrong, used, G. */
#define USER_CODE_OUT(G)						\
	"(SELECT attempts FROM cur), (SELECT expired FROM cur), "	\
	"EXISTS (SELECT 1 FROM bump), EXISTS (SELECT 1 FROM used), " G

/* The user row is still the one read ($9: its modified_at). */
#define USER_SAME_USER(COND)						\
	"EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND "		\
	"sub = $2::uuid AND modified_at = $9::float8 " COND ") "

/*
 * Consume a code and write the user's verified attributes ($5) and
 * alias columns ($6-$8); ConfirmSignUp also confirms the user.
 */
#define USER_SQL_VERIFY(SET, COND)					\
	"WITH " USER_CODE_CTES("AND " USER_SAME_USER(COND)) ", "	\
	"upd AS (UPDATE users SET " SET "attributes = $5::jsonb, "	\
	"  alias_email = $6, alias_phone = $7, alias_preferred = $8, "	\
	"  modified_at = " USER_NOW " "					\
	"  WHERE pool_id = $1 AND sub = $2::uuid AND "			\
	"  modified_at = $9::float8 " COND				\
	"  AND EXISTS (SELECT 1 FROM used) RETURNING 1) "		\
	"SELECT " USER_CODE_OUT(USER_SAME_USER(COND)) ", "		\
	"EXISTS (SELECT 1 FROM upd)"

static const char user_sql_confirm_signup[] =
	USER_SQL_VERIFY("status = 'CONFIRMED', ", "AND status = 'UNCONFIRMED'");
static const char user_sql_verify_attr[] =
	USER_SQL_VERIFY("", "");

/*
 * ConfirmForgotPassword checks the code before it hashes the new
 * password. Every check counts, right or wrong, so a right guess never
 * runs past the limit (nor spends scrypt time the wrong ones do not);
 * the code is consumed only with the new password, by user_sql_reset,
 * which allows the count this check left.
 */
static const char user_sql_code_check[] =
	"WITH " USER_CODE_CUR
	"cnt AS (UPDATE codes SET attempts = attempts + 1 "
	"  WHERE " USER_CODE_WHERE " AND " USER_CODE_LIVE
	"  RETURNING code_hash = $4::bytea AS match) "
	"SELECT (SELECT attempts FROM cur), (SELECT expired FROM cur), "
	"EXISTS (SELECT 1 FROM cnt WHERE NOT match), "
	"EXISTS (SELECT 1 FROM cnt WHERE match), true";

/*
 * Consume a reset code and set the new password ($5): the user is
 * confirmed (a federated user stays what it is), its lockout cleared
 * and its refresh tokens revoked.
 */
static const char user_sql_reset[] =
	"WITH " USER_CODE_CUR
	"used AS (DELETE FROM codes WHERE " USER_CODE_WHERE
	"  AND code_hash = $4::bytea AND attempts <= " USER_CODE_ATTEMPTS
	"  AND expires_at > " USER_NOW " RETURNING 1), "
	"upd AS (UPDATE users SET password_hash = $5, srp_salt = $6, "
	"  srp_verifier = $7, "
	"  status = CASE WHEN status = 'EXTERNAL_PROVIDER' THEN status "
	"    ELSE 'CONFIRMED' END, "
	"  temp_password_at = NULL, failed_logins = 0, locked_until = NULL, "
	"  modified_at = " USER_NOW " "
	"  WHERE pool_id = $1 AND sub = $2::uuid "
	"  AND EXISTS (SELECT 1 FROM used) RETURNING 1), "
	"rt AS (DELETE FROM refresh_tokens WHERE pool_id = $1 AND "
	"  sub = $2::uuid AND EXISTS (SELECT 1 FROM used)) "
	"SELECT (SELECT attempts FROM cur), (SELECT expired FROM cur), "
	"false, EXISTS (SELECT 1 FROM used), true";

/*
 * A new user ($1-$9). With email or phone number as username ($10,
 * $11: the lower-cased values that must be unique, or NULL), no other
 * user of the pool may have the same one; then no row is inserted.
 */
static const char user_sql_signup[] =
	"INSERT INTO users (pool_id, sub, username, username_key, status, "
	"  attributes, alias_email, alias_phone, alias_preferred, "
	"  password_hash, srp_salt, srp_verifier) "
	"SELECT $1, $2::uuid, $3, $4, 'UNCONFIRMED', $5::jsonb, $6, $7, $8, "
	"  $9, $12, $13 WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.pool_id = $1 "
	"  AND (u.f_email = $10::text OR u.f_phone = $11::text)) "
	"RETURNING 1";

/* ForceAliasCreation: the alias $3 leaves the user who has it. */
#define USER_SQL_TAKE_ALIAS(COL, ATTR)					\
	"UPDATE users SET " COL " = NULL, attributes = attributes || "	\
	"  '{\"" ATTR "_verified\": \"false\"}', "			\
	"  modified_at = " USER_NOW " "					\
	"WHERE pool_id = $1 AND sub <> $2::uuid AND " COL " = $3 "	\
	"AND EXISTS (SELECT 1 FROM codes WHERE pool_id = $1 AND "	\
	"  sub = $2::uuid AND purpose = 'signup' AND "			\
	"  code_hash = $4::bytea AND " USER_CODE_LIVE ")"

static const char user_sql_take_email[] =
	USER_SQL_TAKE_ALIAS("alias_email", "email");
static const char user_sql_take_phone[] =
	USER_SQL_TAKE_ALIAS("alias_phone", "phone_number");

static const char user_sql_update_attrs[] =
	"UPDATE users SET attributes = $3::jsonb, alias_email = $4, "
	"alias_phone = $5, alias_preferred = $6, modified_at = " USER_NOW " "
	"WHERE pool_id = $1 AND sub = $2::uuid AND modified_at = $7::float8 "
	"RETURNING 1";

/* --- One operation's state --- */

struct user_op {
	char			*pool_id;
	char			*client_id;
	json_t			*pool_config;
	json_t			*client_config;	/* NULL: client gone */
	int			 hide;		/* no existence errors */
	int			 hosted;	/* the hosted UI: no SecretHash */
	struct users_rules	 rules;
	char			*key;		/* normalised Username */
	struct user		 user;
	int			 have_user;
	int			 code_dead;	/* see user_sql_find */
	char			 modified[32];	/* user.modified_at */
	char			 sub[37];	/* SignUp: new user's */
	char			*password;	/* wiped */
	char			*previous;	/* wiped */
	char			*hash;		/* wiped */
	char			*srp_salt;	/* with the hash */
	char			*srp_verifier;	/* wiped */
	int			 checked;	/* of previous */
	char			 digest[CODES_DIGEST_HEX];
	const char		*attr;		/* being verified */
	json_t			*attrs;		/* new attributes */
	json_t			*delivery;	/* CodeDeliveryDetails */
	json_t			*deliveries;	/* ...List */
	api_fn			 next;		/* client known */
	api_db_fn		 found;		/* user looked up */
	const char		*address;	/* the client's, for the caps */
};

static void
user_op_free(void *p)
{
	struct user_op	*op = p;

	free(op->pool_id);
	free(op->client_id);
	json_decref(op->pool_config);
	json_decref(op->client_config);
	free(op->key);
	if (op->have_user)
		users_clear(&op->user);
	if (op->password != NULL)
		wipe_free(op->password);
	if (op->previous != NULL)
		wipe_free(op->previous);
	if (op->hash != NULL)
		wipe_free(op->hash);
	free(op->srp_salt);
	if (op->srp_verifier != NULL)
		wipe_free(op->srp_verifier);
	json_decref(op->attrs);
	json_decref(op->delivery);
	json_decref(op->deliveries);
	free(op);
}

static struct user_op *
user_op_new(struct api_call *call)
{
	struct user_op	*op = xcalloc(1, sizeof *op);

	op->address = req_client_addr(call->req);
	api_set_data(call, op, user_op_free);
	return op;
}

/* Answer an error whose message was malloc'd, and free it. */
static void
user_fail(struct api_call *call, const char *type, char *msg)
{
	api_fail(call, type, "%s", msg != NULL ? msg : "");
	free(msg);
}

static void
user_fail_internal(struct api_call *call)
{
	api_fail(call, "InternalErrorException",
	    "The service could not complete the request; try again.");
}

static char *
user_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* A string attribute of an attributes object, or NULL. */
static const char *
user_attr(json_t *attrs, const char *name)
{
	return json_string_value(json_object_get(attrs, name));
}

static const char *
user_medium(const char *attr)
{
	return strcmp(attr, "email") == 0 ? "EMAIL" : "SMS";
}

/*
 * The digest of a code for purpose. An attribute's code is bound to the
 * value it was sent to.
 */
static void
user_digest(struct user_op *op, const char *purpose, const char *bound,
    const char *code)
{
	codes_digest_bound(purpose, bound, code, op->digest);
}

/* The purpose of a code that verifies attribute attr. */
static const char *
user_verify_purpose(const char *attr)
{
	return strcmp(attr, "email") == 0 ? "verify:email" :
	    "verify:phone_number";
}

/*
 * Queue a new code for purpose in the batch: the code row (its digest)
 * and the message that carries it to dest, the value of attribute attr
 * of the user. Sets op->delivery to the CodeDeliveryDetails.
 */
static void
user_code_issue(struct user_op *op, struct pg_batch *b, const char *sub,
    const char *username, const char *purpose, const char *attr,
    const char *dest, const char *ttl)
{
	char	code[CODES_DIGITS + 1];
	int	verify = strncmp(purpose, "verify:", 7) == 0;

	codes_new(code);
	user_digest(op, purpose, verify ? dest : NULL, code);
	pg_batch_add(b, user_sql_code_issue, 5, op->pool_id, sub, purpose,
	    op->digest, ttl);
	json_decref(op->delivery);
	caps_charge(b, CAPS_CODE, op->pool_id, dest, op->address);
	op->delivery = messages_send(b, op->pool_id, op->pool_config,
	    strcmp(purpose, "reset") == 0 ? MESSAGES_RESET : MESSAGES_VERIFY,
	    user_medium(attr), dest, code, username);
	wipe(code, sizeof code);
}

/*
 * Answer the verdict on a code from the columns of USER_CODE_OUT; 0
 * when it was right (and consumed, or counted, as the statement does).
 */
static int
user_code_verdict(struct api_call *call, const PGresult *r)
{
	if (ops_true(r, 0, 3))
		return 0;
	if (ops_true(r, 0, 2))
		api_fail(call, "CodeMismatchException", USER_MSG_MISMATCH);
	else if (pg_val(r, 0, 0) == NULL || ops_true(r, 0, 1))
		api_fail(call, "ExpiredCodeException", USER_MSG_EXPIRED);
	else if (!ops_true(r, 0, 4))
		api_fail(call, "ConcurrentModificationException",
		    USER_MSG_CHANGED);
	else
		api_fail(call, "LimitExceededException", USER_MSG_LIMIT);
	return -1;
}

/*
 * A unique violation of a user write: the alias (or username) someone
 * else has. 0 when the failure was something else.
 */
static int
user_fail_unique(struct api_call *call, struct pg_reply *reply,
    const char *type)
{
	const char	*what = users_unique_attribute(reply->constraint);

	if (reply->sqlstate == NULL ||
	    strcmp(reply->sqlstate, PG_STATE_UNIQUE) != 0)
		return 0;
	if (what != NULL)
		api_fail(call, type, "An account with the given %s already "
		    "exists.", what);
	else
		api_fail(call, "UsernameExistsException",
		    "User already exists");
	return 1;
}

/* --- The app client, then the user --- */

static void
user_client_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct user_op		*op = call->data;
	struct signin_client	 sc;
	const char		*cid = api_str(call->in, "ClientId");
	const char		*etype;
	char			*emsg = NULL;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		ops_fail_no_client(call, cid);
		return;
	}
	if (signin_client_from_row(&sc, cid, reply->res[0], 0, 0) != 0) {
		signin_client_clear(&sc);
		user_fail_internal(call);
		return;
	}
	if (!op->hosted && signin_check_secret_hash(&sc, api_str(call->in,
	    "Username"), api_str(call->in, "SecretHash"), &etype,
	    &emsg) != 0) {
		signin_client_clear(&sc);
		user_fail(call, etype, emsg);
		return;
	}
	op->hide = signin_hide_existence(&sc);
	op->pool_id = xstrdup(sc.pool_id);
	op->client_id = xstrdup(sc.client_id);
	op->pool_config = json_incref(sc.pool_config);
	op->client_config = json_incref(sc.config);
	signin_client_clear(&sc);
	users_rules_init(&op->rules, op->pool_config);
	op->key = users_key(&op->rules, api_str(call->in, "Username"));
	op->next(call);
}

/*
 * Load the app client of ClientId, check SecretHash, then next. The
 * Hosted* variants (API_INTERNAL: only the hosted UI runs them, never
 * over HTTP) skip SecretHash, as the sign-in core's hosted door does:
 * the pages know no client secret, and a confidential client proves
 * itself at the token endpoint before it gets any token of the user.
 */
static void
user_client_start(struct api_call *call, api_fn next)
{
	struct user_op	*op = user_op_new(call);
	struct pg_batch	*b = pg_batch_new();

	op->next = next;
	op->hosted = call->op->auth == API_INTERNAL;
	pg_batch_add(b, SIGNIN_CLIENT_SQL, 1, api_str(call->in, "ClientId"));
	api_query(call, b, user_client_loaded);
}

/*
 * The user named by Username is loaded into op->user; on to op->found
 * with the reply (no rows: no such user).
 */
static void
user_find_done(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;
	const PGresult	*r;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) > 0) {
		users_from_row(&op->user, r, 0, 0);
		op->have_user = 1;
		op->code_dead = ops_true(r, 0, USERS_NCOLUMNS);
		snprintf(op->modified, sizeof op->modified, "%.17g",
		    op->user.modified_at);
	}
	op->found(call, reply);
}

static void
user_find(struct api_call *call, const char *purpose, api_db_fn found)
{
	struct user_op	*op = call->data;
	struct pg_batch	*b = pg_batch_new();

	op->found = found;
	pg_batch_add(b, user_sql_find, 3, op->pool_id, op->key, purpose);
	api_query(call, b, user_find_done);
}

/*
 * What PreventUserExistenceErrors answers for a code sent to a user
 * who does not exist: a delivery that looks real and is the same on
 * every call for the same name.
 */
static json_t *
user_fake_delivery(struct user_op *op, const char *username)
{
	char		 dest[8], digest[CODES_DIGEST_HEX];
	const char	*medium = "EMAIL";
	json_t		*out;
	char		*masked;

	if (users_is_email(username))
		masked = messages_mask(medium, username);
	else if (users_is_phone(username)) {
		medium = "SMS";
		masked = messages_mask(medium, username);
	} else {
		codes_digest_hex("simulated delivery", op->key, digest);
		dest[0] = isalpha((unsigned char)username[0]) ?
		    tolower((unsigned char)username[0]) : 'u';
		dest[1] = '@';
		dest[2] = 'a' + (isdigit((unsigned char)digest[2]) ?
		    digest[2] - '0' : digest[2] - 'a' + 10) +
		    (digest[3] & 0x7) % 11;
		dest[3] = '\0';
		masked = messages_mask(medium, dest);
	}
	out = json_pack("{s:s, s:s, s:s}", "Destination", masked,
	    "DeliveryMedium", medium, "AttributeName",
	    strcmp(medium, "EMAIL") == 0 ? "email" : "phone_number");
	free(masked);
	return out;
}

static void
user_answer_delivery(struct api_call *call, json_t *delivery)
{
	api_ok(call, json_pack("{s:o}", "CodeDeliveryDetails", delivery));
}

static void
user_fake_sent(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);	/* a message cap */
		return;
	}
	user_answer_delivery(call, user_fake_delivery(op,
	    api_str(call->in, "Username")));
}

static void
user_fake_checked(struct api_call *call, struct pg_reply *reply)
{
	struct lockout_charge	 c;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	/* As a real code's: the attempt after LOCKOUT_AFTER and on fail. */
	if (lockout_charged(reply->res[0], &c) == 0 && (!c.go ||
	    c.failures > LOCKOUT_AFTER))
		api_fail(call, "LimitExceededException", USER_MSG_LIMIT);
	else
		api_fail(call, "CodeMismatchException", USER_MSG_MISMATCH);
	lockout_charge_clear(&c);
}

/*
 * No such user. Under PreventUserExistenceErrors an operation that
 * sends a code answers a simulated delivery, one that checks a code a
 * mismatch; and both count as for a real user, so the answers stay the
 * same after many calls: a simulated send is charged to the message
 * caps under the name (and restarts the name's code attempts), a code
 * check is charged to the name's attempts (lockout_names, keyed by the
 * purpose and the name), which end in LimitExceededException as a real
 * code's do.
 */
static void
user_not_found(struct api_call *call, const char *purpose, int sends)
{
	struct user_op	*op = call->data;
	struct pg_batch	*b;
	char		*key;

	if (!op->hide) {
		api_fail(call, "UserNotFoundException", USER_NOT_FOUND);
		return;
	}
	b = pg_batch_new();
	key = xasprintf("%s:%s", purpose, op->key);
	if (sends) {
		caps_charge(b, CAPS_CODE, op->pool_id, key, op->address);
		lockout_clear_name(b, op->pool_id, key);
		api_query(call, b, user_fake_sent);
	} else {
		lockout_charge_name(b, op->pool_id, key);
		api_query(call, b, user_fake_checked);
	}
	free(key);
}

/*
 * Where sign-up codes go: the e-mail address when e-mail is verified
 * automatically, else the phone number when that is; NULL for neither.
 */
static const char *
user_signup_attr(const struct users_rules *rules, json_t *attrs)
{
	if (rules->auto_verify_email && user_attr(attrs, "email") != NULL)
		return "email";
	if (rules->auto_verify_phone &&
	    user_attr(attrs, "phone_number") != NULL)
		return "phone_number";
	return NULL;
}

/* --- Passwords on a crypto thread --- */

/* The user's internal username: what SRP verifiers are made over. */
static const char *
user_srp_name(struct api_call *call, struct user_op *op)
{
	if (op->have_user)
		return op->user.username;
	return op->rules.username_email || op->rules.username_phone ?
	    op->sub : api_str(call->in, "Username");
}

/* The hash and SRP verifier of the new password. */
static void
user_make_password(struct api_call *call, struct user_op *op)
{
	struct password_set	ps;

	if (password_make(&ps, op->pool_id, user_srp_name(call, op),
	    op->password) != 0)
		return;
	op->hash = ps.hash;
	op->srp_salt = ps.srp_salt;
	op->srp_verifier = ps.srp_verifier;
}

/* Check PreviousPassword (when given) and hash the new password. */
static void
user_hash_run(struct api_call *call)
{
	struct user_op	*op = call->data;

	op->checked = 1;
	if (op->previous != NULL) {
		op->checked = op->user.password_hash == NULL ? 0 :
		    password_check(op->user.password_hash,
		    op->previous);
		wipe_free(op->previous);
		op->previous = NULL;
	}
	if (op->checked == 1)
		user_make_password(call, op);
	wipe_free(op->password);
	op->password = NULL;
}

/* 0 when the worker's results are good, else answered. */
static int
user_hash_verdict(struct api_call *call)
{
	struct user_op	*op = call->data;

	if (op->checked == 0) {
		api_fail(call, "NotAuthorizedException",
		    "Incorrect username or password.");
		return -1;
	}
	if (op->checked < 0 || op->hash == NULL) {
		user_fail_internal(call);
		return -1;
	}
	return 0;
}

/* 0 when the password may be set, else answered. */
static int
user_check_policy(struct api_call *call, const char *password)
{
	struct user_op	*op = call->data;

	return ops_check_password(call, op->pool_config, password);
}

/* --- SignUp --- */

static void
user_signup_done(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;
	const char	*what;
	json_t		*out;

	what = users_username_attribute(&op->rules, api_str(call->in,
	    "Username"));
	if (what == NULL)
		what = "username";
	if (!reply->ok) {
		if (user_fail_unique(call, reply, "UsernameExistsException"))
			return;
		/* The code row of a user not inserted: see below. */
		if (reply->sqlstate != NULL &&
		    strcmp(reply->sqlstate, PG_STATE_FOREIGN_KEY) == 0) {
			api_fail(call, "UsernameExistsException", "An account "
			    "with the given %s already exists.", what);
			return;
		}
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		api_fail(call, "UsernameExistsException", "An account with "
		    "the given %s already exists.", what);
		return;
	}
	out = json_pack("{s:b, s:s}", "UserConfirmed", 0, "UserSub", op->sub);
	if (op->delivery != NULL)
		json_object_set(out, "CodeDeliveryDetails", op->delivery);
	api_ok(call, out);
}

/*
 * Insert the user and, when a code is due, the code and its message.
 * When the user is not inserted (its e-mail or phone number is another
 * user's username) the code row violates its foreign key and the whole
 * batch fails, so no message goes out.
 */
static void
user_signup_write(struct api_call *call)
{
	struct user_op		*op = call->data;
	struct users_aliases	 al;
	struct pg_batch		*b;
	const char		*username, *attr;
	char			*attrs, *key, *ukey_email = NULL;
	char			*ukey_phone = NULL;

	if (user_hash_verdict(call) != 0)
		return;
	username = op->rules.username_email || op->rules.username_phone ?
	    op->sub : api_str(call->in, "Username");
	key = users_key(&op->rules, username);
	if (op->rules.username_email && user_attr(op->attrs, "email") != NULL)
		ukey_email = users_key(&op->rules, user_attr(op->attrs,
		    "email"));
	if (op->rules.username_phone &&
	    user_attr(op->attrs, "phone_number") != NULL)
		ukey_phone = users_key(&op->rules, user_attr(op->attrs,
		    "phone_number"));
	users_alias_columns(&op->rules, op->attrs, &al);
	attrs = ops_json_text(op->attrs);
	b = pg_batch_new();
	pg_batch_add(b, user_sql_signup, 13, op->pool_id, op->sub, username,
	    key, attrs, al.email, al.phone, al.preferred, op->hash,
	    ukey_email, ukey_phone, op->srp_salt, op->srp_verifier);
	if ((attr = user_signup_attr(&op->rules, op->attrs)) != NULL)
		user_code_issue(op, b, op->sub, username, "signup", attr,
		    user_attr(op->attrs, attr), USER_TTL_SIGNUP);
	users_aliases_clear(&al);
	free(attrs);
	free(key);
	free(ukey_email);
	free(ukey_phone);
	api_query(call, b, user_signup_done);
}

/* The attributes of a new user: UserAttributes and the username's. */
static int
user_signup_attrs(struct api_call *call, struct user_op *op)
{
	const char	*u = api_str(call->in, "Username");
	const char	*etype, *name;
	json_t		*list = json_object_get(call->in, "UserAttributes");
	json_t		*empty = NULL;
	char		*emsg = NULL;
	int		 rc;

	if (list == NULL)
		list = empty = json_array();
	op->attrs = json_object();
	rc = users_apply_attributes(&op->rules, op->attrs, list,
	    USERS_CREATE_SELF, json_object_get(op->client_config,
	    "WriteAttributes"), &etype, &emsg);
	json_decref(empty);
	if (rc == 0 && (name = users_username_attribute(&op->rules, u)) !=
	    NULL)
		json_object_set_new(op->attrs, name, json_string(u));
	if (rc == 0)
		rc = users_check_required(&op->rules, op->attrs, &etype, &emsg);
	if (rc != 0) {
		user_fail(call, etype, emsg);
		return -1;
	}
	return 0;
}

static void
user_signup_client(struct api_call *call)
{
	struct user_op	*op = call->data;
	const char	*password = api_str(call->in, "Password");
	const char	*etype;
	char		*emsg = NULL;

	if (json_is_true(json_object_get(json_object_get(op->pool_config,
	    "AdminCreateUserConfig"), "AllowAdminCreateUserOnly"))) {
		api_fail(call, "NotAuthorizedException",
		    "SignUp is not permitted for this user pool");
		return;
	}
	if (users_check_username(&op->rules, api_str(call->in, "Username"),
	    &etype, &emsg) != 0) {
		user_fail(call, etype, emsg);
		return;
	}
	if (user_signup_attrs(call, op) != 0)
		return;
	if (password == NULL) {
		api_fail(call, "InvalidParameterException",
		    "A password is required to sign up.");
		return;
	}
	if (user_check_policy(call, password) != 0)
		return;
	random_uuid(op->sub);
	op->password = xstrdup(password);
	api_work(call, user_hash_run, user_signup_write);
}

static void
user_signup(struct api_call *call)
{
	user_client_start(call, user_signup_client);
}

/* --- ConfirmSignUp --- */

static void
user_confirm_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;

	if (!reply->ok) {
		if (!user_fail_unique(call, reply, "AliasExistsException"))
			api_fail_db(call, reply);
		return;
	}
	r = reply->res[reply->nres - 1];
	if (user_code_verdict(call, r) != 0)
		return;
	if (!ops_true(r, 0, 5)) {
		api_fail(call, "ConcurrentModificationException",
		    USER_MSG_CHANGED);
		return;
	}
	api_ok(call, NULL);
}

/*
 * Consume the code of purpose (op->digest) and write op->attrs with
 * sql, a USER_SQL_VERIFY, as the last statement of b; then run b.
 */
static void
user_verify_write(struct api_call *call, struct pg_batch *b,
    const char *sql, const char *purpose)
{
	struct user_op		*op = call->data;
	struct users_aliases	 al;
	char			*attrs;

	users_alias_columns(&op->rules, op->attrs, &al);
	attrs = ops_json_text(op->attrs);
	pg_batch_add(b, sql, 9, op->pool_id, op->user.sub, purpose,
	    op->digest, attrs, al.email, al.phone, al.preferred,
	    op->modified);
	free(attrs);
	users_aliases_clear(&al);
	api_query(call, b, user_confirm_done);
}

/*
 * ForceAliasCreation: a verified e-mail or phone number that another
 * user has as sign-in alias moves to this user (the other keeps the
 * value, unverified), provided the code is right. Not where the value
 * is the other user's username.
 */
static void
user_confirm_take_aliases(struct api_call *call, struct pg_batch *b)
{
	struct user_op		*op = call->data;
	struct users_aliases	 al;

	if (!api_bool(call->in, "ForceAliasCreation", 0))
		return;
	users_alias_columns(&op->rules, op->attrs, &al);
	if (al.email != NULL && !op->rules.username_email)
		pg_batch_add(b, user_sql_take_email, 4, op->pool_id,
		    op->user.sub, al.email, op->digest);
	if (al.phone != NULL && !op->rules.username_phone)
		pg_batch_add(b, user_sql_take_phone, 4, op->pool_id,
		    op->user.sub, al.phone, op->digest);
	users_aliases_clear(&al);
}

static void
user_confirm_found(struct api_call *call, struct pg_reply *reply)
{
	struct user_op		*op = call->data;
	struct pg_batch		*b;
	const char		*attr;
	char			 key[64];

	(void)reply;
	if (!op->have_user) {
		user_not_found(call, "signup", 0);
		return;
	}
	if (strcmp(op->user.status, "UNCONFIRMED") != 0) {
		api_fail(call, "NotAuthorizedException", "User cannot be "
		    "confirmed. Current status is %s", op->user.status);
		return;
	}
	op->attrs = json_deep_copy(op->user.attributes);
	if ((attr = user_signup_attr(&op->rules, op->attrs)) != NULL) {
		snprintf(key, sizeof key, "%s_verified", attr);
		json_object_set_new(op->attrs, key, json_string("true"));
	}
	user_digest(op, "signup", NULL, api_str(call->in, "ConfirmationCode"));
	b = pg_batch_new();
	user_confirm_take_aliases(call, b);
	user_verify_write(call, b, user_sql_confirm_signup, "signup");
}

static void
user_confirm_client(struct api_call *call)
{
	user_find(call, NULL, user_confirm_found);
}

static void
user_confirm(struct api_call *call)
{
	user_client_start(call, user_confirm_client);
}

/* --- ResendConfirmationCode and ForgotPassword --- */

static void
user_sent(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	user_answer_delivery(call, json_incref(op->delivery));
}

/*
 * Issue a code for purpose to attr, then answer its delivery; while the
 * user's code of that purpose is dead (op->code_dead), none.
 */
static void
user_send_code(struct api_call *call, const char *purpose, const char *attr,
    const char *ttl)
{
	struct user_op	*op = call->data;
	struct pg_batch	*b;
	char		*key;

	if (op->code_dead) {
		api_fail(call, "LimitExceededException", USER_MSG_LIMIT);
		return;
	}
	b = pg_batch_new();
	user_code_issue(op, b, op->user.sub, op->user.username, purpose, attr,
	    user_attr(op->user.attributes, attr), ttl);
	if (op->hide) {	/* as a simulated send does (user_not_found) */
		key = xasprintf("%s:%s", purpose, op->key);
		lockout_clear_name(b, op->pool_id, key);
		free(key);
	}
	api_query(call, b, user_sent);
}

static void
user_resend_found(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;
	const char	*attr;

	(void)reply;
	if (!op->have_user) {
		user_not_found(call, "signup", 1);
		return;
	}
	if (strcmp(op->user.status, "UNCONFIRMED") != 0) {
		api_fail(call, "InvalidParameterException",
		    "User is already confirmed.");
		return;
	}
	if ((attr = user_signup_attr(&op->rules, op->user.attributes)) ==
	    NULL) {
		api_fail(call, "InvalidParameterException",
		    "Cannot resend codes. Auto verification not turned on.");
		return;
	}
	user_send_code(call, "signup", attr, USER_TTL_SIGNUP);
}

static void
user_resend_client(struct api_call *call)
{
	user_find(call, "signup", user_resend_found);
}

static void
user_resend(struct api_call *call)
{
	user_client_start(call, user_resend_client);
}

static void
user_forgot_found(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;
	const char	*attr;
	int		 admin_only;

	(void)reply;
	if (!op->have_user) {
		user_not_found(call, "reset", 1);
		return;
	}
	if (!op->user.enabled) {
		api_fail(call, "NotAuthorizedException", "User is disabled.");
		return;
	}
	attr = users_recovery_attr(op->pool_config, op->user.attributes,
	    &admin_only);
	if (attr == NULL && admin_only) {
		api_fail(call, "NotAuthorizedException",
		    "User password cannot be reset in the current state.");
		return;
	}
	if (attr == NULL) {
		api_fail(call, "InvalidParameterException",
		    USER_MSG_NO_RECOVERY);
		return;
	}
	user_send_code(call, "reset", attr, USER_TTL_RESET);
}

static void
user_forgot_client(struct api_call *call)
{
	user_find(call, "reset", user_forgot_found);
}

static void
user_forgot(struct api_call *call)
{
	user_client_start(call, user_forgot_client);
}

/* --- ConfirmForgotPassword --- */

static void
user_reset_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (user_code_verdict(call, reply->res[0]) != 0)
		return;
	api_ok(call, NULL);
}

/* The code was right and the new password is hashed: consume and set. */
static void
user_reset_write(struct api_call *call)
{
	struct user_op	*op = call->data;
	struct pg_batch	*b;

	if (user_hash_verdict(call) != 0)
		return;
	b = pg_batch_new();
	pg_batch_add(b, user_sql_reset, 7, op->pool_id, op->user.sub, "reset",
	    op->digest, op->hash, op->srp_salt, op->srp_verifier);
	api_query(call, b, user_reset_done);
}

/*
 * Whether the columns of USER_CODE_OUT found no live code: none asked
 * for, used, or expired (what user_code_verdict answers as expired).
 */
static int
user_code_gone(const PGresult *r)
{
	return !ops_true(r, 0, 3) && !ops_true(r, 0, 2) &&
	    (pg_val(r, 0, 0) == NULL || ops_true(r, 0, 1));
}

/*
 * The code is checked (a wrong guess counted) before the password is
 * hashed, so wrong codes cost no scrypt; the code is consumed only with
 * the new password, by user_sql_reset. Under PreventUserExistenceErrors
 * a user without a live code is answered as a missing user is (a
 * mismatch, charged to the name, ending in LimitExceededException), not
 * ExpiredCodeException, which a missing user never gets.
 */
static void
user_reset_checked(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (op->hide && user_code_gone(reply->res[0])) {
		user_not_found(call, "reset", 0);
		return;
	}
	if (user_code_verdict(call, reply->res[0]) != 0)
		return;
	op->password = xstrdup(api_str(call->in, "Password"));
	api_work(call, user_hash_run, user_reset_write);
}

static void
user_reset_found(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;
	struct pg_batch	*b;

	(void)reply;
	if (!op->have_user) {
		user_not_found(call, "reset", 0);
		return;
	}
	user_digest(op, "reset", NULL, api_str(call->in, "ConfirmationCode"));
	b = pg_batch_new();
	pg_batch_add(b, user_sql_code_check, 4, op->pool_id, op->user.sub,
	    "reset", op->digest);
	api_query(call, b, user_reset_checked);
}

static void
user_reset_client(struct api_call *call)
{
	if (user_check_policy(call, api_str(call->in, "Password")) != 0)
		return;
	user_find(call, NULL, user_reset_found);
}

static void
user_reset(struct api_call *call)
{
	user_client_start(call, user_reset_client);
}

/* --- The access token operations --- */

/* The state of a token operation from the token's check. */
static struct user_op *
user_op_access(struct api_call *call, struct tokens_access *a)
{
	struct user_op	*op = user_op_new(call);

	op->pool_id = xstrdup(a->pool_id);
	op->client_id = xstrdup(a->client_id);
	op->pool_config = json_incref(a->pool_config);
	op->client_config = json_incref(a->client_config);
	users_copy(&op->user, &a->user);
	op->have_user = 1;
	snprintf(op->modified, sizeof op->modified, "%.17g",
	    op->user.modified_at);
	users_rules_init(&op->rules, op->pool_config);
	return op;
}

static json_t *
user_writable(struct user_op *op)
{
	return json_object_get(op->client_config, "WriteAttributes");
}

static void
user_token_start(struct api_call *call, tokens_access_cb cb)
{
	tokens_check_access(&call->task, api_str(call->in, "AccessToken"), cb);
}

/* --- GetUser --- */

static void
user_get_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	json_t	*read, *out;

	read = json_object_get(a->client_config, "ReadAttributes");
	out = json_pack("{s:s, s:o}", "Username", a->user.username,
	    "UserAttributes", users_attribute_list(&a->user,
	    json_array_size(read) > 0 ? read : NULL));
	json_object_update_new(out, mfa_user_settings(NULL, a->user.mfa,
	    a->user.attributes));
	api_ok(call, out);
}

static void
user_get(struct api_call *call)
{
	user_token_start(call, user_get_checked);
}

/* --- UpdateUserAttributes and DeleteUserAttributes --- */

static void
user_attrs_done(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;

	if (!reply->ok) {
		if (!user_fail_unique(call, reply, "AliasExistsException"))
			api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		api_fail(call, "ConcurrentModificationException",
		    USER_MSG_CHANGED);
		return;
	}
	api_ok(call, json_array_size(op->deliveries) > 0 ? json_pack("{s:O}",
	    "CodeDeliveryDetailsList", op->deliveries) : NULL);
}

/*
 * Change a copy of the user's attributes with change() (applying or
 * deleting what the input member lists) and check the required ones.
 * A batch whose first statement writes them (and their alias columns)
 * over the user's, or NULL after answering.
 */
static struct pg_batch *
user_attrs_change(struct api_call *call, struct tokens_access *a,
    users_change_fn change, const char *member)
{
	struct user_op		*op = user_op_access(call, a);
	struct users_aliases	 al;
	struct pg_batch		*b;
	const char		*etype;
	char			*emsg = NULL, *attrs;

	op->attrs = json_deep_copy(op->user.attributes);
	if (change(&op->rules, op->attrs, json_object_get(call->in, member),
	    USERS_UPDATE_SELF, user_writable(op), &etype, &emsg) != 0 ||
	    users_check_required(&op->rules, op->attrs, &etype, &emsg) != 0) {
		user_fail(call, etype, emsg);
		return NULL;
	}
	users_alias_columns(&op->rules, op->attrs, &al);
	attrs = ops_json_text(op->attrs);
	b = pg_batch_new();
	pg_batch_add(b, user_sql_update_attrs, 7, op->pool_id, op->user.sub,
	    attrs, al.email, al.phone, al.preferred, op->modified);
	free(attrs);
	users_aliases_clear(&al);
	return b;
}

/*
 * A new e-mail address or phone number is unverified until its code
 * comes back (users_apply_attributes reset its flag, unless a client
 * allowed to write the flag set it); with automatic verification of
 * that attribute, a code goes to the new value. The codes follow the
 * user row in the batch.
 */
static void
user_update_codes(struct user_op *op, struct pg_batch *b)
{
	static const char *const	 names[] = { "email", "phone_number" };
	size_t				 i;

	op->deliveries = json_array();
	for (i = 0; i < nitems(names); i++) {
		if (!users_verify_due(&op->rules, op->user.attributes,
		    op->attrs, names[i]))
			continue;
		user_code_issue(op, b, op->user.sub, op->user.username,
		    user_verify_purpose(names[i]), names[i],
		    user_attr(op->attrs, names[i]), USER_TTL_VERIFY);
		if (op->delivery != NULL)
			json_array_append(op->deliveries, op->delivery);
	}
}

static void
user_update_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct pg_batch	*b;

	if ((b = user_attrs_change(call, a, users_apply_attributes,
	    "UserAttributes")) == NULL)
		return;
	user_update_codes(call->data, b);
	api_query(call, b, user_attrs_done);
}

static void
user_update(struct api_call *call)
{
	user_token_start(call, user_update_checked);
}

static void
user_delete_attrs_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct pg_batch	*b;

	if ((b = user_attrs_change(call, a, users_delete_attributes,
	    "UserAttributeNames")) != NULL)
		api_query(call, b, user_attrs_done);
}

static void
user_delete_attrs(struct api_call *call)
{
	user_token_start(call, user_delete_attrs_checked);
}

/* --- GetUserAttributeVerificationCode and VerifyUserAttribute --- */

/*
 * The attribute AttributeName names, which must be one a code can
 * verify and one the user has: its value, or NULL when answered.
 */
static const char *
user_verifiable(struct api_call *call, struct user_op *op)
{
	const char	*name = api_str(call->in, "AttributeName");
	const char	*value;

	if (strcmp(name, "email") != 0 && strcmp(name, "phone_number") != 0) {
		api_fail(call, "InvalidParameterException", "Invalid "
		    "attribute name: only email and phone_number can be "
		    "verified.");
		return NULL;
	}
	if ((value = user_attr(op->user.attributes, name)) == NULL) {
		api_fail(call, "InvalidParameterException", "The user has no "
		    "%s to verify.", name);
		return NULL;
	}
	op->attr = strcmp(name, "email") == 0 ? "email" : "phone_number";
	return value;
}

static void
user_get_code_dead(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	op->code_dead = ops_true(reply->res[0], 0, 0);
	user_send_code(call, user_verify_purpose(op->attr), op->attr,
	    USER_TTL_VERIFY);
}

static void
user_get_code_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct user_op	*op = user_op_access(call, a);
	struct pg_batch	*b;

	if (user_verifiable(call, op) == NULL)
		return;
	b = pg_batch_new();
	pg_batch_add(b, user_sql_code_dead, 3, op->pool_id, op->user.sub,
	    user_verify_purpose(op->attr));
	api_query(call, b, user_get_code_dead);
}

static void
user_get_code(struct api_call *call)
{
	user_token_start(call, user_get_code_checked);
}

static void
user_verify_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct user_op	*op = user_op_access(call, a);
	const char	*value, *purpose;
	char		 key[64];

	if ((value = user_verifiable(call, op)) == NULL)
		return;
	purpose = user_verify_purpose(op->attr);
	snprintf(key, sizeof key, "%s_verified", op->attr);
	user_digest(op, purpose, value, api_str(call->in, "Code"));
	op->attrs = json_deep_copy(op->user.attributes);
	json_object_set_new(op->attrs, key, json_string("true"));
	user_verify_write(call, pg_batch_new(), user_sql_verify_attr, purpose);
}

static void
user_verify(struct api_call *call)
{
	user_token_start(call, user_verify_checked);
}

/* --- DeleteUser --- */

static void
user_delete_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	api_ok(call, NULL);
}

/* Codes, tokens, sessions and group memberships go by cascade. */
static void
user_delete_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct pg_batch	*b = pg_batch_new();

	pg_batch_add(b, "DELETE FROM users WHERE pool_id = $1 AND "
	    "sub = $2::uuid", 2, a->pool_id, a->user.sub);
	api_query(call, b, user_delete_done);
}

static void
user_delete(struct api_call *call)
{
	user_token_start(call, user_delete_checked);
}

/* --- ChangePassword --- */

static void
user_change_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		/* The password changed since it was checked. */
		api_fail(call, "NotAuthorizedException",
		    "Incorrect username or password.");
		return;
	}
	api_ok(call, NULL);
}

/*
 * The new hash replaces the one PreviousPassword was checked against,
 * and only that one.
 */
static void
user_change_write(struct api_call *call)
{
	struct user_op	*op = call->data;
	struct pg_batch	*b;

	if (user_hash_verdict(call) != 0)
		return;
	b = pg_batch_new();
	pg_batch_add(b, "UPDATE users SET password_hash = $3, srp_salt = $5, "
	    "srp_verifier = $6, temp_password_at = NULL, modified_at = "
	    USER_NOW " WHERE pool_id = $1 AND sub = $2::uuid AND "
	    "password_hash IS NOT DISTINCT FROM $4 RETURNING 1", 6,
	    op->pool_id, op->user.sub, op->hash, op->user.password_hash,
	    op->srp_salt, op->srp_verifier);
	api_query(call, b, user_change_done);
}

static void
user_change_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct user_op	*op = user_op_access(call, a);
	const char	*prev = api_str(call->in, "PreviousPassword");
	const char	*next = api_str(call->in, "ProposedPassword");

	if (prev == NULL && op->user.password_hash != NULL) {
		api_fail(call, "InvalidParameterException",
		    "PreviousPassword is required.");
		return;
	}
	if (user_check_policy(call, next) != 0)
		return;
	op->previous = user_strdup(prev);
	op->password = xstrdup(next);
	api_work(call, user_hash_run, user_change_write);
}

static void
user_change(struct api_call *call)
{
	user_token_start(call, user_change_checked);
}

const struct api_op user_ops[] = {
	{ "SignUp", user_signup, API_PUBLIC, &s_signup },
	{ "ConfirmSignUp", user_confirm, API_PUBLIC, &s_confirm },
	{ "ResendConfirmationCode", user_resend, API_PUBLIC, &s_user },
	{ "ForgotPassword", user_forgot, API_PUBLIC, &s_user },
	{ "ConfirmForgotPassword", user_reset, API_PUBLIC, &s_confirm_reset },
	{ "HostedSignUp", user_signup, API_INTERNAL, &s_signup },
	{ "HostedConfirmSignUp", user_confirm, API_INTERNAL, &s_confirm },
	{ "HostedResendConfirmationCode", user_resend, API_INTERNAL,
	    &s_user },
	{ "HostedForgotPassword", user_forgot, API_INTERNAL, &s_user },
	{ "HostedConfirmForgotPassword", user_reset, API_INTERNAL,
	    &s_confirm_reset },
	{ "GetUser", user_get, API_PUBLIC, &s_token_only },
	{ "UpdateUserAttributes", user_update, API_PUBLIC, &s_update },
	{ "GetUserAttributeVerificationCode", user_get_code, API_PUBLIC,
	    &s_get_code },
	{ "VerifyUserAttribute", user_verify, API_PUBLIC, &s_verify },
	{ "DeleteUserAttributes", user_delete_attrs, API_PUBLIC,
	    &s_delete_attrs },
	{ "DeleteUser", user_delete, API_PUBLIC, &s_token_only },
	{ "ChangePassword", user_change, API_PUBLIC, &s_change },
	{ NULL, NULL, 0, NULL }
};
