/*
 * ops_common.h: helpers shared by the app client, domain, resource
 * server, tag and UI customization operations: the common error
 * answers, opaque NextToken paging, redirect URL and scope checks, the
 * host name we serve under, and the effective token lifetimes of an
 * app client configuration.
 */
#ifndef OPS_COMMON_H
#define OPS_COMMON_H

#include <jansson.h>

#include "api/shape.h"
#include "db/pg.h"
#include "util.h"

struct api_call;
struct pg_reply;

/* Input shapes every family here uses. */
extern const struct shape	ops_shape_pool_id;	/* UserPoolIdType */
extern const struct shape	ops_shape_client_id;	/* ClientIdType */

/* ResourceNotFoundException "User pool <id> does not exist." */
void	 ops_fail_no_pool(struct api_call *, const char *);
/* ResourceNotFoundException "User pool client <id> does not exist." */
void	 ops_fail_no_client(struct api_call *, const char *);

/* A boolean column is true; a count column as a number (NULL: 0). */
int	 ops_true(const PGresult *, int, int);
long long ops_count(const PGresult *, int, int);

/*
 * An opaque NextToken over a keyset position of one or two strings
 * (b may be NULL); ops_token_parse() answers -1 for anything it did
 * not make, and the caller answers InvalidParameterException.
 */
char	*ops_token_make(const char *, const char *);
int	 ops_token_parse(const char *, char **, char **) MUST_CHECK;

/*
 * A CallbackURL, LogoutURL or DefaultRedirectURI: absolute, without a
 * fragment, https (or http to a loopback host, or an app scheme).
 * Returns 0, or -1 with *why a static reason.
 */
int	 ops_check_redirect_url(const char *, const char **) MUST_CHECK;

/* Shape pattern checkers (0 = ok) for the resource server family. */
int	 ops_check_scope(const char *);		/* [\x21\x23-\x5B\x5D-\x7E]+ */
int	 ops_check_scope_name(const char *);	/* ...without '/' */
int	 ops_check_hex(const char *);		/* ^[0-9a-fA-F]+$ */

/* The host of conf->public_url (no scheme, port or path), malloc'd. */
char	*ops_public_host(void);

/*
 * The lifetime in seconds of an app client's access, ID or refresh
 * token ("AccessToken", "IdToken", "RefreshToken") from its stored
 * configuration (the UserPoolClientType members): the validity in its
 * unit from TokenValidityUnits, with Cognito's defaults when absent.
 */
long long ops_token_seconds(json_t *, const char *);
/* Seconds in a TimeUnitsType ("seconds".."days"), 0 if unknown. */
long long ops_unit_seconds(const char *);

#endif
