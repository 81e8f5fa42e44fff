/*
 * saml_redirect.h: the check of a message an IdP sends by the SAML
 * HTTP-Redirect binding with a query signature (SAML bindings 2.0,
 * §3.4.4.1): the signature (rsa-sha256) over the parameters exactly as
 * they appear in the query, SAMLRequest or SAMLResponse, RelayState
 * when present, then SigAlg, by one of the IdP's metadata signing
 * certificates. Functions are prefixed saml_redirect_.
 */
#ifndef FED_SAML_REDIRECT_H
#define FED_SAML_REDIRECT_H

#include <stddef.h>

#include "fed/saml_meta.h"
#include "util.h"

/*
 * Check the raw query (not decoded) of a message whose parameter is
 * what ("SAMLResponse"): 0, or -1 with a reason in why (unsigned, an
 * algorithm other than rsa-sha256, a signature none of the keys made).
 */
int	saml_redirect_verify(const char *, const char *,
	    const struct saml_meta *, char *, size_t) MUST_CHECK;

#endif
