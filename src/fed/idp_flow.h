/*
 * idp_flow.h: a hosted sign-in through an OIDC or social identity
 * provider, from /oauth2/authorize with identity_provider (or
 * idp_identifier) to the provider's answer at /oauth2/idpresponse,
 * apart from the wire: the provider chosen and checked against the
 * client's SupportedIdentityProviders, the application's request kept
 * (db/fed_states.c) under a random state bound to the browser, and the
 * authorization URL at the provider; then the state taken back, single
 * use, with what the redemption (fed/oidc_idp.c) needs. A SAML
 * provider's start is fed/saml_idp.c's (an AuthnRequest, its ID kept
 * as the state's nonce, no PKCE), which keeps its state here too. Each
 * runs in the caller's task and ends it. Functions are prefixed
 * idp_flow_.
 *
 * Taking a SignInWithApple state back also signs the client secret of
 * its token request (fed/apple.c) with the provider's sealed key.
 *
 * Failures: CORE_ERR_UNSUPPORTED for a provider the pool lacks or the
 * client does not support, CORE_ERR_CONFIG for a provider of an unknown
 * type or whose Apple key cannot sign, CORE_ERR_BAD_GRANT for a state
 * that is unknown, used, expired or of another browser; BUSY and
 * INTERNAL as any database step.
 */
#ifndef FED_IDP_FLOW_H
#define FED_IDP_FLOW_H

#include <jansson.h>

#include "core/federation.h"
#include "db/idps.h"

struct pg_batch;
struct task;

/* The random bytes of a state and of the browser's cookie. */
#define IDP_FLOW_SECRET_BYTES	32

/* A sign-in to send to a provider (borrowed). */
struct idp_flow_start {
	const char	*pool_id;
	json_t		*client_config;	/* SupportedIdentityProviders */
	const char	*name;		/* identity_provider, or NULL */
	const char	*identifier;	/* idp_identifier, or NULL */
	json_t		*request;	/* the application's, kept */
	const char	*redirect_uri;	/* <domain>/oauth2/idpresponse */
	const char	*base_url;	/* https://<domain>, for SAML's ACS */
	const char	*browser;	/* the browser's cookie value */
	int		*saml;		/* set to 1 for a SAML provider */
	int		*form_post;	/* set to 1: it answers by POST */
};

/* Keep the request; *url gets the provider's authorization URL. */
void	idp_flow_start(struct task *, const struct idp_flow_start *,
	    char **);

/* What a new state keeps (borrowed). */
struct idp_flow_kept {
	const char	*pool_id;
	const char	*provider_name;
	json_t		*request;	/* the application's (or logout's) */
	const char	*browser;	/* the browser's cookie value */
	const char	*nonce;		/* OIDC's nonce; SAML's request ID */
	const char	*verifier;	/* PKCE; NULL for SAML */
	const char	*state;		/* NULL: a new one */
};

/*
 * Add to b the insert of a state keeping k; the state (malloc'd, wiped
 * by the caller) to send to the provider.
 */
char	*idp_flow_keep(struct pg_batch *, const struct idp_flow_kept *);

/* A state taken back (owned: idp_flow_clear). */
struct idp_flow {
	char		*pool_id;
	json_t		*request;	/* the application's request */
	struct db_idp	 idp;
	enum fed_type	 type;
	char		*nonce;
	char		*verifier;	/* NULL for SAML */
	char		*client_secret;	/* or NULL; Apple's signed JWT */
};

/* Take the state (value, browser cookie value) into *flow. */
void	idp_flow_take(struct task *, const char *, const char *,
	    struct idp_flow *);
void	idp_flow_clear(struct idp_flow *);

/* 1 when the client's SupportedIdentityProviders has name. */
int	idp_flow_supported(json_t *, const char *);
/* The identifier idp_identifier names: the domain of an e-mail address. */
const char *idp_flow_identifier_domain(const char *);

#endif
