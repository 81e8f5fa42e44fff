/*
 * saml_testkey.c: a 2048-bit RSA key and a self-signed certificate for
 * it, made with libcrypto (see saml_testkey.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/b64.h"
#include "saml_testkey.h"
#include "util.h"

/* The contents of a memory BIO as a string. */
static char *
saml_testkey_bio(BIO *b)
{
	char	*p;
	long	 n = BIO_get_mem_data(b, &p);

	return xstrndup(p, (size_t)n);
}

/* Write s to a fresh file from the template path. */
static void
saml_testkey_file(char *path, size_t len, const char *s)
{
	int	fd;

	strlcpy(path, "/tmp/saml_testkey_XXXXXX", len);
	if ((fd = mkstemp(path)) == -1)
		fatal("mkstemp");
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		fatal("write");
	close(fd);
}

static X509 *
saml_testkey_cert(EVP_PKEY *pk)
{
	X509		*x = X509_new();
	X509_NAME	*name;

	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pk);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"saml test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, pk, EVP_sha256()) == 0)
		fatalx("X509_sign");
	return x;
}

void
saml_testkey_make(struct saml_testkey *k)
{
	EVP_PKEY	*pk;
	X509		*x;
	BIO		*b;
	unsigned char	*der = NULL;
	int		 len;

	if ((pk = EVP_RSA_gen(2048)) == NULL)
		fatalx("EVP_RSA_gen");
	x = saml_testkey_cert(pk);
	if ((len = i2d_X509(x, &der)) <= 0)
		fatalx("i2d_X509");
	k->cert_b64 = b64_encode(der, (size_t)len);
	OPENSSL_free(der);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	k->cert_pem = saml_testkey_bio(b);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	k->key_pem = saml_testkey_bio(b);
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(pk);
	saml_testkey_file(k->cert_file, sizeof(k->cert_file), k->cert_pem);
	saml_testkey_file(k->key_file, sizeof(k->key_file), k->key_pem);
}

void
saml_testkey_free(struct saml_testkey *k)
{
	unlink(k->cert_file);
	unlink(k->key_file);
	free(k->cert_b64);
	free(k->cert_pem);
	free(k->key_pem);
	memset(k, 0, sizeof(*k));
}
