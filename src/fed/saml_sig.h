/*
 * saml_sig.h: the XML Signature and XML Encryption steps of the SAML
 * response check (saml_response.c), over xmlsec with its OpenSSL
 * back end: verify one element's enveloped signature with the IdP's
 * certificates, and decrypt an EncryptedAssertion in place with the
 * SP's private key. Each allows only the algorithms a SAML IdP needs.
 */
#ifndef SAML_SIG_H
#define SAML_SIG_H

#include <stddef.h>

#include <libxml/tree.h>

#include "fed/saml_response.h"

/*
 * Register e's ID attribute as the document's ID for its value (the
 * only way an ID comes to exist here); -1 when it has none or another
 * node already holds the value.
 */
int	saml_sig_register_id(xmlNodePtr) MUST_CHECK;
/*
 * Verify sig, a ds:Signature child of target, as target's enveloped
 * signature by the key of one of the base64 DER certificates.
 */
int	saml_sig_verify(xmlNodePtr, xmlNodePtr, char *const *, size_t,
	    struct saml_error *) MUST_CHECK;
/* Replace the EncryptedData under an EncryptedAssertion by its plain. */
int	saml_sig_decrypt(xmlNodePtr, const char *, struct saml_error *)
	    MUST_CHECK;

#endif
