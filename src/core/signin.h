/*
 * signin.h: signing a user in, written once for the JSON API, the
 * hosted pages and OAuth: the app client checks (existence, allowed
 * flows, SECRET_HASH), the password step with lockout and without user
 * enumeration, the NEW_PASSWORD_REQUIRED challenge, refresh.
 */
#ifndef SIGNIN_H
#define SIGNIN_H

#include <jansson.h>
#include <libpq-fe.h>

#include "core/mfa.h"
#include "util.h"

struct api_call;

/*
 * The app client and its pool by client id ($1): columns client pool_id,
 * clients.config, secret_sealed, pools.config.
 */
#define SIGNIN_CLIENT_SQL						\
	"SELECT c.pool_id, c.config, c.secret_sealed, p.config, "	\
	MFA_POOL_SQL("p") " FROM clients c JOIN pools p ON p.id = "	\
	"c.pool_id WHERE c.id = $1"
#define SIGNIN_CLIENT_NCOLUMNS	5

/* An app client and its pool, decoded from SIGNIN_CLIENT_SQL. */
struct signin_client {
	char	*client_id;
	char	*pool_id;
	json_t	*config;	/* clients.config */
	json_t	*pool_config;	/* pools.config */
	json_t	*pool_mfa;	/* MFA_POOL_SQL: the pool's MFA settings */
	char	*secret;	/* opened client secret, wiped; NULL if none */
};

/*
 * Decode the row (columns from col) for client id; -1 when the sealed
 * secret cannot be opened.
 */
int	 signin_client_from_row(struct signin_client *, const char *,
	    const PGresult *, int, int) MUST_CHECK;
void	 signin_client_clear(struct signin_client *);

/*
 * Check a SecretHash (or SECRET_HASH) for username: required when the
 * client has a secret, refused when it has none. 0, or -1 with the
 * Cognito exception in *etype and message in *emsg (malloc'd).
 */
int	 signin_check_secret_hash(const struct signin_client *, const char *,
	    const char *, const char **, char **) MUST_CHECK;

/* PreventUserExistenceErrors is ENABLED for the client. */
int	 signin_hide_existence(const struct signin_client *);

#endif
