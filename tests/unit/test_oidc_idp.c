/*
 * test_oidc_idp.c: the ID token checks of fed/oidc_idp.c and the JWK
 * signatures of crypto/jwk.c, with RSA and P-256 keys made by OpenSSL
 * at test time: a good RS256 and ES256 token; then every refusal (alg
 * none, HS256, a key of another type for the alg, an unknown kid, a
 * broken signature, aud, iss, nonce, exp, iat, no sub) and Google's
 * issuer without its scheme; the provider's authorization URL.
 * Sign in with Apple (fed/apple.c): the ES256 client secret verifies
 * with the key's JWK and says what Apple wants, a key that is not
 * P-256 is refused; the first-sign-in names; Apple's authorization URL
 * (form_post, a nonce, no PKCE).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/b64.h"
#include "crypto/jwk.h"
#include "fed/apple.h"
#include "fed/oidc_idp.h"
#include "suites.h"
#include "util.h"

#define NOW	1800000000LL

static EVP_PKEY	*rsa_key, *ec_key;

static char *
bn_member(EVP_PKEY *pk, const char *name, size_t pad)
{
	BIGNUM		*bn = NULL;
	unsigned char	 buf[512];
	int		 n;

	ck_assert(EVP_PKEY_get_bn_param(pk, name, &bn) == 1);
	n = pad > 0 ? BN_bn2binpad(bn, buf, (int)pad) : BN_bn2bin(bn, buf);
	BN_free(bn);
	return b64url_encode(buf, (size_t)n);
}

/* The JWK of a test key (new reference). */
static json_t *
jwk_of(EVP_PKEY *pk, const char *kid)
{
	char	*a, *b;
	json_t	*j;

	if (pk == rsa_key) {
		a = bn_member(pk, OSSL_PKEY_PARAM_RSA_N, 0);
		b = bn_member(pk, OSSL_PKEY_PARAM_RSA_E, 0);
		j = json_pack("{s:s, s:s, s:s, s:s}", "kty", "RSA", "kid", kid,
		    "n", a, "e", b);
	} else {
		a = bn_member(pk, OSSL_PKEY_PARAM_EC_PUB_X, 32);
		b = bn_member(pk, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
		j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "kid",
		    kid, "crv", "P-256", "x", a, "y", b);
	}
	free(a);
	free(b);
	return j;
}

static char *
part(json_t *j)
{
	char	*text = json_dumps(j, JSON_COMPACT), *out;

	out = b64url_encode(text, strlen(text));
	free(text);
	return out;
}

/* A JWS of header and claims (stolen) signed with pk (NULL: unsigned). */
static char *
sign(json_t *header, json_t *claims, EVP_PKEY *pk)
{
	char		*h = part(header), *c = part(claims);
	char		*input, *sig, *out;
	unsigned char	 raw[1024], *der = NULL, rs[64];
	size_t		 len = sizeof raw;
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	ECDSA_SIG	*es;
	const unsigned char *p;

	json_decref(header);
	json_decref(claims);
	input = xasprintf("%s.%s", h, c);
	if (pk == NULL) {
		sig = xstrdup("");
	} else {
		ck_assert(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
		    pk) == 1);
		ck_assert(EVP_DigestSign(md, raw, &len,
		    (unsigned char *)input, strlen(input)) == 1);
		if (pk == ec_key) {
			p = raw;
			es = d2i_ECDSA_SIG(NULL, &p, (long)len);
			BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, 32);
			BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + 32, 32);
			ECDSA_SIG_free(es);
			memcpy(raw, rs, 64);
			len = 64;
		}
		sig = b64url_encode(raw, len);
	}
	EVP_MD_CTX_free(md);
	free(der);
	out = xasprintf("%s.%s", input, sig);
	free(h);
	free(c);
	free(input);
	free(sig);
	return out;
}

static json_t *
claims(void)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss",
	    "https://idp.example", "aud", "client-1", "sub", "user-1", "exp",
	    (json_int_t)(NOW + 600), "iat", (json_int_t)NOW, "nonce", "n-1");
}

static const struct oidc_idp_expect expect = {
	"https://idp.example", "client-1", "n-1", NOW
};

