/*
 * test_saml_meta.c: fed/saml_meta.c on small metadata documents made
 * around certificates generated at test time: the fields read from an
 * EntityDescriptor and from an EntitiesDescriptor, the clear refusals
 * (not XML, a DTD, no IdP, two IdPs, no signing certificate, a broken
 * certificate, a wrong namespace), and the xs:dateTime and xs:duration
 * readers of fed/saml_xml.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fed/saml_meta.h"
#include "fed/saml_xml.h"
#include "saml_testkey.h"
#include "suites.h"

static struct saml_testkey	k1, k2;

static void
meta_setup(void)
{
	saml_testkey_make(&k1);
	saml_testkey_make(&k2);
}

static void
meta_teardown(void)
{
	saml_testkey_free(&k1);
	saml_testkey_free(&k2);
}

#define MD	"urn:oasis:names:tc:SAML:2.0:metadata"
#define DS	"http://www.w3.org/2000/09/xmldsig#"
#define P2	"urn:oasis:names:tc:SAML:2.0:protocol"
#define BR	"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
#define BP	"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

/* A KeyDescriptor with use (or none when use is NULL). */
static char *
meta_key(const char *use, const char *cert)
{
	return xasprintf("<md:KeyDescriptor xmlns:md=\"" MD "\"%s%s%s>"
	    "<ds:KeyInfo xmlns:ds=\"" DS "\"><ds:X509Data><ds:X509Certificate>"
	    "\n%s\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
	    "</md:KeyDescriptor>", use ? " use=\"" : "",
	    use ? use : "", use ? "\"" : "", cert);
}

/* An EntityDescriptor of an IdP with the given keys and extra attrs. */
static char *
meta_entity(const char *id, const char *keys, const char *attrs)
{
	return xasprintf("<md:EntityDescriptor xmlns:md=\"" MD "\" "
	    "xmlns:ds=\"" DS "\" entityID=\"%s\" %s>"
	    "<md:IDPSSODescriptor WantAuthnRequestsSigned=\"true\" "
	    "protocolSupportEnumeration=\"urn:x " P2 "\">%s"
	    "<md:SingleLogoutService Binding=\"" BR "\" "
	    "Location=\"https://idp.example/slo\"/>"
	    "<md:SingleSignOnService Binding=\"" BP "\" "
	    "Location=\"https://idp.example/sso/post\"/>"
	    "<md:SingleSignOnService Binding=\"" BR "\" "
	    "Location=\"https://idp.example/sso/redirect\"/>"
	    "</md:IDPSSODescriptor></md:EntityDescriptor>", id, attrs, keys);
}

static int
meta_parse(const char *xml, struct saml_meta *m, char *err, size_t errlen)
{
	return saml_meta_parse(xml, strlen(xml), m, err, errlen);
}

