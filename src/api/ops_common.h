/*
 * ops_common.h: helpers shared by the operation families: input shapes
 * several families take, the common error answers, reading a pool's
 * configuration and what a Username means in it, answers from a pool
 * that may not exist, opaque NextToken paging, redirect URL and scope
 * checks, the host name we serve under, and the effective token
 * lifetimes of an app client configuration.
 */
#ifndef OPS_COMMON_H
#define OPS_COMMON_H

#include <jansson.h>

#include "api/shape.h"
#include "core/users.h"
#include "db/pg.h"
#include "util.h"

struct api_call;
struct pg_reply;

/* Input shapes several families take (from the service model). */
extern const struct shape	ops_shape_pool_id;	/* UserPoolIdType */
extern const struct shape	ops_shape_client_id;	/* ClientIdType */

/* The members naming a user of a pool in the Admin* operations. */
#define OPS_ADMIN_USER_MEMBERS						\
	{ "UserPoolId", &ops_shape_pool_id, 1 },			\
	{ "Username", &ops_shape_username, 1 }
extern const struct shape	ops_shape_username;	/* UsernameType */
extern const struct shape	ops_shape_next_token;	/* [\S]+ */
extern const struct shape	ops_shape_password;	/* PasswordType */
extern const struct shape	ops_shape_attribute_name;
extern const struct shape	ops_shape_attributes;	/* AttributeListType */
extern const struct shape	ops_shape_attribute_names;

/* ResourceNotFoundException "User pool <id> does not exist." */
void	 ops_fail_no_pool(struct api_call *, const char *);
/* ResourceNotFoundException "User pool client <id> does not exist." */
void	 ops_fail_no_client(struct api_call *, const char *);
/* UserNotFoundException "User does not exist." */
void	 ops_fail_no_user(struct api_call *);

/*
 * 0 when a password may be set under the password policy of a pool
 * configuration, else -1 after answering the policy's exception.
 */
int	 ops_check_password(struct api_call *, json_t *, const char *)
	    MUST_CHECK;
/*
 * 0 when a crypto thread made a password hash, else -1 after answering
 * InternalErrorException.
 */
int	 ops_hashed(struct api_call *, const char *) MUST_CHECK;

/* A boolean column is true; a count column as a number (NULL: 0). */
int	 ops_true(const PGresult *, int, int);
long long ops_count(const PGresult *, int, int);

/* The compact JSON text of an object or array, malloc'd. */
char	*ops_json_text(json_t *);

/*
 * The first result of a batch that yields a row whenever the pool
 * UserPoolId names exists (a query from pools, items LEFT JOINed);
 * NULL after answering a database failure or, without a row,
 * ResourceNotFoundException.
 */
const PGresult *ops_pool_result(struct api_call *, struct pg_reply *);
/*
 * Whether a write changed an item, from a first row (pool exists,
 * items changed); otherwise answered: a database failure, no such pool,
 * or missing() for no such item.
 */
int	 ops_pool_changed(struct api_call *, struct pg_reply *,
	    void (*)(struct api_call *));

/*
 * The pool UserPoolId names as the user operations read it: its
 * configuration, the rules it sets, and the Username input normalised
 * under them (NULL when the input has none).
 */
struct ops_pool {
	json_t			*config;	/* pools.config, an object */
	struct users_rules	 rules;
	char			*key;
};

/* Read the pool's configuration; done passes its reply to ops_pool_read. */
void	 ops_pool_query(struct api_call *,
	    void (*)(struct api_call *, struct pg_reply *));
/* Fill p from that reply; -1 after answering (database, no such pool). */
int	 ops_pool_read(struct api_call *, struct pg_reply *, struct ops_pool *)
	    MUST_CHECK;
void	 ops_pool_clear(struct ops_pool *);

/*
 * An opaque NextToken over a keyset position of one or two strings
 * (b may be NULL); ops_token_parse() answers -1 for anything it did
 * not make, and the caller answers InvalidParameterException.
 */
char	*ops_token_make(const char *, const char *);
int	 ops_token_parse(const char *, char **, char **) MUST_CHECK;
/*
 * The position a page starts after, from the NextToken input (NULL
 * for the first page); -1 after answering InvalidParameterException.
 */
int	 ops_page_after(struct api_call *, char **, char **) MUST_CHECK;
/* Set member (NextToken...) of out to the position of a page's last item. */
void	 ops_page_next(json_t *, const char *, const char *, const char *);

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

#endif
