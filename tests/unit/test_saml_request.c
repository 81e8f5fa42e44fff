/*
 * test_saml_request.c: fed/saml_request.c and fed/saml_sp.c. The
 * redirect URLs are taken apart as an IdP would: the query split and
 * URL-decoded, SAMLRequest inflated and parsed back, the query-string
 * signature verified with the SP's certificate (and refused once a
 * parameter changes); values that need escaping survive; an oversized
 * DEFLATE stream is refused. The SP metadata is parsed back too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <zlib.h>

#include "crypto/b64.h"
#include "fed/saml_request.h"
#include "fed/saml_sp.h"
#include "fed/saml_xml.h"
#include "saml_testkey.h"
#include "suites.h"

#define RQ_NOW	1893553445	/* 2030-01-02T03:04:05Z */

static struct saml_testkey	ksp;

static void
rq_setup(void)
{
	saml_testkey_make(&ksp);
}

static void
rq_teardown(void)
{
	saml_testkey_free(&ksp);
}

/* The URL-decoded value of parameter name in the query, or NULL. */
static char *
rq_param(const char *url, const char *name)
{
	const char	*p = strchr(url, '?');
	char		*out, *o;
	size_t		 n = strlen(name);
	unsigned int	 c;

	for (; p != NULL; p = strchr(p + 1, '&'))
		if (strncmp(p + 1, name, n) == 0 && p[1 + n] == '=')
			break;
	if (p == NULL)
		return NULL;
	p += n + 2;
	out = o = xcalloc(1, strlen(p) + 1);
	for (; *p != '\0' && *p != '&'; p++) {
		if (*p == '%' && sscanf(p + 1, "%2x", &c) == 1) {
			*o++ = (char)c;
			p += 2;
		} else
			*o++ = *p == '+' ? ' ' : *p;
	}
	return out;
}

/* The inflated, parsed SAMLRequest of url. */
static xmlDocPtr
rq_doc(const char *url)
{
	char		*v, *xml, err[160];
	size_t		 len;
	xmlDocPtr	 doc;

	v = rq_param(url, "SAMLRequest");
	ck_assert_ptr_nonnull(v);
	xml = saml_request_inflate(v, &len);
	ck_assert_ptr_nonnull(xml);
	doc = saml_xml_parse(xml, len, err, sizeof(err));
	ck_assert_msg(doc != NULL, "%s", err);
	free(v);
	free(xml);
	return doc;
}

static void
rq_attr_eq(xmlNodePtr e, const char *name, const char *want)
{
	char	*v = saml_xml_attr(e, name);

	ck_assert_msg(v != NULL && strcmp(v, want) == 0, "%s=%s, want %s",
	    name, v ? v : "(none)", want);
	free(v);
}

static void
rq_text_eq(xmlNodePtr e, const char *want)
{
	char	*v;

	ck_assert_ptr_nonnull(e);
	v = saml_xml_text(e);
	ck_assert_str_eq(v, want);
	free(v);
}

/* 1 when the query's Signature verifies over the signed part, as is. */
static int
rq_sig_ok(const char *url, const char *cert_pem)
{
	const char	*q = strchr(url, '?') + 1, *end;
	char		*sig64;
	unsigned char	*sig;
	size_t		 siglen;
	BIO		*b = BIO_new_mem_buf(cert_pem, -1);
	X509		*x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	int		 ok;

	end = strstr(q, "&Signature=");
	sig64 = rq_param(url, "Signature");
	ck_assert_int_eq(b64_decode(sig64, &sig, &siglen), 0);
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
	    X509_get0_pubkey(x)) == 1 && EVP_DigestVerify(ctx, sig, siglen,
	    (const unsigned char *)q, (size_t)(end - q)) == 1;
	EVP_MD_CTX_free(ctx);
	X509_free(x);
	BIO_free(b);
	free(sig);
	free(sig64);
	return ok;
}

static void
rq_authn(struct saml_authn *a)
{
	memset(a, 0, sizeof(*a));
	a->destination = "https://idp.test/sso";
	a->sp_entity_id = "urn:amazon:cognito:sp:us-east-1_Test";
	a->acs_url = "https://auth.test/saml2/idpresponse";
	a->relay_state = "state with spaces & symbols/+=";
	a->sign_key_pem = ksp.key_pem;
	a->now = RQ_NOW;
}

