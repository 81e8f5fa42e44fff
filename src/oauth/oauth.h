/*
 * oauth.h: a pool domain's OAuth2 endpoints (authorize.c, token.c,
 * userinfo.c, logout.c) and their RFC 6749 answers (oauth.c), over the
 * core's grants (core/grants.c) and sessions (core/sessions.c). The
 * route table and the request context they share are http/domain.c's.
 */
#ifndef OAUTH_H
#define OAUTH_H

#include <jansson.h>

#include "core/err.h"

struct domain_req;
struct fed_identity;

/* An RFC 6749 error: the HTTP status of the token endpoint and the code. */
struct oauth_error {
	int		 status;
	const char	*error;
};

/* The RFC 6749 error of a core error kind (oauth.c's one table). */
const struct oauth_error *oauth_error(enum core_err_kind);
/* Answer a core error as oauth_error() says (no-store JSON). */
void	 oauth_reply_err(struct domain_req *, const struct core_err *);

/* The endpoints. */
void	 authorize_get(struct domain_req *);
void	 token_post(struct domain_req *);
void	 revoke_post(struct domain_req *);
void	 userinfo_handle(struct domain_req *);
void	 logout_get(struct domain_req *);
/* idpresponse.c: to an identity provider, and back from it. */
void	 idpresponse_authorize(struct domain_req *);
void	 idpresponse_get(struct domain_req *);
/* The domain's absolute URL and the browser's federation cookie value. */
char	*idpresponse_base_url(struct domain_req *);
char	*idpresponse_browser(struct domain_req *);
void	 idpresponse_set_saml_cookie(struct domain_req *, const char *);
/*
 * Sign the verified identity in (core/federation.c), set the hosted-UI
 * session (with o->fed_saml, when a SAML sign-in made it) and answer the
 * application's checked request with the pool's code: the one ending of
 * every federated sign-in.
 */
void	 idpresponse_sign_in(struct domain_req *, const struct fed_identity *);
/* saml2.c: the SAML service provider's endpoints. */
void	 saml2_idpresponse_post(struct domain_req *);
void	 saml2_metadata_get(struct domain_req *);
void	 saml2_logout_get(struct domain_req *);
/* /logout through the IdP when the session came from IDPSignout SAML. */
void	 saml2_signout(struct domain_req *, const char *,
	    void (*)(struct domain_req *));

/* {"error", "error_description"} with status (no-store). */
void	 oauth_reply_error(struct domain_req *, int, const char *,
	    const char *);
/* body (stolen) as JSON with status, no-store. */
void	 oauth_reply_json(struct domain_req *, int, json_t *);

#endif
