/*
 * saml_keys.h: a pool's SAML service-provider key pair: RSA-2048 that
 * signs its AuthnRequests and LogoutRequests and decrypts the
 * assertions an IdP encrypts for it, with a self-signed X.509
 * certificate valid ten years (as Cognito's), which the SP metadata
 * and GetSigningCertificate publish. Functions are prefixed saml_keys_.
 */
#ifndef FED_SAML_KEYS_H
#define FED_SAML_KEYS_H

#include "util.h"

/* Slow (RSA key generation): call on a worker thread. */
int	 saml_keys_generate(const char *, char **, char **, char **)
	    MUST_CHECK;

#endif
