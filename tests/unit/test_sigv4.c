/*
 * test_sigv4.c: SigV4 against AWS's published "aws-sig-v4-test-suite"
 * vectors (credential AKIDEXAMPLE, 20150830T123600Z, us-east-1,
 * service "service"), against a request botocore 1.29 signed for
 * cognito-idp, and the parser's and verifier's refusals.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/sigv4.h"
#include "suites.h"

#define SUITE_SECRET	"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_DATE	"20150830T123600Z"
#define SUITE_HOST	{ "Host", "example.amazonaws.com" }
#define SUITE_STAMP	{ "X-Amz-Date", SUITE_DATE }
#define MAX_HEADERS	6

struct vector {
	const char		*name;
	const char		*method;
	const char		*path;
	const char		*query;
	struct sigv4_header	 headers[MAX_HEADERS];
	const char		*body;
	const char		*signed_headers;
	const char		*signature;
};

static const struct vector vectors[] = {
	{ "get-vanilla", "GET", "/", NULL, { SUITE_HOST, SUITE_STAMP }, NULL,
	  "host;x-amz-date",
	  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
	{ "get-vanilla-query-order-key-case", "GET", "/",
	  "Param2=value2&Param1=value1", { SUITE_HOST, SUITE_STAMP }, NULL,
	  "host;x-amz-date",
	  "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500" },
	{ "get-vanilla-empty-query-key", "GET", "/", "Param1=value1",
	  { SUITE_HOST, SUITE_STAMP }, NULL, "host;x-amz-date",
	  "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb" },
	{ "get-vanilla-query-unreserved", "GET", "/",
	  "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
	  "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	  { SUITE_HOST, SUITE_STAMP }, NULL, "host;x-amz-date",
	  "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197" },
	{ "get-vanilla-utf8-query", "GET", "/", "\xe1\x88\xb4=bar",
	  { SUITE_HOST, SUITE_STAMP }, NULL, "host;x-amz-date",
	  "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04" },
	{ "get-unreserved", "GET",
	  "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	  NULL, { SUITE_HOST, SUITE_STAMP }, NULL, "host;x-amz-date",
	  "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f" },
	{ "get-utf8", "GET", "/\xe1\x88\xb4", NULL, { SUITE_HOST, SUITE_STAMP },
	  NULL, "host;x-amz-date",
	  "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85" },
	{ "get-header-value-trim", "GET", "/", NULL,
	  { SUITE_HOST, { "My-Header1", " value1" },
	    { "My-Header2", " \"a   b   c\"" }, SUITE_STAMP }, NULL,
	  "host;my-header1;my-header2;x-amz-date",
	  "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736" },
	{ "get-header-key-duplicate", "GET", "/", NULL,
	  { SUITE_HOST, { "My-Header1", "value2" }, { "My-Header1", "value2" },
	    { "My-Header1", "value1" }, SUITE_STAMP }, NULL,
	  "host;my-header1;x-amz-date",
	  "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea" },
	{ "get-header-value-order", "GET", "/", NULL,
	  { SUITE_HOST, { "My-Header1", "value4" }, { "My-Header1", "value1" },
	    { "My-Header1", "value3" }, { "My-Header1", "value2" },
	    SUITE_STAMP }, NULL, "host;my-header1;x-amz-date",
	  "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01" },
	{ "post-vanilla", "POST", "/", NULL, { SUITE_HOST, SUITE_STAMP }, NULL,
	  "host;x-amz-date",
	  "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
	{ "post-vanilla-query", "POST", "/", "Param1=value1",
	  { SUITE_HOST, SUITE_STAMP }, NULL, "host;x-amz-date",
	  "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11" },
	{ "post-header-key-sort", "POST", "/", NULL,
	  { SUITE_HOST, { "My-Header1", "value1" }, SUITE_STAMP }, NULL,
	  "host;my-header1;x-amz-date",
	  "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c" },
	{ "post-header-value-case", "POST", "/", NULL,
	  { SUITE_HOST, { "My-Header1", "VALUE1" }, SUITE_STAMP }, NULL,
	  "host;my-header1;x-amz-date",
	  "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d" },
	{ "post-sts-header-before", "POST", "/", NULL,
	  { SUITE_HOST, SUITE_STAMP, { "X-Amz-Security-Token",
	    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZ"
	    "TwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPp"
	    "KPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0"
	    "wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u"
	    "0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSI"
	    "lTJabIQwj2ICCR/oLxBA==" } }, NULL,
	  "host;x-amz-date;x-amz-security-token",
	  "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead" },
	{ "post-x-www-form-urlencoded", "POST", "/", NULL,
	  { { "Content-Type", "application/x-www-form-urlencoded" },
	    SUITE_HOST, SUITE_STAMP }, "Param1=value1",
	  "content-type;host;x-amz-date",
	  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a" },
	{ "post-x-www-form-urlencoded-parameters", "POST", "/", NULL,
	  { { "Content-Type",
	      "application/x-www-form-urlencoded; charset=utf8" },
	    SUITE_HOST, SUITE_STAMP }, "Param1=value1",
	  "content-type;host;x-amz-date",
	  "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe" },
};

static void
vector_request(const struct vector *v, struct sigv4_request *r)
{
	size_t	n;

	for (n = 0; n < MAX_HEADERS && v->headers[n].name != NULL; n++)
		;
	memset(r, 0, sizeof *r);
	r->method = v->method;
	r->path = v->path;
	r->query = v->query;
	r->headers = v->headers;
	r->nheaders = n;
	r->body = v->body;
	r->body_len = v->body == NULL ? 0 : strlen(v->body);
}

START_TEST(test_vectors)
{
	const struct vector	*v = &vectors[_i];
	struct sigv4_request	 r;
	char			 sig[65];

	vector_request(v, &r);
	ck_assert_int_eq(sigv4_signature(&r, v->signed_headers, SUITE_DATE,
	    "20150830", "us-east-1", "service", SUITE_SECRET, sig), 0);
	ck_assert_msg(strcmp(sig, v->signature) == 0, "%s: got %s", v->name,
	    sig);
}
END_TEST

START_TEST(test_canonical_trim)
{
	struct sigv4_request	 r;
	char			*c;

	vector_request(&vectors[7], &r);
	c = sigv4_canonical_request(&r, vectors[7].signed_headers);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c, "GET\n/\n\n"
	    "host:example.amazonaws.com\n"
	    "my-header1:value1\n"
	    "my-header2:\"a b c\"\n"
	    "x-amz-date:20150830T123600Z\n\n"
	    "host;my-header1;my-header2;x-amz-date\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	free(c);
}
END_TEST

START_TEST(test_canonical_query)
{
	static const struct sigv4_header h[] = { SUITE_HOST };
	struct sigv4_request	 r = { "GET", "/a b/%41",
	    "b=2&a=z&a=y&c&d=%7e%20+", h, 1, NULL, 0 };
	char			*c;

	c = sigv4_canonical_request(&r, "host");
	ck_assert_ptr_nonnull(c);
	/* The path is encoded once more; the query decoded and re-encoded. */
	ck_assert_str_eq(c, "GET\n/a%20b/%2541\na=y&a=z&b=2&c=&d=~%20%2B\n"
	    "host:example.amazonaws.com\n\nhost\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	free(c);
	/* A signed header the request lacks. */
	ck_assert_ptr_null(sigv4_canonical_request(&r, "host;x-amz-date"));
}
END_TEST

