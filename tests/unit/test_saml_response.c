/*
 * test_saml_response.c: fed/saml_response.c against Responses that the
 * xmlsec1 tool signs at test time (saml_testsign.c): good ones signed
 * on the Response, the Assertion or both, SHA-1, a rolled key and an
 * encrypted Assertion; and each refusal with its typed reason:
 * unsigned, wrong key, tampered after signing, signature wrapping (a
 * second Assertion, the signed one moved under Extensions, a Response
 * signature naming the Assertion, an xml:id taking the Assertion's
 * ID), a comment splitting the NameID,
 * audience, recipient, destination, issuer, expiry, not yet valid,
 * InResponseTo, an error status, no SP key for an encrypted Assertion.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "fed/saml_response.h"
#include "fed/saml_xml.h"
#include "saml_testsign.h"
#include "suites.h"

static struct saml_testkey	kidp, kother, ksp;

static void
resp_setup(void)
{
	saml_testkey_make(&kidp);
	saml_testkey_make(&kother);
	saml_testkey_make(&ksp);
}

static void
resp_teardown(void)
{
	saml_testkey_free(&kidp);
	saml_testkey_free(&kother);
	saml_testkey_free(&ksp);
}

struct resp_case {
	const char	*name;
	void		(*opts)(struct ts_opts *);
	char		*(*edit)(char *);	/* on the signed text */
	const char	*expect_irt;		/* what the SP sent */
	enum saml_fail	 want;
};

static void o_plain(struct ts_opts *o) { (void)o; }
static void o_resp(struct ts_opts *o) { o->sign_assertion = 0;
    o->sign_resp = 1; }
static void o_both(struct ts_opts *o) { o->sign_resp = 1; }
static void o_sha1(struct ts_opts *o) { o->sigalg =
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1"; o->digest =
    "http://www.w3.org/2000/09/xmldsig#sha1"; }
static void o_unsigned(struct ts_opts *o) { o->sign_assertion = 0; }
static void o_other(struct ts_opts *o) { o->key = &kother; }
static void o_enc(struct ts_opts *o) { o->sp = &ksp; }
static void o_enc_resp(struct ts_opts *o) { o->sp = &ksp;
    o->sign_assertion = 0; o->sign_resp = 1; }
static void o_ref_a(struct ts_opts *o) { o->sign_assertion = 0;
    o->sign_resp = 1; o->resp_ref = "_a1"; }