static json_t *
jwks(void)
{
	json_t	*keys = json_array();

	json_array_append_new(keys, jwk_of(rsa_key, "r1"));
	json_array_append_new(keys, jwk_of(ec_key, "e1"));
	return json_pack("{s:o}", "keys", keys);
}

/* check_token's result for token (freed). */
static int
check(char *token, const struct oidc_idp_expect *x)
{
	json_t	*set = jwks(), *c = NULL;
	char	*why = NULL;
	int	 rc;

	rc = oidc_idp_check_token(token, set, x, &c, &why);
	ck_assert(rc == 0 ? c != NULL && why == NULL : c == NULL &&
	    why != NULL);
	json_decref(c);
	json_decref(set);
	free(why);
	free(token);
	return rc;
}

static json_t *
hdr(const char *alg, const char *kid)
{
	return json_pack("{s:s, s:s}", "alg", alg, "kid", kid);
}

static void
setup(void)
{
	rsa_key = EVP_RSA_gen(2048);
	ec_key = EVP_EC_gen("P-256");
	ck_assert(rsa_key != NULL && ec_key != NULL);
}

static void
teardown(void)
{
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(ec_key);
}

START_TEST(test_good_tokens)
{
	json_t	*c = claims();

	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), claims(), rsa_key),
	    &expect), 0);
	ck_assert_int_eq(check(sign(hdr("ES256", "e1"), claims(), ec_key),
	    &expect), 0);
	/* aud as an array holding ours, azp ours */
	json_object_set_new(c, "aud", json_pack("[s, s]", "x", "client-1"));
	json_object_set_new(c, "azp", json_string("client-1"));
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), c, rsa_key),
	    &expect), 0);
}
END_TEST

START_TEST(test_algorithms_refused)
{
	ck_assert_int_eq(check(sign(hdr("none", "r1"), claims(), NULL),
	    &expect), -1);
	ck_assert_int_eq(check(sign(hdr("HS256", "r1"), claims(), rsa_key),
	    &expect), -1);
	/* an RSA signature said to be ES256 under the RSA key's kid */
	ck_assert_int_eq(check(sign(hdr("ES256", "r1"), claims(), rsa_key),
	    &expect), OIDC_IDP_NO_KEY);
	/* an unknown kid: the JWKS is to be fetched again */
	ck_assert_int_eq(check(sign(hdr("RS256", "r9"), claims(), rsa_key),
	    &expect), OIDC_IDP_NO_KEY);
	/* the EC key's signature under the RSA key's kid */
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), claims(), ec_key),
	    &expect), -1);
	ck_assert_int_eq(check(xstrdup("a.b"), &expect), -1);
	ck_assert_int_eq(check(xstrdup("..."), &expect), -1);
}
END_TEST

START_TEST(test_claims_refused)
{
	static const char *const bad[][2] = {
		{ "iss", "https://evil.example" }, { "aud", "client-2" },
		{ "nonce", "n-2" }, { "sub", "" },
	};
	struct oidc_idp_expect	 late = expect;
	json_t			*c;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		c = claims();
		json_object_set_new(c, bad[i][0], json_string(bad[i][1]));
		ck_assert_int_eq(check(sign(hdr("RS256", "r1"), c, rsa_key),
		    &expect), -1);
	}
	/* several audiences, ours among them: azp must be ours */
	c = claims();
	json_object_set_new(c, "aud", json_pack("[s, s]", "x", "client-1"));
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), c, rsa_key),
	    &expect), -1);
	c = claims();
	json_object_set_new(c, "aud", json_pack("[s, s]", "x", "client-1"));
	json_object_set_new(c, "azp", json_string("x"));
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), c, rsa_key),
	    &expect), -1);
	/* one audience in an array: no azp needed */
	c = claims();
	json_object_set_new(c, "aud", json_pack("[s]", "client-1"));
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), c, rsa_key),
	    &expect), 0);
	c = claims();
	json_object_del(c, "nonce");
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), c, rsa_key),
	    &expect), -1);
	late.now = NOW + 600 + OIDC_IDP_SKEW + 1;
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), claims(), rsa_key),
	    &late), -1);
	late.now = NOW - OIDC_IDP_SKEW - 1;
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), claims(), rsa_key),
	    &late), -1);
	late.now = NOW + 600 + OIDC_IDP_SKEW - 1;
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), claims(), rsa_key),
	    &late), 0);
}
END_TEST

