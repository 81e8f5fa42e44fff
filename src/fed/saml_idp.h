/*
 * saml_idp.h: the pool as a SAML 2.0 service provider, apart from the
 * wire: the AuthnRequest that starts an SP-initiated sign-in (the
 * application's request kept under a state, db/fed_states.c, which
 * travels as RelayState), the check of the Response an IdP posts back
 * (signature by the provider's metadata certificates, audience,
 * recipient, time, InResponseTo, decryption, and the assertion's ID
 * used once), the LogoutRequest of an IDPSignout provider, and the
 * pool's SP key pair and certificate (made at the first need) with the
 * SP metadata that publishes them. Each runs in the caller's task and
 * ends it. The provider's metadata is fetched again from its
 * MetadataURL when its validUntil or cacheDuration has ended. Functions
 * are prefixed saml_idp_.
 *
 * Failures: CORE_ERR_NOT_AUTHORIZED for a Response refused (the reason
 * in the message) or an assertion used before; CORE_ERR_CONFIG for a
 * provider whose metadata cannot serve (no SSO URL, cannot be parsed
 * or fetched again); CORE_ERR_UNSUPPORTED for an IdP-initiated Response
 * to a provider without IDPInit or for a client that supports other
 * providers than SAML ones (COGNITO included), as Cognito requires;
 * CORE_ERR_NO_RESOURCE for no such pool or provider; BUSY and INTERNAL
 * as any step.
 */
#ifndef FED_SAML_IDP_H
#define FED_SAML_IDP_H

#include <jansson.h>

#include "db/idps.h"
#include "fed/saml_response.h"

struct task;

/* An SP-initiated sign-in to start (borrowed). */
struct saml_idp_authn {
	const char		*pool_id;
	const struct db_idp	*idp;
	json_t			*request;	/* the application's, kept */
	const char		*browser;	/* the browser's cookie value */
	const char		*base_url;	/* https://<domain> */
};

/* Keep the request; *url gets the IdP's SSO URL with the AuthnRequest. */
void	saml_idp_authn(struct task *, const struct saml_idp_authn *, char **);

/* A Response to check (borrowed). */
struct saml_idp_check {
	const char		*pool_id;
	/* The provider: as the state kept it, or by name (IdP-initiated). */
	const struct db_idp	*idp;
	const char		*provider_name;
	const char		*base_url;
	const char		*in_response_to; /* NULL: IdP-initiated */
	const char		*response;	/* SAMLResponse, base64 */
	/* IdP-initiated: the client's SupportedIdentityProviders. */
	json_t			*supported;
};

/* The checked assertion into *out (saml_assertion_free; *idp too). */
void	saml_idp_verify(struct task *, const struct saml_idp_check *,
	    struct saml_assertion *, struct db_idp *);

/* A sign-out at the provider (borrowed). */
struct saml_idp_signout {
	const char	*pool_id;
	const char	*session;	/* the hosted-UI session's secret */
	json_t		*request;	/* client_id, logout_uri: kept */
	const char	*browser;
	const char	*base_url;
};

/*
 * When the session came from a SAML provider with IDPSignout, end it
 * and set *url to the provider's SLO URL with a signed LogoutRequest
 * (its ID kept under the state sent as RelayState); else *url stays
 * NULL and nothing is done.
 */
void	saml_idp_signout(struct task *, const struct saml_idp_signout *,
	    char **);

/* The pool's SP certificate (base64 DER) into *cert (malloc'd). */
void	saml_idp_certificate(struct task *, const char *, char **);
/*
 * The SP metadata document of the pool of a domain (prefix or custom
 * domain), reached at base_url, into *xml (malloc'd).
 */
void	saml_idp_sp_metadata(struct task *, const char *, const char *,
	    char **);

/* The IdP's LogoutResponse by HTTP-Redirect (borrowed). */
struct saml_idp_answer {
	const char	*query;		/* the raw query it came with */
	const char	*response;	/* SAMLResponse, URL-decoded */
	const char	*in_response_to; /* the LogoutRequest's ID */
	const char	*metadata;	/* the IdP's metadata document */
};

/*
 * Check on a worker that the LogoutResponse carries a query signature
 * by one of the IdP's metadata certificates (fed/saml_redirect.c) and
 * answers the LogoutRequest with Success; CORE_ERR_NOT_AUTHORIZED with
 * a message for a page if not.
 */
void	saml_idp_logout_check(struct task *, const struct saml_idp_answer *);

/* 1 when a provider's boolean detail (IDPSignout...) is "true". */
int	saml_idp_detail_true(const struct db_idp *, const char *);

#endif
