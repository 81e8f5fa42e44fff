/*
 * err.h: the one way the core says why something failed, without any
 * wire in mind. A kind names what went wrong in terms of the user pool
 * (wrong credentials, no such user, a code that does not match...);
 * the message is the sentence a person reads. Each adapter maps kinds
 * to its own vocabulary in one table: Cognito exception names in
 * api/, OAuth error codes in oauth/, page messages in ui/.
 *
 * A new kind is a new row here and a row in each adapter's table; the
 * adapters' tables are checked against CORE_ERR_NKINDS so a kind never
 * goes unmapped.
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

enum core_err_kind {
	CORE_ERR_INTERNAL,	/* our fault: database, hashing, sealing */
	CORE_ERR_BUSY,		/* overloaded: a full queue, no connection */
	CORE_ERR_INVALID,	/* a malformed or contradictory request */
	CORE_ERR_NOT_AUTHORIZED, /* credentials, client, session refused */
	CORE_ERR_NO_RESOURCE,	/* no such pool, client or device */
	CORE_ERR_NO_USER,	/* no such user (when it may be said) */
	CORE_ERR_NOT_CONFIRMED,	/* the user has not confirmed sign-up */
	CORE_ERR_RESET_REQUIRED, /* an administrator asked a reset */
	CORE_ERR_BAD_PASSWORD,	/* a new password fails the pool policy */
	CORE_ERR_CODE_MISMATCH,	/* a one-time code that does not match */
	CORE_ERR_CODE_EXPIRED,	/* a one-time code past its lifetime */
	CORE_ERR_ALIAS_EXISTS,	/* an alias another user already holds */
	CORE_ERR_LIMIT,		/* a cap on attempts or messages is hit */
	CORE_ERR_UNSUPPORTED,	/* a flow the pool or client does not do */
	CORE_ERR_TOKEN_REUSE,	/* a rotated refresh token used again */
	CORE_ERR_CONFIG,	/* the pool's configuration cannot serve it */
	CORE_ERR_NO_CLIENT,	/* no such app client (of this pool) */
	CORE_ERR_BAD_REDIRECT,	/* a redirect URI the client did not register */
	CORE_ERR_BAD_TYPE,	/* a response or grant type that is not known */
	CORE_ERR_BAD_SCOPE,	/* scopes the client may not have */
	CORE_ERR_BAD_GRANT,	/* a code or grant that is not (or no more) good */
	CORE_ERR_BAD_TOKEN_TYPE, /* a token of the wrong kind (revoke) */
	CORE_ERR_NO_TOTP,	/* no TOTP in the pool, or none for the user */
	CORE_ERR_TOTP_MISMATCH,	/* a set-up code that does not match */
	CORE_ERR_USER_EXISTS,	/* the username (or its e-mail, phone) is taken */
	CORE_ERR_CHANGED,	/* changed by another request meanwhile */
	CORE_ERR_LAMBDA_VALIDATION, /* a trigger refused (its message) */
	CORE_ERR_LAMBDA_UNEXPECTED, /* a trigger did not answer, or failed */
	CORE_ERR_LAMBDA_RESPONSE, /* a trigger's answer breaks its contract */
	CORE_ERR_NKINDS
};

struct core_err {
	enum core_err_kind	 kind;
	const char		*message;	/* for a person, no secret */
};

/* The kind's name for logs and tests ("not_authorized"). */
const char	*core_err_name(enum core_err_kind);

#endif