static void o_incl(struct ts_opts *o) { o->transform =
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"; }
static void o_aud(struct ts_opts *o) { o->audience = "urn:amazon:cognito:"
    "sp:us-east-1_Other"; }
static void o_rcpt(struct ts_opts *o) { o->recipient =
    "https://evil.test/saml2/idpresponse"; }
static void o_dest(struct ts_opts *o) { o->destination =
    "https://evil.test/saml2/idpresponse"; }
static void o_issuer(struct ts_opts *o) { o->issuer = "https://evil.test"; }
static void o_expired(struct ts_opts *o) { o->scd_noa = -200; }
static void o_cond_exp(struct ts_opts *o) { o->noa = -181; }
static void o_skew_ok(struct ts_opts *o) { o->noa = -170; o->nb = 170; }
static void o_future(struct ts_opts *o) { o->nb = 200; }
static void o_no_irt(struct ts_opts *o) { o->irt = NULL; }
static void o_status(struct ts_opts *o) { o->status =
    "urn:oasis:names:tc:SAML:2.0:status:Responder"; }

/* An attribute value changed after signing. */
static char *
e_tamper(char *s)
{
	return ts_replace(s, "<saml:AttributeValue>alice@example.com",
	    "<saml:AttributeValue>mallory@example.com");
}

/* The NameID split by a comment, which c14n leaves out of the digest. */
static char *
e_comment(char *s)
{
	return ts_replace(s, "alice@example.com</saml:NameID>",
	    "alice@<!---->example.com</saml:NameID>");
}

/* An unsigned Assertion of the attacker's, ID _evil. */
static const char evil[] = "<saml:Assertion xmlns:saml=\"" SAML_NS_ASSERT
    "\" ID=\"_evil\" Version=\"2.0\" IssueInstant=\"2030-01-02T03:04:05Z\">"
    "<saml:Issuer>" TS_IDP "</saml:Issuer><saml:Subject><saml:NameID>"
    "admin@example.com</saml:NameID></saml:Subject></saml:Assertion>";

/* Another element claiming the signed Assertion's ID through xml:id. */
static char *
e_xml_id(char *s)
{
	return ts_replace(s, "</samlp:Status>", "</samlp:Status>"
	    "<samlp:Extensions xml:id=\"_a1\"/>");
}

/* A second, unsigned Assertion before the signed one. */
static char *
e_second(char *s)
{
	return ts_replace(s, "</samlp:Status>", "</samlp:Status>" "%EVIL%");
}

/* The signed Assertion moved under Extensions, the attacker's in its place. */
static char *
e_extensions(char *s)
{
	char	*a, *b, *signed_a, *out;

	a = strstr(s, "<saml:Assertion");
	b = strstr(s, "</saml:Assertion>") + strlen("</saml:Assertion>");
	signed_a = xstrndup(a, b - a);
	out = xasprintf("%.*s<samlp:Extensions>%s</samlp:Extensions>%s%s",
	    (int)(a - s), s, signed_a, evil, b);
	free(signed_a);
	free(s);
	return out;
}

static const struct resp_case resp_cases[] = {
	{ "signed assertion", o_plain, NULL, TS_REQ, SAML_OK },
	{ "signed response", o_resp, NULL, TS_REQ, SAML_OK },
	{ "both signed", o_both, NULL, TS_REQ, SAML_OK },
	{ "rsa-sha1", o_sha1, NULL, TS_REQ, SAML_OK },
	{ "encrypted", o_enc, NULL, TS_REQ, SAML_OK },
	{ "encrypted, response signed", o_enc_resp, NULL, TS_REQ, SAML_OK },
	{ "within skew", o_skew_ok, NULL, TS_REQ, SAML_OK },
	{ "idp-initiated", o_no_irt, NULL, NULL, SAML_OK },
	{ "unsigned", o_unsigned, NULL, TS_REQ, SAML_UNSIGNED },
	{ "wrong key", o_other, NULL, TS_REQ, SAML_SIGNATURE },
	{ "tampered", o_plain, e_tamper, TS_REQ, SAML_SIGNATURE },
	{ "tampered response", o_resp, e_tamper, TS_REQ, SAML_SIGNATURE },
	{ "inclusive c14n", o_incl, NULL, TS_REQ, SAML_SIGNATURE },
	{ "second assertion", o_plain, e_second, TS_REQ, SAML_WRAPPING },
	{ "moved to extensions", o_plain, e_extensions, TS_REQ,
	    SAML_WRAPPING },
	{ "reference to assertion", o_ref_a, NULL, TS_REQ, SAML_WRAPPING },
	{ "xml:id clash", o_plain, e_xml_id, TS_REQ, SAML_WRAPPING },
	{ "comment in NameID", o_plain, e_comment, TS_REQ, SAML_SUBJECT },
	{ "wrong audience", o_aud, NULL, TS_REQ, SAML_AUDIENCE },
	{ "wrong recipient", o_rcpt, NULL, TS_REQ, SAML_RECIPIENT },
	{ "wrong destination", o_dest, NULL, TS_REQ, SAML_DESTINATION },
	{ "wrong issuer", o_issuer, NULL, TS_REQ, SAML_ISSUER },
	{ "expired", o_expired, NULL, TS_REQ, SAML_EXPIRED },
	{ "conditions expired", o_cond_exp, NULL, TS_REQ, SAML_EXPIRED },
	{ "not yet valid", o_future, NULL, TS_REQ, SAML_NOT_YET_VALID },
	{ "wrong InResponseTo", o_plain, NULL, "_req43",
	    SAML_IN_RESPONSE_TO },
	{ "unsolicited with InResponseTo", o_plain, NULL, NULL,
	    SAML_IN_RESPONSE_TO },
	{ "solicited without", o_no_irt, NULL, TS_REQ, SAML_IN_RESPONSE_TO },
	{ "error status", o_status, NULL, TS_REQ, SAML_STATUS },
};

/* Set by a case that wants EncryptedResponses on. */
static int	resp_require_enc;

/* Verify xml as the test SP with the given metadata certificates. */
static int
resp_verify(const char *xml, const char *irt, const char *sp_key,
    char *const *certs, size_t ncerts, struct saml_assertion *out,
    struct saml_error *err)
{
	struct saml_meta	 m;
	struct saml_expect	 x;
	char			*b64;
	size_t			 i;
	int			 rc;

	memset(&m, 0, sizeof(m));
	m.entity_id = (char *)TS_IDP;
	for (i = 0; i < ncerts; i++)
		m.signing[i] = certs[i];
	m.nsigning = ncerts;
	memset(&x, 0, sizeof(x));
	x.idp = &m;
	x.sp_entity_id = TS_SP;
	x.acs_url = TS_ACS;
	x.in_response_to = irt;
	x.now = TS_NOW;
	x.sp_key_pem = sp_key;
	x.require_encrypted = resp_require_enc;
	b64 = b64_encode(xml, strlen(xml));
	rc = saml_response_verify(b64, strlen(b64), &x, out, err);
	free(b64);
	return rc;
}

static void
resp_check_good(const struct saml_assertion *a)
{
	const struct saml_attr	*g;

	ck_assert_str_eq(a->name_id, "alice@example.com");
	ck_assert_str_eq(a->name_id_format, "urn:oasis:names:tc:SAML:1.1:"
	    "nameid-format:emailAddress");
	ck_assert_str_eq(a->session_index, "_s1");
	ck_assert_str_eq(a->assertion_id, "_a1");
	ck_assert_str_eq(a->issuer, TS_IDP);
	ck_assert_int_eq(a->issue_instant, TS_NOW);
	ck_assert_uint_eq(a->nattrs, 2);
	ck_assert_str_eq(saml_assertion_attr(a, "email")->values[0],
	    "alice@example.com");
	g = saml_assertion_attr(a, "groups");
	ck_assert_uint_eq(g->nvalues, 2);
	ck_assert_str_eq(g->values[1], "b");
	ck_assert_ptr_null(saml_assertion_attr(a, "phone"));
}

START_TEST(test_case)
{
	const struct resp_case	*c = &resp_cases[_i];
	struct ts_opts		 o;
	struct saml_assertion	 a;
	struct saml_error	 err;
	char			*xml, *certs[1] = { kidp.cert_b64 };
	int			 rc;

	ts_defaults(&o, &kidp);
	c->opts(&o);
	xml = ts_build(&o);
	if (c->edit != NULL)
		xml = c->edit(xml);
	if (strstr(xml, "%EVIL%") != NULL)
		xml = ts_replace(xml, "%EVIL%", evil);
	rc = resp_verify(xml, c->expect_irt, ksp.key_pem, certs, 1, &a, &err);
	ck_assert_msg(err.kind == c->want, "%s: got %s (%s)", c->name,
	    saml_fail_name(err.kind), err.msg);
	ck_assert_int_eq(rc, c->want == SAML_OK ? 0 : -1);
	if (rc == 0) {
		resp_check_good(&a);
		ck_assert_int_eq(a.expires, TS_NOW + 300 + SAML_RESPONSE_SKEW
		    - (c->opts == o_skew_ok ? 470 : 0));
	} else
		ck_assert_ptr_null(a.name_id);
	saml_assertion_free(&a);
	free(xml);
}
END_TEST

/* A rolled key: the second certificate signs. An encrypted Assertion
 * without the SP key, or with another key, does not decrypt; with
 * encryption required a plain one is refused even with the key. */
START_TEST(test_keys)
{
	struct ts_opts		 o;
	struct saml_assertion	 a;
	struct saml_error	 err;
	char			*xml, *certs[2] = { kother.cert_b64,
				    kidp.cert_b64 };

	ts_defaults(&o, &kidp);
	xml = ts_build(&o);
	ck_assert_int_eq(resp_verify(xml, TS_REQ, NULL, certs, 2, &a, &err),
	    0);
	saml_assertion_free(&a);
	free(xml);
	o.sp = &ksp;
	xml = ts_build(&o);
	ck_assert_int_eq(resp_verify(xml, TS_REQ, NULL, certs, 2, &a, &err),
	    -1);
	ck_assert_int_eq(err.kind, SAML_DECRYPT);
	ck_assert_int_eq(resp_verify(xml, TS_REQ, kother.key_pem, certs, 2,
	    &a, &err), -1);
	ck_assert_int_eq(err.kind, SAML_DECRYPT);
	resp_require_enc = 1;
	ck_assert_int_eq(resp_verify(xml, TS_REQ, ksp.key_pem, certs, 2,
	    &a, &err), 0);
	saml_assertion_free(&a);
	free(xml);
	o.sp = NULL;
	xml = ts_build(&o);
	ck_assert_int_eq(resp_verify(xml, TS_REQ, ksp.key_pem, certs, 2,
	    &a, &err), -1);
	ck_assert_int_eq(err.kind, SAML_DECRYPT);
	ck_assert_ptr_null(a.name_id);
	resp_require_enc = 0;
	free(xml);
}
END_TEST

static const char *const resp_malformed[] = {
	"not base64 !", "bm90IFhNTA==",	/* "not XML" */
	"PHg+PC94Pg==",			/* <x></x> */
};

START_TEST(test_malformed)
{
	struct saml_meta	 m;
	struct saml_expect	 x;
	struct saml_assertion	 a;
	struct saml_error	 err;
	const char		*s = resp_malformed[_i];

	memset(&m, 0, sizeof(m));
	m.entity_id = (char *)TS_IDP;
	memset(&x, 0, sizeof(x));
	x.idp = &m;
	x.sp_entity_id = TS_SP;
	x.acs_url = TS_ACS;
	ck_assert_int_eq(saml_response_verify(s, strlen(s), &x, &a, &err),
	    -1);
	ck_assert_int_eq(err.kind, SAML_MALFORMED);
	ck_assert(err.msg[0] != '\0');
}
END_TEST

Suite *
saml_response_suite(void)
{
	Suite	*s = suite_create("saml_response");
	TCase	*tc = tcase_create("verify");

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, resp_setup, resp_teardown);
	tcase_add_loop_test(tc, test_case, 0, nitems(resp_cases));
	tcase_add_test(tc, test_keys);
	tcase_add_loop_test(tc, test_malformed, 0, nitems(resp_malformed));
	suite_add_tcase(s, tc);
	return s;
}