/*
 * Signed by botocore 1.29.27 (SigV4Auth, service cognito-idp, clock
 * fixed at 2023-05-10T10:30:21Z) for POST https://localhost:8443/.
 */
#define BOTO_SECRET	"s3cr3t/KeyForUserpooldUnitTests+0123456789"
#define BOTO_DATE	"20230510T103021Z"
#define BOTO_NOW	1683714621LL
#define BOTO_BODY	"{\"UserPoolId\":\"us-east-1_AbCdEfGhI\"," \
	"\"Username\":\"alice\"}"
#define BOTO_AUTH	"AWS4-HMAC-SHA256 Credential=AKIAUSERPOOLDTEST01/" \
	"20230510/us-east-1/cognito-idp/aws4_request, SignedHeaders=" \
	"content-type;host;x-amz-date;x-amz-target, Signature=" \
	"51eb21c5cf8c6414629962de3587de0b0bf9ff722a574a84b02a857c51711cb4"
#define BOTO_MISMATCH	"InvalidSignatureException: The request " \
	"signature we calculated does not match the signature you " \
	"provided. Check your AWS Secret Access Key and signing method."

static const struct sigv4_header boto_headers[] = {
	{ "Host", "localhost:8443" },
	{ "X-Amz-Target", "AWSCognitoIdentityProviderService.AdminGetUser" },
	{ "Content-Type", "application/x-amz-json-1.1" },
	{ "X-Amz-Date", BOTO_DATE },
	{ "Authorization", BOTO_AUTH },
};

