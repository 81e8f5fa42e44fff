/*
 * saml_request.h: the messages a SAML service provider sends to an
 * IdP by the HTTP-Redirect binding (SAML bindings 2.0, §3.4): an
 * AuthnRequest to start a sign-in and a LogoutRequest for IDPSignout.
 * Each comes back as the full URL to redirect the browser to: the
 * XML raw-DEFLATEd, base64'd and URL-encoded as SAMLRequest, then
 * RelayState, and, when a key is given, SigAlg (rsa-sha256) and the
 * Signature over those parameters as they appear in the query.
 */
#ifndef SAML_REQUEST_H
#define SAML_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define SAML_SIGALG_RSA_SHA256 \
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define SAML_NAMEID_PERSISTENT \
	"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
/* The largest inflated message saml_request_inflate returns. */
#define SAML_REQUEST_MAX	(256 * 1024)

struct saml_authn {
	const char	*destination;	/* the IdP's HTTP-Redirect SSO URL */
	const char	*sp_entity_id;	/* urn:amazon:cognito:sp:<pool> */
	const char	*acs_url;	/* <domain>/saml2/idpresponse */
	const char	*name_id_format; /* NULL: persistent */
	const char	*relay_state;	/* NULL: none */
	const char	*sign_key_pem;	/* the SP's RSA key; NULL: unsigned */
	int64_t		 now;
};

struct saml_logout {
	const char	*destination;	/* the IdP's HTTP-Redirect SLO URL */
	const char	*sp_entity_id;
	const char	*name_id;	/* as the IdP asserted it */
	const char	*name_id_format; /* NULL: none */
	const char	*session_index;	/* NULL: none */
	const char	*relay_state;
	const char	*sign_key_pem;
	int64_t		 now;
};

/*
 * The redirect URL, malloc'd, and the request's ID in id (41 bytes:
 * '_' and 40 hex digits; keep it for InResponseTo); NULL when the key
 * does not load or sign.
 */
char	*saml_request_authn(const struct saml_authn *, char [42]);
char	*saml_request_logout(const struct saml_logout *, char [42]);
/* The XML alone (no encoding), for tests and logs. */
char	*saml_request_authn_xml(const struct saml_authn *, const char *);
char	*saml_request_logout_xml(const struct saml_logout *, const char *);
/*
 * Undo the redirect encoding of one SAMLRequest or SAMLResponse value
 * (already URL-decoded): base64, then raw INFLATE, capped at
 * SAML_REQUEST_MAX bytes. NUL-terminated, malloc'd, or NULL.
 */
char	*saml_request_inflate(const char *, size_t *);

#endif