START_TEST(test_entity)
{
	struct saml_meta	 m;
	char			 err[256], *a, *b, *c, *keys, *xml;

	a = meta_key("signing", k1.cert_b64);
	b = meta_key(NULL, k2.cert_b64);
	c = meta_key("encryption", k1.cert_b64);
	keys = xasprintf("%s%s%s", c, a, b);
	xml = meta_entity("https://idp.example/meta", keys,
	    "validUntil=\"2030-01-02T03:04:05Z\" cacheDuration=\"PT1H\"");
	ck_assert_msg(meta_parse(xml, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(m.entity_id, "https://idp.example/meta");
	ck_assert_str_eq(m.sso_redirect, "https://idp.example/sso/redirect");
	ck_assert_str_eq(m.sso_post, "https://idp.example/sso/post");
	ck_assert_str_eq(m.slo_redirect, "https://idp.example/slo");
	ck_assert_ptr_null(m.slo_post);
	ck_assert_uint_eq(m.nsigning, 2);
	ck_assert_str_eq(m.signing[0], k1.cert_b64);
	ck_assert_str_eq(m.signing[1], k2.cert_b64);
	ck_assert_str_eq(m.encryption, k1.cert_b64);
	ck_assert_int_eq(m.want_authn_signed, 1);
	ck_assert_int_eq(m.valid_until, 1893553445);
	ck_assert_int_eq(m.cache_duration, 3600);
	ck_assert_int_eq(saml_meta_expiry(&m, 1000), 4600);
	ck_assert_int_eq(saml_meta_expiry(&m, 1893553000), 1893553445);
	saml_meta_free(&m);
	free(a);
	free(b);
	free(c);
	free(keys);
	free(xml);
}
END_TEST

/* An EntitiesDescriptor with an SP and one IdP; validity from above. */
START_TEST(test_entities)
{
	struct saml_meta	 m;
	char			 err[256], *key, *idp, *xml;

	key = meta_key(NULL, k2.cert_b64);
	idp = meta_entity("urn:idp", key, "");
	xml = xasprintf("<?xml version=\"1.0\"?><!-- a comment -->"
	    "<EntitiesDescriptor xmlns=\"" MD "\" validUntil="
	    "\"2030-01-02T05:04:05+02:00\"><EntityDescriptor entityID="
	    "\"urn:sp\"><SPSSODescriptor protocolSupportEnumeration=\"" P2
	    "\"/></EntityDescriptor>%s</EntitiesDescriptor>", idp);
	ck_assert_msg(meta_parse(xml, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(m.entity_id, "urn:idp");
	ck_assert_uint_eq(m.nsigning, 1);
	ck_assert_str_eq(m.encryption, k2.cert_b64);
	ck_assert_int_eq(m.valid_until, 1893553445);
	ck_assert_int_eq(m.cache_duration, -1);
	ck_assert_int_eq(saml_meta_expiry(&m, 1000), 1893553445);
	saml_meta_free(&m);
	free(key);
	free(idp);
	free(xml);
}
END_TEST

struct meta_bad {
	const char	*name;
	const char	*fmt;		/* %s: a signing KeyDescriptor */
	const char	*why;		/* in the error message */
};

static const struct meta_bad meta_bads[] = {
	{ "empty", "", "empty" },
	{ "not xml", "this is not XML %s", "not well-formed" },
	{ "truncated", "<md:EntityDescriptor xmlns:md=\"" MD "\">%s",
	    "not well-formed" },
	{ "dtd", "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><md:EntityDescriptor "
	    "xmlns:md=\"" MD "\" entityID=\"&a;\"><md:IDPSSODescriptor "
	    "protocolSupportEnumeration=\"" P2 "\">%s</md:IDPSSODescriptor>"
	    "</md:EntityDescriptor>", "document type" },
	{ "external dtd", "<!DOCTYPE x SYSTEM \"http://127.0.0.1:9/x.dtd\">"
	    "<x>%s</x>", "document type" },
	{ "sp only", "<md:EntityDescriptor xmlns:md=\"" MD "\" entityID="
	    "\"urn:sp\"><md:SPSSODescriptor protocolSupportEnumeration=\""
	    P2 "\">%s</md:SPSSODescriptor></md:EntityDescriptor>",
	    "no IDPSSODescriptor" },
	{ "saml 1.1 idp", "<md:EntityDescriptor xmlns:md=\"" MD "\" "
	    "entityID=\"urn:i\"><md:IDPSSODescriptor protocolSupport"
	    "Enumeration=\"urn:oasis:names:tc:SAML:1.1:protocol\">%s"
	    "</md:IDPSSODescriptor></md:EntityDescriptor>",
	    "no IDPSSODescriptor" },
	{ "wrong namespace", "<md:EntityDescriptor xmlns:md=\"urn:other\" "
	    "entityID=\"urn:i\"><md:IDPSSODescriptor protocolSupport"
	    "Enumeration=\"" P2 "\">%s</md:IDPSSODescriptor>"
	    "</md:EntityDescriptor>", "no IDPSSODescriptor" },
	{ "two idps", "<EntitiesDescriptor xmlns=\"" MD "\">"
	    "<EntityDescriptor entityID=\"urn:a\"><IDPSSODescriptor "
	    "protocolSupportEnumeration=\"" P2 "\">%1$s</IDPSSODescriptor>"
	    "</EntityDescriptor><EntityDescriptor entityID=\"urn:b\">"
	    "<IDPSSODescriptor protocolSupportEnumeration=\"" P2 "\">%1$s"
	    "</IDPSSODescriptor></EntityDescriptor></EntitiesDescriptor>",
	    "2 identity providers" },
	{ "no entityID", "<md:EntityDescriptor xmlns:md=\"" MD "\">"
	    "<md:IDPSSODescriptor protocolSupportEnumeration=\"" P2 "\">%s"
	    "</md:IDPSSODescriptor></md:EntityDescriptor>", "no entityID" },
	{ "bad validUntil", "<md:EntityDescriptor xmlns:md=\"" MD "\" "
	    "entityID=\"urn:i\" validUntil=\"tomorrow\"><md:IDPSSODescriptor "
	    "protocolSupportEnumeration=\"" P2 "\">%s</md:IDPSSODescriptor>"
	    "</md:EntityDescriptor>", "validUntil" },
};

START_TEST(test_bad)
{
	const struct meta_bad	*b = &meta_bads[_i];
	struct saml_meta	 m;
	char			 err[256], *key, *xml;

	key = meta_key("signing", k1.cert_b64);
	xml = xasprintf(b->fmt, key);
	err[0] = '\0';
	ck_assert_msg(meta_parse(xml, &m, err, sizeof(err)) == -1,
	    "%s: accepted", b->name);
	ck_assert_msg(strstr(err, b->why) != NULL, "%s: \"%s\"", b->name, err);
	ck_assert_ptr_null(m.entity_id);
	ck_assert_uint_eq(m.nsigning, 0);
	free(key);
	free(xml);
}
END_TEST

/* Certificates: only encryption, not base64, not X.509, split by a comment. */
START_TEST(test_bad_certs)
{
	static const char *const	 certs[] = { "bm90IGEgY2VydA==",
	    "%%%", "" };
	struct saml_meta		 m;
	char				 err[256], *key, *xml, *cut;
	size_t				 i;

	key = meta_key("encryption", k1.cert_b64);
	xml = meta_entity("urn:i", key, "");
	ck_assert_int_eq(meta_parse(xml, &m, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "metadata has no signing certificate");
	free(key);
	free(xml);
	for (i = 0; i < nitems(certs); i++) {
		key = meta_key("signing", certs[i]);
		xml = meta_entity("urn:i", key, "");
		ck_assert_int_eq(meta_parse(xml, &m, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "not valid X.509") != NULL, "%s",
		    err);
		free(key);
		free(xml);
	}
	cut = xasprintf("%.20s<!-- -->%s", k1.cert_b64, k1.cert_b64 + 20);
	key = meta_key("signing", cut);
	xml = meta_entity("urn:i", key, "");
	ck_assert_int_eq(meta_parse(xml, &m, err, sizeof(err)), -1);
	free(cut);
	free(key);
	free(xml);
}
END_TEST

START_TEST(test_too_big)
{
	struct saml_meta	 m;
	char			 err[256], *xml;

	xml = xcalloc(1, SAML_XML_MAX + 2);
	memset(xml, ' ', SAML_XML_MAX + 1);
	ck_assert_int_eq(saml_meta_parse(xml, SAML_XML_MAX + 1, &m, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "over") != NULL, "%s", err);
	free(xml);
}
END_TEST

struct xml_time {
	const char	*s;
	int		 ok;
	int64_t		 want;
};

static const struct xml_time xml_times[] = {
	{ "2030-01-02T03:04:05Z", 1, 1893553445 },
	{ "2030-01-02T03:04:05.123Z", 1, 1893553445 },
	{ "2030-01-02T03:04:05", 1, 1893553445 },
	{ "2030-01-02T04:04:05+01:00", 1, 1893553445 },
	{ "2030-01-02T02:34:05-00:30", 1, 1893553445 },
	{ "1970-01-01T00:00:00Z", 1, 0 },
	{ "2030-01-02 03:04:05Z", 0, 0 },
	{ "2030-01-02T03:04:05.Z", 0, 0 },
	{ "2030-13-02T03:04:05Z", 0, 0 },
	{ "2030-01-02T03:04:05ZZ", 0, 0 },
	{ "2030-01-02T03:04", 0, 0 },
	{ "", 0, 0 },
};

START_TEST(test_time)
{
	const struct xml_time	*t = &xml_times[_i];
	int64_t			 v = -1;

	ck_assert_msg((saml_xml_time(t->s, &v) == 0) == t->ok, "%s", t->s);
	if (t->ok)
		ck_assert_int_eq(v, t->want);
}
END_TEST

static const struct xml_time xml_durations[] = {
	{ "PT1H", 1, 3600 }, { "P1D", 1, 86400 }, { "PT30M", 1, 1800 },
	{ "P1DT2H3M4S", 1, 93784 }, { "PT0.5S", 1, 0 }, { "P1M", 1, 2592000 },
	{ "P1Y", 1, 31536000 }, { "P", 0, 0 }, { "PT", 0, 0 },
	{ "P1DT", 0, 0 }, { "1H", 0, 0 }, { "PH", 0, 0 }, { "P1H", 0, 0 },
	{ "PT1D", 0, 0 }, { "P1D1Y", 0, 0 }, { "P1S", 0, 0 },
};

START_TEST(test_duration)
{
	const struct xml_time	*t = &xml_durations[_i];
	int64_t			 v = -1;

	ck_assert_msg((saml_xml_duration(t->s, &v) == 0) == t->ok, "%s",
	    t->s);
	if (t->ok)
		ck_assert_int_eq(v, t->want);
}
END_TEST

Suite *
saml_meta_suite(void)
{
	Suite	*s = suite_create("saml_meta");
	TCase	*tc = tcase_create("parse");
	TCase	*tx = tcase_create("xml");

	tcase_add_unchecked_fixture(tc, meta_setup, meta_teardown);
	tcase_add_test(tc, test_entity);
	tcase_add_test(tc, test_entities);
	tcase_add_loop_test(tc, test_bad, 0, nitems(meta_bads));
	tcase_add_test(tc, test_bad_certs);
	tcase_add_test(tc, test_too_big);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tx, test_time, 0, nitems(xml_times));
	tcase_add_loop_test(tx, test_duration, 0, nitems(xml_durations));
	suite_add_tcase(s, tx);
	return s;
}