static void
boto_request(struct sigv4_request *r, const char *body)
{
	memset(r, 0, sizeof *r);
	r->method = "POST";
	r->path = "/";
	r->headers = boto_headers;
	r->nheaders = 5;
	r->body = body;
	r->body_len = strlen(body);
}

START_TEST(test_botocore)
{
	struct sigv4_auth	a;
	struct sigv4_request	r;
	char			*cause = NULL;

	ck_assert_int_eq(sigv4_parse(BOTO_AUTH, &a, &cause), 0);
	ck_assert_str_eq(a.access_key, "AKIAUSERPOOLDTEST01");
	ck_assert_str_eq(a.date, "20230510");
	ck_assert_str_eq(a.region, "us-east-1");
	ck_assert_str_eq(a.service, "cognito-idp");
	ck_assert_str_eq(a.signed_headers,
	    "content-type;host;x-amz-date;x-amz-target");
	boto_request(&r, BOTO_BODY);
	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, BOTO_DATE,
	    "us-east-1", BOTO_NOW, 900, &cause), 0);
	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, BOTO_DATE,
	    "us-east-1", BOTO_NOW + 900, 900, &cause), 0);

	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET "x", BOTO_DATE,
	    "us-east-1", BOTO_NOW, 900, &cause), -1);
	ck_assert_str_eq(cause, BOTO_MISMATCH);
	free(cause);

	boto_request(&r, "{\"UserPoolId\":\"us-east-1_AbCdEfGhI\","
	    "\"Username\":\"mallory\"}");
	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, BOTO_DATE,
	    "us-east-1", BOTO_NOW, 900, &cause), -1);
	ck_assert_str_eq(cause, BOTO_MISMATCH);
	free(cause);
	sigv4_auth_clear(&a);
}
END_TEST

START_TEST(test_verify_refusals)
{
	struct sigv4_auth	a;
	struct sigv4_request	r;
	char			*cause = NULL;

	ck_assert_int_eq(sigv4_parse(BOTO_AUTH, &a, &cause), 0);
	boto_request(&r, BOTO_BODY);

	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, BOTO_DATE,
	    "us-east-1", BOTO_NOW + 901, 900, &cause), -1);
	ck_assert_str_eq(cause, "InvalidSignatureException: Signature "
	    "expired: 20230510T103021Z is now earlier than 20230510T103022Z "
	    "(20230510T104522Z - 15 min.)");
	free(cause);

	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, BOTO_DATE,
	    "us-east-1", BOTO_NOW - 901, 900, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "Signature not yet current"));
	free(cause);

	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, "20230511T103021Z",
	    "us-east-1", BOTO_NOW, 900, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "Date in Credential scope"));
	free(cause);

	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, "2023-05-10",
	    "us-east-1", BOTO_NOW, 900, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "X-Amz-Date"));
	free(cause);

	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, NULL,
	    "us-east-1", BOTO_NOW, 900, &cause), -1);
	free(cause);

	strlcpy(a.service, "service", sizeof a.service);
	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, BOTO_DATE,
	    "us-east-1", BOTO_NOW, 900, &cause), -1);
	ck_assert_str_eq(cause, "InvalidSignatureException: Credential "
	    "should be scoped to correct service: 'cognito-idp'.");
	free(cause);
	sigv4_auth_clear(&a);

	/* host must be signed */
	ck_assert_int_eq(sigv4_parse("AWS4-HMAC-SHA256 Credential=AKID/"
	    "20230510/us-east-1/cognito-idp/aws4_request, SignedHeaders="
	    "x-amz-date, Signature=51eb21c5cf8c6414629962de3587de0b0bf9ff722a5"
	    "74a84b02a857c51711cb4", &a, &cause), 0);
	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, BOTO_DATE,
	    "us-east-1", BOTO_NOW, 900, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "'host'"));
	free(cause);
	sigv4_auth_clear(&a);

	/* a signed header missing from the request */
	ck_assert_int_eq(sigv4_parse("AWS4-HMAC-SHA256 Credential=AKID/"
	    "20230510/us-east-1/cognito-idp/aws4_request, SignedHeaders="
	    "host;x-amz-date;x-amz-target;x-extra, Signature=51eb21c5cf8c641462"
	    "9962de3587de0b0bf9ff722a574a84b02a857c51711cb4", &a, &cause), 0);
	ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET, BOTO_DATE,
	    "us-east-1", BOTO_NOW, 900, &cause), -1);
	ck_assert_str_eq(cause, BOTO_MISMATCH);
	free(cause);
	sigv4_auth_clear(&a);
}
END_TEST

