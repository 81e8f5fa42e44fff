/*
 * saml_keys.c: a pool's SAML key pair and certificate (see saml_keys.h).
 * The key is made with mbedTLS (e = 65537, randomness from getrandom)
 * and signs its own certificate (sha256WithRSAEncryption, subject and
 * issuer CN=<pool id>, a random 128-bit serial, valid from a day ago
 * for ten years). The private key comes out as PKCS#1 PEM, which the
 * request signer and the assertion decrypter (xmlsec) load; the
 * certificate as base64 of its DER, as X509Certificate elements and
 * GetSigningCertificate carry it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/bignum.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_crt.h>

#include "crypto/b64.h"
#include "crypto/random.h"
#include "fed/saml_keys.h"
#include "util.h"

#define SAML_KEYS_BITS		2048
#define SAML_KEYS_DAYS		3650
#define SAML_KEYS_BUF		8192

/* YYYYMMDDhhmmss, days from now. */
static void
saml_keys_time(char *buf, size_t len, int days)
{
	time_t		t = time(NULL) + (time_t)days * 86400;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%d%H%M%S", &tm);
}

static int
saml_keys_serial(mbedtls_mpi *serial)
{
	unsigned char	b[16];

	if (random_mbedtls(NULL, b, sizeof b) != 0)
		return -1;
	b[0] = (b[0] & 0x7f) | 0x40;
	return mbedtls_mpi_read_binary(serial, b, sizeof b) == 0 ? 0 : -1;
}

/* The certificate of key for pool_id as base64 DER, or NULL. */
static char *
saml_keys_cert(mbedtls_pk_context *key, const char *pool_id)
{
	mbedtls_x509write_cert	 crt;
	mbedtls_mpi		 serial;
	unsigned char		*buf = xmalloc(SAML_KEYS_BUF);
	char			 from[16], to[16], *name, *out = NULL;
	int			 n;

	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	name = xasprintf("CN=%s", pool_id);
	saml_keys_time(from, sizeof from, -1);
	saml_keys_time(to, sizeof to, SAML_KEYS_DAYS);
	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, key);
	mbedtls_x509write_crt_set_issuer_key(&crt, key);
	if (saml_keys_serial(&serial) != 0 ||
	    mbedtls_x509write_crt_set_serial(&crt, &serial) != 0 ||
	    mbedtls_x509write_crt_set_validity(&crt, from, to) != 0 ||
	    mbedtls_x509write_crt_set_subject_name(&crt, name) != 0 ||
	    mbedtls_x509write_crt_set_issuer_name(&crt, name) != 0 ||
	    mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1) != 0)
		goto out;
	/* The DER is written at the end of the buffer. */
	n = mbedtls_x509write_crt_der(&crt, buf, SAML_KEYS_BUF,
	    random_mbedtls, NULL);
	if (n > 0)
		out = b64_encode(buf + SAML_KEYS_BUF - n, (size_t)n);
out:
	free(name);
	free(buf);
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	return out;
}

int
saml_keys_generate(const char *pool_id, char **key_pem, char **cert,
    char **cause)
{
	mbedtls_pk_context	 pk;
	unsigned char		*buf = xcalloc(1, SAML_KEYS_BUF);
	int			 rc = -1;

	*key_pem = *cert = NULL;
	mbedtls_pk_init(&pk);
	if (mbedtls_pk_setup(&pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0 ||
	    mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), random_mbedtls, NULL,
	    SAML_KEYS_BITS, 65537) != 0 ||
	    mbedtls_pk_write_key_pem(&pk, buf, SAML_KEYS_BUF) != 0) {
		*cause = xstrdup("RSA key generation failed");
		goto out;
	}
	if ((*cert = saml_keys_cert(&pk, pool_id)) == NULL) {
		*cause = xstrdup("the certificate could not be made");
		goto out;
	}
	*key_pem = xstrdup((char *)buf);
	rc = 0;
out:
	wipe(buf, SAML_KEYS_BUF);
	free(buf);
	mbedtls_pk_free(&pk);
	return rc;
}