START_TEST(test_google_issuer)
{
	struct oidc_idp_expect	 g = expect;
	json_t			*c = claims();

	g.issuer = "https://accounts.google.com";
	json_object_set_new(c, "iss", json_string("accounts.google.com"));
	ck_assert_int_eq(check(sign(hdr("RS256", "r1"), c, rsa_key), &g), 0);
}
END_TEST

START_TEST(test_jwk_fits)
{
	json_t	*r = jwk_of(rsa_key, "r1"), *e = jwk_of(ec_key, "e1");

	ck_assert(jwk_fits(r, JWK_RS256) && !jwk_fits(r, JWK_ES256));
	ck_assert(jwk_fits(e, JWK_ES256) && !jwk_fits(e, JWK_RS256));
	json_object_set_new(r, "use", json_string("enc"));
	ck_assert(!jwk_fits(r, JWK_RS256));
	json_object_set_new(r, "use", json_string("sig"));
	json_object_set_new(r, "alg", json_string("RS384"));
	ck_assert(!jwk_fits(r, JWK_RS256));
	json_object_set_new(e, "crv", json_string("P-384"));
	ck_assert(!jwk_fits(e, JWK_ES256));
	json_decref(r);
	json_decref(e);
}
END_TEST

START_TEST(test_authorize_url)
{
	json_t			*d = json_pack("{s:s, s:s, s:s}",
				    "authorize_url", "https://idp.example/auth",
				    "client_id", "c 1", "authorize_scopes",
				    "openid email");
	struct oidc_idp_authz	 a = { FED_OIDC, d, "https://x/cb", "s1",
				    "n1", "ch" };
	char			*u = oidc_idp_authorize_url(&a);

	ck_assert_str_eq(u, "https://idp.example/auth?response_type=code&"
	    "client_id=c%201&redirect_uri=https%3A%2F%2Fx%2Fcb&scope=openid%20"
	    "email&state=s1&nonce=n1&code_challenge=ch&"
	    "code_challenge_method=S256");
	free(u);
	a.type = FED_FACEBOOK;
	json_object_set_new(d, "authorize_scopes",
	    json_string("public_profile,email"));
	u = oidc_idp_authorize_url(&a);
	ck_assert_str_eq(u, "https://idp.example/auth?response_type=code&"
	    "client_id=c%201&redirect_uri=https%3A%2F%2Fx%2Fcb&scope="
	    "public_profile%2Cemail&state=s1&code_challenge=ch&"
	    "code_challenge_method=S256");
	free(u);
	json_decref(d);
}
END_TEST

/* The PKCS#8 PEM of a test key (malloc'd). */
static char *
pem_of(EVP_PKEY *pk)
{
	BIO	*bio = BIO_new(BIO_s_mem());
	char	*data, *out;
	long	 n;

	ck_assert(PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL,
	    NULL) == 1);
	n = BIO_get_mem_data(bio, &data);
	out = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return out;
}

/* The JSON of a base64url part (new reference). */
static json_t *
unpart(const char *s, size_t len)
{
	char		*text = xstrndup(s, len);
	unsigned char	*raw;
	size_t		 n;
	json_t		*j;

	ck_assert_int_eq(b64url_decode(text, &raw, &n), 0);
	j = json_loadb((const char *)raw, n, 0, NULL);
	ck_assert_ptr_nonnull(j);
	free(raw);
	free(text);
	return j;
}