/* Parse BOTO_AUTH with other signed headers or another region. */
static void
scope_auth(struct sigv4_auth *a, const char *region, const char *signed_hdrs)
{
	char	*authz, *cause = NULL;

	authz = xasprintf("AWS4-HMAC-SHA256 Credential=AKIAUSERPOOLDTEST01/"
	    "20230510/%s/cognito-idp/aws4_request, SignedHeaders=%s, "
	    "Signature=51eb21c5cf8c6414629962de3587de0b0bf9ff722a574a84b02a857c"
	    "51711cb4", region, signed_hdrs);
	ck_assert_int_eq(sigv4_parse(authz, a, &cause), 0);
	free(authz);
}

/* The rules that need no key: required signed headers, region, clock. */
START_TEST(test_check_scope)
{
	static const struct {
		const char	*region;
		const char	*signed_hdrs;
		long long	 now;
		const char	*cause;
	} cases[] = {
		{ "us-east-1", "content-type;host;x-amz-date;x-amz-target",
		  BOTO_NOW, NULL },
		{ "us-east-1", "content-type;host;x-amz-date", BOTO_NOW,
		  "InvalidSignatureException: SignedHeaders must include "
		  "'x-amz-target'." },
		{ "us-east-1", "content-type;x-amz-date;x-amz-target",
		  BOTO_NOW, "InvalidSignatureException: SignedHeaders must "
		  "include 'host'." },
		{ "us-east-1", "content-type;date;host;x-amz-target",
		  BOTO_NOW, "InvalidSignatureException: SignedHeaders must "
		  "include 'x-amz-date'." },
		{ "eu-west-1", "content-type;host;x-amz-date;x-amz-target",
		  BOTO_NOW, "InvalidSignatureException: Credential should "
		  "be scoped to a valid region." },
		{ "us-east-1", "content-type;host;x-amz-date;x-amz-target",
		  BOTO_NOW + 15 * 60, NULL },
		{ "us-east-1", "content-type;host;x-amz-date;x-amz-target",
		  BOTO_NOW + 15 * 60 + 1, "InvalidSignatureException: "
		  "Signature expired: 20230510T103021Z is now earlier than "
		  "20230510T103022Z (20230510T104522Z - 15 min.)" },
	};
	struct sigv4_auth	 a;
	struct sigv4_request	 r;
	char			*cause;
	size_t			 i;
	int			 rc;

	boto_request(&r, BOTO_BODY);
	for (i = 0; i < nitems(cases); i++) {
		scope_auth(&a, cases[i].region, cases[i].signed_hdrs);
		cause = NULL;
		rc = sigv4_check(&a, BOTO_DATE, "us-east-1", cases[i].now,
		    15 * 60, &cause);
		if (cases[i].cause == NULL) {
			ck_assert_msg(rc == 0, "case %zu: %s", i, cause);
		} else {
			ck_assert_int_eq(rc, -1);
			ck_assert_str_eq(cause, cases[i].cause);
			free(cause);
			/* verify applies the same rules first */
			ck_assert_int_eq(sigv4_verify(&r, &a, BOTO_SECRET,
			    BOTO_DATE, "us-east-1", cases[i].now, 15 * 60,
			    &cause), -1);
			ck_assert_str_eq(cause, cases[i].cause);
			free(cause);
		}
		sigv4_auth_clear(&a);
	}
	/* a region that is not a region name is malformed */
	cause = NULL;
	ck_assert_int_eq(sigv4_parse("AWS4-HMAC-SHA256 Credential=AKID/"
	    "20230510/us-east-1'<x>/cognito-idp/aws4_request, SignedHeaders="
	    "host;x-amz-date;x-amz-target, Signature=51eb21c5cf8c6414629962de3"
	    "587de0b0bf9ff722a574a84b02a857c51711cb4", &a, &cause), -1);
	free(cause);
}
END_TEST

