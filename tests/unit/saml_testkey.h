/*
 * saml_testkey.h: RSA keys and self-signed certificates made at test
 * time for the SAML unit tests (no key material is checked in), with
 * the forms those tests need: the certificate as metadata carries it
 * (base64 DER), and key and certificate as PEM files for the xmlsec1
 * tool that signs and encrypts test responses.
 */
#ifndef SAML_TESTKEY_H
#define SAML_TESTKEY_H

struct saml_testkey {
	char	*cert_b64;	/* base64 DER, one line */
	char	*cert_pem;
	char	*key_pem;
	char	 cert_file[64];	/* PEM files in /tmp, removed by free */
	char	 key_file[64];
};

void	 saml_testkey_make(struct saml_testkey *);
void	 saml_testkey_free(struct saml_testkey *);

#endif
