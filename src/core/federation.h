/*
 * federation.h: what a federated sign-in does to the user directory,
 * written once for every provider kind (OIDC, SAML, Google, Facebook,
 * Login with Amazon, Sign in with Apple). The flow that verified the
 * provider's answer (src/fed/) fills a struct fed_identity and calls
 * federation_sign_in() on a task it owns; when the task ends with
 * success, federation_outcome() names the user to hand to the token
 * issuer or the hosted-UI session, exactly as a password sign-in does.
 *
 * As Cognito does: an identity linked to a user of the pool
 * (AdminLinkProviderForUser: by Cognito_Subject, the provider's user
 * id, or by another attribute of the identity) signs in as that user,
 * whose mapped mutable attributes take the provider's values.
 * Otherwise it signs in as the user <ProviderName>_<subject>, made at
 * its first sign-in with status EXTERNAL_PROVIDER, a new sub, the
 * identities attribute, the attributes the provider's AttributeMapping
 * maps (checked against the pool's schema as any attribute write), and
 * membership of the group <UserPoolId>_<ProviderName> (made when
 * missing). Each later sign-in writes the mapped mutable attributes
 * again. All of it is one transaction: a user is never half-made, and
 * two first sign-ins of one identity at once end in one user.
 *
 * Failures end the task with a core_err: CORE_ERR_INVALID for a pool
 * attribute that is required but not mapped ("attributes required:
 * [email]"), a mapped value the schema refuses, or an identity without
 * provider or subject; CORE_ERR_NOT_AUTHORIZED for a disabled user;
 * CORE_ERR_USER_EXISTS for a <ProviderName>_<subject> that a native
 * user holds as its username; CORE_ERR_NO_RESOURCE for no
 * such pool; BUSY and INTERNAL as any database step.
 */
#ifndef CORE_FEDERATION_H
#define CORE_FEDERATION_H

#include <jansson.h>

#include "core/err.h"
#include "core/users.h"
#include "util.h"

struct task;

/* ProviderType of CreateIdentityProvider. */
enum fed_type {
	FED_OIDC,
	FED_SAML,
	FED_GOOGLE,
	FED_FACEBOOK,
	FED_AMAZON,		/* LoginWithAmazon */
	FED_APPLE,		/* SignInWithApple */
	FED_NTYPES
};

/* An identity a provider vouched for; every pointer is borrowed. */
struct fed_identity {
	const char	*provider_name;	/* the pool's name for the provider */
	enum fed_type	 provider_type;
	const char	*issuer;	/* identities' issuer; NULL: null */
	/* The provider's user id: sub (OIDC, Google), id (Facebook), NameID. */
	const char	*subject;
	/*
	 * The provider's claims or attributes: name -> string, number,
	 * boolean, object, or (a SAML attribute of several values) an
	 * array of strings.
	 */
	json_t		*claims;
	/* AttributeMapping: pool attribute -> provider attribute name. */
	json_t		*mapping;
};

/* What a federated sign-in yields; valid while the task lives. */
struct fed_outcome {
	struct user	 user;		/* the row, as written */
	int		 created;	/* this sign-in made the user */
	int		 linked;	/* a link gave a user of the pool */
	long long	 auth_time;	/* now, for the tokens' auth_time */
};

/*
 * Sign identity in to pool pool_id on t: t's data becomes the sign-in's
 * state (the identity is copied, the caller's may go), and t ends once,
 * with success (read federation_outcome) or a core_err. The caller then
 * issues the pool's tokens for outcome->user as for any sign-in: a
 * tokens_grant with user = &outcome->user and auth_time, or a hosted
 * session and grants_code() with its sub.
 */
void	 federation_sign_in(struct task *, const char *,
	    const struct fed_identity *);
const struct fed_outcome *federation_outcome(struct task *);

/* "OIDC", "SAML", "Google", ...; NULL out of range. */
const char *federation_type_name(enum fed_type);
/* The type of a ProviderType name; -1 when unknown. */
int	 federation_type_of(const char *, enum fed_type *) MUST_CHECK;

/* --- The pure parts, for the sign-in and the tests --- */

/*
 * A claim's value as the attribute string Cognito writes: a string as
 * it is, true/false, a number in decimal, an array of one value as
 * that value, of several as "[a, b]", an object as its JSON text.
 * malloc'd; NULL for null, a missing claim or an empty array.
 */
char	*federation_claim_text(json_t *);

/*
 * The pool attributes identity's mapping gives, checked against the
 * pool's schema (rules) as an administrator's write: *create, the new
 * user's attributes (without identities), and *update, the mutable
 * ones, which a later sign-in merges into the user's (new references).
 * Mapping keys username, sub and identities map nothing. 0, or -1
 * with *ekind and *emsg (malloc'd).
 */
int	 federation_map(const struct users_rules *, const struct fed_identity *,
	    json_t **, json_t **, enum core_err_kind *, char **) MUST_CHECK;
/*
 * -1 with *emsg ("attributes required: [email, name]") when the pool
 * requires an attribute that attrs lacks, else 0.
 */
int	 federation_check_required(const struct users_rules *, json_t *,
	    char **) MUST_CHECK;

/*
 * One element of the identities attribute for identity (userId
 * user_id, created at ms since the epoch), as Cognito writes it:
 * {"userId", "providerName", "providerType", "issuer", "primary",
 * "dateCreated"} in that order, primary a boolean and dateCreated a
 * number. Compact JSON text, malloc'd.
 */
char	*federation_identity_text(const char *, const char *, enum fed_type,
	    const char *, int, long long);

/*
 * The ID token's identities claim from the attribute's text: the
 * array with primary and dateCreated as strings, as Cognito's tokens
 * carry them (new reference); NULL when the text is not an array.
 */
json_t	*federation_identities_claim(const char *);

#endif