START_TEST(test_authn_signed)
{
	struct saml_authn	 a;
	char			 id[42], *url, *v, *bad;
	xmlDocPtr		 doc;
	xmlNodePtr		 r, pol;

	rq_authn(&a);
	url = saml_request_authn(&a, id);
	ck_assert_ptr_nonnull(url);
	ck_assert(strncmp(url, "https://idp.test/sso?SAMLRequest=", 33) == 0);
	ck_assert_uint_eq(strlen(id), 41);
	doc = rq_doc(url);
	r = xmlDocGetRootElement(doc);
	ck_assert(saml_xml_is(r, SAML_NS_PROTO, "AuthnRequest"));
	rq_attr_eq(r, "ID", id);
	rq_attr_eq(r, "Version", "2.0");
	rq_attr_eq(r, "IssueInstant", "2030-01-02T03:04:05Z");
	rq_attr_eq(r, "Destination", a.destination);
	rq_attr_eq(r, "AssertionConsumerServiceURL", a.acs_url);
	rq_attr_eq(r, "ProtocolBinding", SAML_BINDING_POST);
	rq_text_eq(saml_xml_child(r, SAML_NS_ASSERT, "Issuer"),
	    a.sp_entity_id);
	pol = saml_xml_child(r, SAML_NS_PROTO, "NameIDPolicy");
	ck_assert_ptr_nonnull(pol);
	rq_attr_eq(pol, "Format", SAML_NAMEID_PERSISTENT);
	xmlFreeDoc(doc);
	v = rq_param(url, "RelayState");
	ck_assert_str_eq(v, a.relay_state);
	free(v);
	v = rq_param(url, "SigAlg");
	ck_assert_str_eq(v, SAML_SIGALG_RSA_SHA256);
	free(v);
	ck_assert(rq_sig_ok(url, ksp.cert_pem));
	/* The signature covers RelayState. */
	bad = xstrdup(url);
	*strstr(bad, "RelayState=") = 'r';
	ck_assert(!rq_sig_ok(bad, ksp.cert_pem));
	free(bad);
	free(url);
}
END_TEST

/* Unsigned, a Destination with a query already, values to escape. */
START_TEST(test_authn_plain)
{
	struct saml_authn	 a;
	char			 id[42], id2[42], *url, *url2;
	xmlDocPtr		 doc;
	xmlNodePtr		 r;

	rq_authn(&a);
	a.sign_key_pem = NULL;
	a.relay_state = NULL;
	a.destination = "https://idp.test/sso?tenant=a&b=\"<c>\"";
	a.sp_entity_id = "urn:x:<&'\">";
	a.name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:"
	    "emailAddress";
	url = saml_request_authn(&a, id);
	ck_assert(strncmp(url, a.destination, strlen(a.destination)) == 0);
	ck_assert(strncmp(url + strlen(a.destination), "&SAMLRequest=",
	    13) == 0);
	ck_assert_ptr_null(strstr(url, "Signature="));
	ck_assert_ptr_null(strstr(url, "RelayState="));
	doc = rq_doc(url);
	r = xmlDocGetRootElement(doc);
	rq_attr_eq(r, "Destination", a.destination);
	rq_text_eq(saml_xml_child(r, SAML_NS_ASSERT, "Issuer"),
	    a.sp_entity_id);
	rq_attr_eq(saml_xml_child(r, SAML_NS_PROTO, "NameIDPolicy"), "Format",
	    a.name_id_format);
	xmlFreeDoc(doc);
	url2 = saml_request_authn(&a, id2);
	ck_assert_str_ne(id, id2);
	free(url);
	free(url2);
}
END_TEST

START_TEST(test_logout)
{
	struct saml_logout	 l;
	char			 id[42], *url;
	xmlDocPtr		 doc;
	xmlNodePtr		 r;

	memset(&l, 0, sizeof(l));
	l.destination = "https://idp.test/slo";
	l.sp_entity_id = "urn:amazon:cognito:sp:us-east-1_Test";
	l.name_id = "alice@example.com";
	l.name_id_format = SAML_NAMEID_PERSISTENT;
	l.session_index = "_s1";
	l.relay_state = "bye";
	l.sign_key_pem = ksp.key_pem;
	l.now = RQ_NOW;
	url = saml_request_logout(&l, id);
	doc = rq_doc(url);
	r = xmlDocGetRootElement(doc);
	ck_assert(saml_xml_is(r, SAML_NS_PROTO, "LogoutRequest"));
	rq_attr_eq(r, "ID", id);
	rq_attr_eq(r, "Destination", l.destination);
	rq_text_eq(saml_xml_child(r, SAML_NS_ASSERT, "Issuer"),
	    l.sp_entity_id);
	rq_text_eq(saml_xml_child(r, SAML_NS_ASSERT, "NameID"), l.name_id);
	rq_attr_eq(saml_xml_child(r, SAML_NS_ASSERT, "NameID"), "Format",
	    l.name_id_format);
	rq_text_eq(saml_xml_child(r, SAML_NS_PROTO, "SessionIndex"), "_s1");
	ck_assert(rq_sig_ok(url, ksp.cert_pem));
	xmlFreeDoc(doc);
	free(url);
}
END_TEST

