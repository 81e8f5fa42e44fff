/*
 * saml_meta.h: what a SAML 2.0 identity provider's metadata document
 * tells a service provider (SAML metadata 2.0, §2.4.3 IDPSSODescriptor):
 * the IdP's entityID, where to send AuthnRequests and LogoutRequests,
 * the certificates whose keys sign its responses and the one to encrypt
 * for, and how long the document may be kept. The document is either
 * an EntityDescriptor or an EntitiesDescriptor holding exactly one IdP.
 *
 * Parsing refuses what a SAML IdP configuration cannot work without
 * (not XML, no IDPSSODescriptor for the SAML 2.0 protocol, no signing
 * certificate, a certificate that is not X.509) with a reason fit for
 * an InvalidParameterException message.
 */
#ifndef SAML_META_H
#define SAML_META_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Certificates kept per use (an IdP rolling its key lists two or so). */
#define SAML_META_MAX_CERTS	8

struct saml_meta {
	char	*entity_id;
	char	*sso_redirect;		/* SingleSignOnService, per binding */
	char	*sso_post;
	char	*slo_redirect;		/* SingleLogoutService, per binding */
	char	*slo_post;
	/* X509Certificate contents: base64 of the DER, no whitespace. */
	char	*signing[SAML_META_MAX_CERTS];
	size_t	 nsigning;
	char	*encryption;		/* NULL when none is listed */
	int64_t	 valid_until;		/* epoch seconds; 0 when absent */
	int64_t	 cache_duration;	/* seconds; -1 when absent */
	int	 want_authn_signed;	/* WantAuthnRequestsSigned */
};

/* Parse metadata; 0, or -1 with a reason in err (out is then empty). */
int	 saml_meta_parse(const char *, size_t, struct saml_meta *, char *,
	    size_t) MUST_CHECK;
void	 saml_meta_free(struct saml_meta *);
/*
 * When metadata fetched at the given time should be fetched again:
 * the earlier of validUntil and the fetch time plus cacheDuration,
 * or 0 when the document sets neither.
 */
int64_t	 saml_meta_expiry(const struct saml_meta *, int64_t);

#endif
