/*
 * test_saml_keys.c: fed/saml_keys.c and fed/saml_redirect.c. A pool's
 * SAML key pair is made once: its certificate is DER that mbedTLS
 * parses, self-signed for CN=<pool>, valid ten years, over the public
 * half of the private key given. An AuthnRequest signed with that key
 * (fed/saml_request.c) passes saml_redirect_verify against metadata
 * listing the certificate, and fails once a signed parameter changes,
 * without a signature, with another algorithm, or with metadata that
 * lists another certificate.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "crypto/b64.h"
#include "fed/saml_keys.h"
#include "fed/saml_meta.h"
#include "fed/saml_redirect.h"
#include "fed/saml_request.h"
#include "suites.h"

#define SK_POOL	"us-east-1_SamlKeys"

static char	*sk_key, *sk_cert;

static void
sk_setup(void)
{
	char	*why = NULL;

	if (saml_keys_generate(SK_POOL, &sk_key, &sk_cert, &why) != 0)
		ck_abort_msg("saml_keys_generate: %s", why);
}

static void
sk_teardown(void)
{
	free(sk_key);
	free(sk_cert);
}

START_TEST(test_certificate)
{
	mbedtls_x509_crt	 crt;
	mbedtls_pk_context	 prv;
	unsigned char		*der;
	size_t			 n;
	char			 subject[256];

	ck_assert_int_eq(b64_decode(sk_cert, &der, &n), 0);
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&prv);
	ck_assert_int_eq(mbedtls_x509_crt_parse_der(&crt, der, n), 0);
	ck_assert_int_gt(mbedtls_x509_dn_gets(subject, sizeof subject,
	    &crt.subject), 0);
	ck_assert_str_eq(subject, "CN=" SK_POOL);
	ck_assert_int_ge(crt.valid_to.year - crt.valid_from.year, 10);
	ck_assert_int_eq(mbedtls_pk_parse_key(&prv,
	    (const unsigned char *)sk_key, strlen(sk_key) + 1, NULL, 0), 0);
	ck_assert_int_eq(mbedtls_pk_check_pair(&crt.pk, &prv), 0);
	ck_assert_int_eq(mbedtls_pk_get_bitlen(&prv), 2048);
	mbedtls_pk_free(&prv);
	mbedtls_x509_crt_free(&crt);
	free(der);
}
END_TEST

/* A signed AuthnRequest's query (malloc'd). */
static char *
sk_signed_query(const char *key)
{
	struct saml_authn	 a;
	char			 id[42], *url, *q;

	memset(&a, 0, sizeof a);
	a.destination = "https://idp.example/sso";
	a.sp_entity_id = "urn:amazon:cognito:sp:" SK_POOL;
	a.acs_url = "https://sp.example/saml2/idpresponse";
	a.relay_state = "state-1/+=&x";
	a.sign_key_pem = key;
	a.now = 1893553445;
	url = saml_request_authn(&a, id);
	ck_assert_ptr_nonnull(url);
	q = xstrdup(strchr(url, '?') + 1);
	free(url);
	return q;
}

static int
sk_verify(const char *query, const char *cert)
{
	struct saml_meta	 m;
	char			 why[200];

	memset(&m, 0, sizeof m);
	m.signing[0] = (char *)cert;
	m.nsigning = 1;
	return saml_redirect_verify(query, "SAMLRequest", &m, why,
	    sizeof why);
}

START_TEST(test_redirect_signature)
{
	char	*q = sk_signed_query(sk_key), *bad, *p;
	char	*other_key, *other_cert, *why;

	ck_assert_int_eq(sk_verify(q, sk_cert), 0);
	/* A signed parameter changed. */
	bad = xstrdup(q);
	p = strstr(bad, "RelayState=");
	ck_assert_ptr_nonnull(p);
	p[strlen("RelayState=")] ^= 1;
	ck_assert_int_eq(sk_verify(bad, sk_cert), -1);
	free(bad);
	/* No signature. */
	bad = xstrdup(q);
	*strstr(bad, "&Signature=") = '\0';
	ck_assert_int_eq(sk_verify(bad, sk_cert), -1);
	free(bad);
	/* Another algorithm named. */
	bad = xasprintf("%s", q);
	p = strstr(bad, "rsa-sha256");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "rsa-sha384", 10);
	ck_assert_int_eq(sk_verify(bad, sk_cert), -1);
	free(bad);
	/* Metadata with another certificate. */
	ck_assert_int_eq(saml_keys_generate(SK_POOL, &other_key, &other_cert,
	    &why), 0);
	ck_assert_int_eq(sk_verify(q, other_cert), -1);
	free(other_key);
	free(other_cert);
	free(q);
}
END_TEST

Suite *
saml_keys_suite(void)
{
	Suite	*s = suite_create("saml_keys");
	TCase	*tc = tcase_create("keys");

	tcase_add_unchecked_fixture(tc, sk_setup, sk_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_certificate);
	tcase_add_test(tc, test_redirect_signature);
	suite_add_tcase(s, tc);
	return s;
}