/* A key that is not a PEM RSA key makes no URL. */
START_TEST(test_bad_key)
{
	struct saml_authn	a;
	char			id[42];

	rq_authn(&a);
	a.sign_key_pem = ksp.cert_pem;
	ck_assert_ptr_null(saml_request_authn(&a, id));
	a.sign_key_pem = "not a key";
	ck_assert_ptr_null(saml_request_authn(&a, id));
}
END_TEST

/* Not base64, not DEFLATE, and a stream inflating past the cap. */
START_TEST(test_inflate_bad)
{
	unsigned char	*zeros, *z;
	uLongf		 zlen;
	z_stream	 s;
	char		*b64;
	size_t		 len, n = SAML_REQUEST_MAX + 1;

	ck_assert_ptr_null(saml_request_inflate("!!!", &len));
	ck_assert_ptr_null(saml_request_inflate("bm90IGRlZmxhdGU=", &len));
	zeros = xcalloc(1, n);
	zlen = compressBound(n);
	z = xmalloc(zlen);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(deflateInit2(&s, 9, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = zeros;
	s.avail_in = (uInt)n;
	s.next_out = z;
	s.avail_out = (uInt)zlen;
	ck_assert_int_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
	b64 = b64_encode(z, s.total_out);
	deflateEnd(&s);
	ck_assert_ptr_null(saml_request_inflate(b64, &len));
	free(b64);
	free(z);
	free(zeros);
}
END_TEST

START_TEST(test_sp_metadata)
{
	struct saml_sp	 sp;
	char		*xml, err[160];
	xmlDocPtr	 doc;
	xmlNodePtr	 r, sso, kd, acs, slo;

	memset(&sp, 0, sizeof(sp));
	sp.pool_id = "us-east-1_Test";
	sp.base_url = "https://auth.test";
	sp.signing_cert = ksp.cert_b64;
	sp.encryption_cert = ksp.cert_b64;
	sp.authn_signed = 1;
	xml = saml_sp_metadata(&sp);
	doc = saml_xml_parse(xml, strlen(xml), err, sizeof(err));
	ck_assert_msg(doc != NULL, "%s", err);
	r = xmlDocGetRootElement(doc);
	ck_assert(saml_xml_is(r, SAML_NS_MD, "EntityDescriptor"));
	rq_attr_eq(r, "entityID", "urn:amazon:cognito:sp:us-east-1_Test");
	sso = saml_xml_child(r, SAML_NS_MD, "SPSSODescriptor");
	ck_assert_ptr_nonnull(sso);
	rq_attr_eq(sso, "AuthnRequestsSigned", "true");
	rq_attr_eq(sso, "protocolSupportEnumeration", SAML_NS_PROTO);
	ck_assert_uint_eq(saml_xml_count(sso, SAML_NS_MD, "KeyDescriptor"),
	    2);
	kd = saml_xml_child(sso, SAML_NS_MD, "KeyDescriptor");
	rq_attr_eq(kd, "use", "signing");
	rq_text_eq(saml_xml_child(saml_xml_child(saml_xml_child(kd,
	    SAML_NS_DS, "KeyInfo"), SAML_NS_DS, "X509Data"), SAML_NS_DS,
	    "X509Certificate"), ksp.cert_b64);
	acs = saml_xml_child(sso, SAML_NS_MD, "AssertionConsumerService");
	rq_attr_eq(acs, "Binding", SAML_BINDING_POST);
	rq_attr_eq(acs, "Location", "https://auth.test/saml2/idpresponse");
	slo = saml_xml_child(sso, SAML_NS_MD, "SingleLogoutService");
	rq_attr_eq(slo, "Binding", SAML_BINDING_REDIRECT);
	rq_attr_eq(slo, "Location", "https://auth.test/saml2/logout");
	xmlFreeDoc(doc);
	free(xml);
	sp.signing_cert = sp.encryption_cert = NULL;
	xml = saml_sp_metadata(&sp);
	ck_assert_ptr_null(strstr(xml, "KeyDescriptor"));
	free(xml);
}
END_TEST

Suite *
saml_request_suite(void)
{
	Suite	*s = suite_create("saml_request");
	TCase	*tc = tcase_create("redirect");

	tcase_add_unchecked_fixture(tc, rq_setup, rq_teardown);
	tcase_add_test(tc, test_authn_signed);
	tcase_add_test(tc, test_authn_plain);
	tcase_add_test(tc, test_logout);
	tcase_add_test(tc, test_bad_key);
	tcase_add_test(tc, test_inflate_bad);
	tcase_add_test(tc, test_sp_metadata);
	suite_add_tcase(s, tc);
	return s;
}
