/*
 * saml_sp.h: the service provider's own SAML 2.0 metadata, served at
 * <domain>/saml2/metadata for an IdP administrator to register the
 * pool: entityID urn:amazon:cognito:sp:<UserPoolId>, the assertion
 * consumer service <domain>/saml2/idpresponse (HTTP-POST), the single
 * logout service <domain>/saml2/logout (HTTP-Redirect), and the SP's
 * signing and encryption certificates.
 */
#ifndef SAML_SP_H
#define SAML_SP_H

#include <stddef.h>

struct saml_sp {
	const char	*pool_id;	/* us-east-1_XXXX */
	const char	*base_url;	/* https://<domain>, no trailing / */
	const char	*signing_cert;	/* base64 DER; NULL: none */
	const char	*encryption_cert; /* base64 DER; NULL: none */
	int		 authn_signed;	/* AuthnRequestsSigned */
};

/* urn:amazon:cognito:sp:<pool_id>, malloc'd. */
char	*saml_sp_entity_id(const char *);
/* <base_url>/saml2/idpresponse and /saml2/logout, malloc'd. */
char	*saml_sp_acs_url(const char *);
char	*saml_sp_slo_url(const char *);
/* The EntityDescriptor document (with its XML declaration), malloc'd. */
char	*saml_sp_metadata(const struct saml_sp *);

#endif
