/*
 * saml_response.h: the check of a SAML 2.0 Response that an identity
 * provider posts to <domain>/saml2/idpresponse (HTTP-POST binding,
 * Web Browser SSO profile), and what the service provider takes from
 * it: the subject's NameID, the attributes, the SessionIndex, and the
 * assertion's ID and lifetime for the caller's replay store.
 *
 * A response passes only when all of this holds: Status Success; an
 * XML signature by one of the IdP's metadata certificates on the
 * Response or on the Assertion (rsa-sha256 or rsa-sha1; unsigned is
 * refused); exactly one Assertion in the whole document, which the
 * verified signature covers (see saml_response.c on wrapping); Issuer
 * equal to the IdP's entityID; an AudienceRestriction naming the SP's
 * entity id; a bearer SubjectConfirmation whose Recipient is the ACS
 * URL, whose NotOnOrAfter has not passed and whose InResponseTo fits;
 * the Conditions' time window; Destination, when present, equal to the
 * ACS URL. Times allow SAML_RESPONSE_SKEW seconds of clock skew. An
 * EncryptedAssertion is decrypted with the SP's private key first.
 */
#ifndef SAML_RESPONSE_H
#define SAML_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "fed/saml_meta.h"
#include "util.h"

#define SAML_RESPONSE_SKEW	180	/* seconds, as Cognito allows */
#define SAML_RESPONSE_MAX_ATTRS	256	/* attributes, and values of one */

/* Why a response was refused; saml_fail_name() spells each. */
enum saml_fail {
	SAML_OK,
	SAML_MALFORMED,		/* not base64, not XML, not a Response */
	SAML_STATUS,		/* the IdP answered with an error status */
	SAML_UNSIGNED,		/* neither Response nor Assertion signed */
	SAML_SIGNATURE,		/* a signature that does not verify */
	SAML_WRAPPING,		/* not exactly one Assertion, or a signature
				   that does not cover the one read */
	SAML_ISSUER,
	SAML_AUDIENCE,
	SAML_RECIPIENT,		/* no bearer confirmation for the ACS URL */
	SAML_DESTINATION,
	SAML_EXPIRED,
	SAML_NOT_YET_VALID,
	SAML_IN_RESPONSE_TO,
	SAML_DECRYPT,		/* encrypted and no key, or it fails */
	SAML_SUBJECT,		/* no NameID */
};

struct saml_expect {
	const struct saml_meta	*idp;		/* entityID, signing certs */
	const char		*sp_entity_id;	/* urn:amazon:cognito:sp:.. */
	const char		*acs_url;	/* <domain>/saml2/idpresponse */
	/* The AuthnRequest's ID; NULL for IdP-initiated (then none). */
	const char		*in_response_to;
	int64_t			 now;		/* epoch seconds */
	/* The SP's RSA key (PEM) for EncryptedAssertion, or NULL. */
	const char		*sp_key_pem;
	/* EncryptedResponses: a plain Assertion is refused (SAML_DECRYPT). */
	int			 require_encrypted;
};

struct saml_attr {
	char	 *name;
	char	**values;
	size_t	  nvalues;
};

struct saml_assertion {
	char			*name_id;
	char			*name_id_format;	/* NULL if absent */
	char			*session_index;		/* NULL if absent */
	char			*assertion_id;
	char			*issuer;
	int64_t			 issue_instant;
	/* The last second this assertion could pass: keep its ID till then. */
	int64_t			 expires;
	struct saml_attr	*attrs;
	size_t			 nattrs;
};

struct saml_error {
	enum saml_fail	kind;
	char		msg[200];
};

/*
 * Check the base64 SAMLResponse form value (len bytes) against expect;
 * 0 with out filled, or -1 with err set and out empty.
 */
int	 saml_response_verify(const char *, size_t,
	    const struct saml_expect *, struct saml_assertion *,
	    struct saml_error *) MUST_CHECK;
void	 saml_assertion_free(struct saml_assertion *);
/* The attribute's values, or NULL. */
const struct saml_attr *saml_assertion_attr(const struct saml_assertion *,
	    const char *);
const char *saml_fail_name(enum saml_fail);

#endif