static const char *const good_headers[] = {
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
	"aws4_request,SignedHeaders=host;x-amz-date,Signature="
	"5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
	"AWS4-HMAC-SHA256 Signature="
	"5FA00FA31553B73EBF1942676E86291E8372FF2A2260956D9B8AAE1D763FBF31,  "
	"SignedHeaders=Host;X-Amz-Date , Credential=AKIDEXAMPLE/20150830/"
	"us-east-1/service/aws4_request",
};

START_TEST(test_parse_good)
{
	struct sigv4_auth	 a;
	char			*cause = NULL;

	ck_assert_int_eq(sigv4_parse(good_headers[_i], &a, &cause), 0);
	ck_assert_str_eq(a.access_key, "AKIDEXAMPLE");
	ck_assert_str_eq(a.date, "20150830");
	ck_assert_str_eq(a.region, "us-east-1");
	ck_assert_str_eq(a.service, "service");
	ck_assert_str_eq(a.signed_headers, "host;x-amz-date");
	ck_assert_str_eq(a.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2"
	    "a2260956d9b8aae1d763fbf31");
	sigv4_auth_clear(&a);
}
END_TEST

#define GOOD_CRED	"Credential=AKID/20150830/us-east-1/service/" \
	"aws4_request"
#define GOOD_SH		"SignedHeaders=host;x-amz-date"
#define GOOD_SIG	"Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a22" \
	"60956d9b8aae1d763fbf31"

static const char *const bad_headers[] = {
	"",
	"Bearer abc",
	"AWS4-HMAC-SHA1 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG,
	"AWS4-HMAC-SHA256",
	"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH,
	"AWS4-HMAC-SHA256 " GOOD_SH ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG ", Extra=1",
	"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG ",",
	"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/aws4_request, "
	    GOOD_SH ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/"
	    "aws4_request/x, " GOOD_SH ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 Credential=AKID/2015083/us-east-1/service/"
	    "aws4_request, " GOOD_SH ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 Credential=AKID/2015o830/us-east-1/service/"
	    "aws4_request, " GOOD_SH ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/"
	    "aws5_request, " GOOD_SH ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/service/"
	    "aws4_request, " GOOD_SH ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 Credential=AK ID/20150830/us-east-1/service/"
	    "aws4_request, " GOOD_SH ", " GOOD_SIG,
	"AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=, " GOOD_SIG,
	"AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host;;x, " GOOD_SIG,
	"AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host;, " GOOD_SIG,
	"AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=ho st, " GOOD_SIG,
	"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", Signature=5fa0",
	"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", Signature=zfa00fa31553b"
	    "73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
	"AWS4-HMAC-SHA256 " GOOD_CRED ", " GOOD_SH ", " GOOD_SIG "0",
	"AWS4-HMAC-SHA256 " GOOD_CRED " " GOOD_SH " " GOOD_SIG,
};

START_TEST(test_parse_bad)
{
	struct sigv4_auth	 a;
	char			*cause = NULL;

	ck_assert_msg(sigv4_parse(bad_headers[_i], &a, &cause) == -1,
	    "accepted: %s", bad_headers[_i]);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strncmp(cause, "IncompleteSignatureException: ", 30)
	    == 0, "cause: %s", cause);
	ck_assert_ptr_null(a.signed_headers);
	free(cause);
}
END_TEST

Suite *
sigv4_suite(void)
{
	Suite	*s = suite_create("sigv4");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_vectors, 0, (int)nitems(vectors));
	tcase_add_test(tc, test_canonical_trim);
	tcase_add_test(tc, test_canonical_query);
	tcase_add_test(tc, test_botocore);
	tcase_add_test(tc, test_verify_refusals);
	tcase_add_test(tc, test_check_scope);
	tcase_add_loop_test(tc, test_parse_good, 0, (int)nitems(good_headers));
	tcase_add_loop_test(tc, test_parse_bad, 0, (int)nitems(bad_headers));
	suite_add_tcase(s, tc);
	return s;
}