START_TEST(test_apple_client_secret)
{
	json_t		*d = json_pack("{s:s, s:s, s:s}", "client_id",
			    "com.example.web", "team_id", "TEAM1", "key_id",
			    "KEY1");
	json_t		*key = jwk_of(ec_key, "KEY1"), *h, *c;
	char		*pem = pem_of(ec_key), *bad = pem_of(rsa_key);
	char		*jwt, *d1, *d2;
	const char	*why = NULL;
	unsigned char	*sig;
	size_t		 sig_len;

	jwt = apple_client_secret(d, pem, NOW, &why);
	ck_assert_msg(jwt != NULL, "%s", why);
	d1 = strchr(jwt, '.');
	d2 = strchr(d1 + 1, '.');
	h = unpart(jwt, (size_t)(d1 - jwt));
	c = unpart(d1 + 1, (size_t)(d2 - d1 - 1));
	ck_assert_str_eq(json_string_value(json_object_get(h, "alg")),
	    "ES256");
	ck_assert_str_eq(json_string_value(json_object_get(h, "kid")), "KEY1");
	ck_assert_str_eq(json_string_value(json_object_get(c, "iss")),
	    "TEAM1");
	ck_assert_str_eq(json_string_value(json_object_get(c, "sub")),
	    "com.example.web");
	ck_assert_str_eq(json_string_value(json_object_get(c, "aud")),
	    "https://appleid.apple.com");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "iat")), NOW);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "exp")),
	    NOW + APPLE_SECRET_TTL);
	ck_assert_int_eq(b64url_decode(d2 + 1, &sig, &sig_len), 0);
	ck_assert_int_eq(jwk_verify(key, JWK_ES256, jwt, (size_t)(d2 - jwt),
	    sig, sig_len, &why), 0);
	free(sig);
	free(jwt);
	/* An RSA key, no PEM at all, or missing details: no secret. */
	ck_assert_ptr_null(apple_client_secret(d, bad, NOW, &why));
	ck_assert_ptr_null(apple_client_secret(d, "-----BEGIN PRIVATE KEY-----",
	    NOW, &why));
	json_object_del(d, "team_id");
	ck_assert_ptr_null(apple_client_secret(d, pem, NOW, &why));
	json_decref(h);
	json_decref(c);
	json_decref(key);
	json_decref(d);
	free(pem);
	free(bad);
}
END_TEST

START_TEST(test_apple_user_claims)
{
	json_t	*c = json_pack("{s:s}", "email", "a@privaterelay.example");

	apple_user_claims("{\"name\":{\"firstName\":\"Ada\",\"lastName\":"
	    "\"Lovelace\"},\"email\":\"evil@example.com\"}", c);
	ck_assert_str_eq(json_string_value(json_object_get(c, "firstName")),
	    "Ada");
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")),
	    "Ada Lovelace");
	ck_assert_str_eq(json_string_value(json_object_get(c, "email")),
	    "a@privaterelay.example");
	json_decref(c);
	c = json_object();
	apple_user_claims("not json", c);
	apple_user_claims("{\"name\":{\"firstName\":7}}", c);
	apple_user_claims(NULL, c);
	ck_assert_uint_eq(json_object_size(c), 0);
	json_decref(c);
}
END_TEST

START_TEST(test_apple_authorize_url)
{
	json_t			*d = json_pack("{s:s, s:s, s:s}",
				    "authorize_url", "https://apple.test/auth",
				    "client_id", "web", "authorize_scopes",
				    "email name");
	struct oidc_idp_authz	 a = { FED_APPLE, d, "https://x/cb", "s1",
				    "n1", "ch" };
	char			*u = oidc_idp_authorize_url(&a);

	ck_assert_str_eq(u, "https://apple.test/auth?response_type=code&"
	    "client_id=web&redirect_uri=https%3A%2F%2Fx%2Fcb&scope=email%20"
	    "name&state=s1&nonce=n1&response_mode=form_post");
	ck_assert(oidc_idp_form_post(FED_APPLE, d));
	ck_assert(!oidc_idp_form_post(FED_OIDC, d));
	free(u);
	json_decref(d);
}
END_TEST

Suite *
oidc_idp_suite(void)
{
	Suite	*s = suite_create("oidc_idp");
	TCase	*tc = tcase_create("core");

	/*
	 * The fixture makes an RSA-2048 key for every test: seconds under
	 * the sanitizers on a busy machine, past check's default 4 s.
	 */
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_good_tokens);
	tcase_add_test(tc, test_algorithms_refused);
	tcase_add_test(tc, test_claims_refused);
	tcase_add_test(tc, test_google_issuer);
	tcase_add_test(tc, test_jwk_fits);
	tcase_add_test(tc, test_authorize_url);
	tcase_add_test(tc, test_apple_client_secret);
	tcase_add_test(tc, test_apple_user_claims);
	tcase_add_test(tc, test_apple_authorize_url);
	suite_add_tcase(s, tc);
	return s;
}
