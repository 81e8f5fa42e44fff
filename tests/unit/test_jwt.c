/*
 * test_jwt.c: RS256 tokens signed with a pool key (two RSA-2048 keys
 * generated once, in an unchecked fixture), verified here and by libjwt
 * independently, and the refusals: tampering, the wrong key, alg none,
 * HS256 keyed with the public PEM, malformed parts and payloads,
 * oversized tokens. Also the key caches under eviction and threads.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jwt.h>			/* libjwt */
#include <mbedtls/md.h>
#include <mbedtls/pk.h>

#include "crypto/b64.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "suites.h"

#define MASTER	"00112233445566778899aabbccddeeff" \
	"00112233445566778899aabbccddeeff\n"
#define CLAIMS	"{\"sub\":\"5f0c1a2e-6f1b-4a43-9d3e-0a3c2b1d4e5f\"," \
	"\"token_use\":\"access\"," \
	"\"scope\":\"aws.cognito.signin.user.admin\"," \
	"\"auth_time\":1700000000,\"exp\":1700003600,\"iat\":1700000000," \
	"\"cognito:groups\":[\"admins\",\"caf\\u00e9\"],\"version\":2," \
	"\"custom:tenant\":\"t-1\"}"

static struct pool_key	key, other;
static char		*sealed, *other_sealed;
static char		 master_file[64];

static void
master_load(void)
{
	char	*cause = NULL;

	if (keys_master_load(master_file, 0, &cause) != 0) {
		fprintf(stderr, "keys_master_load: %s\n", cause);
		abort();
	}
}

static void
keys_setup(void)
{
	FILE	*f;
	char	*cause = NULL;
	int	 fd;

	strlcpy(master_file, "/tmp/userpoold-jwt.XXXXXX", sizeof master_file);
	if ((fd = mkstemp(master_file)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL)
		abort();
	fputs(MASTER, f);
	fclose(f);
	master_load();
	if (keys_generate(&key, &cause) != 0 ||
	    keys_generate(&other, &cause) != 0) {
		fprintf(stderr, "keys_generate: %s\n", cause);
		abort();
	}
	sealed = keys_seal(key.private_pem, strlen(key.private_pem));
	other_sealed = keys_seal(other.private_pem, strlen(other.private_pem));
}

static void
keys_teardown(void)
{
	jwt_cache_clear();
	keys_free(&key);
	keys_free(&other);
	free(sealed);
	free(other_sealed);
	keys_master_clear();
	unlink(master_file);
}

/* Each test starts with a loaded master key and empty caches. */
static void
test_setup(void)
{
	master_load();
	jwt_cache_clear();
}

static void
test_teardown(void)
{
	jwt_cache_clear();
}

static json_t *
claims(void)
{
	json_t	*j = json_loads(CLAIMS, 0, NULL);

	ck_assert_ptr_nonnull(j);
	return j;
}

static char *
sign(struct pool_key *k, const char *s)
{
	json_t	*c = claims();
	char	*t, *cause = NULL;

	t = jwt_sign(k->kid, s, c, &cause);
	ck_assert_msg(t != NULL, "jwt_sign: %s", cause);
	json_decref(c);
	return t;
}

/* Part n (0-2) of a token, decoded, NUL-terminated. */
static char *
part(const char *token, int n)
{
	const char	*p = token, *end;
	unsigned char	*out;
	char		*s;
	size_t		 len;

	while (n-- > 0)
		p = strchr(p, '.') + 1;
	end = strchr(p, '.');
	s = xstrndup(p, end != NULL ? (size_t)(end - p) : strlen(p));
	ck_assert_int_eq(b64url_decode(s, &out, &len), 0);
	free(s);
	return (char *)out;
}

/* A token of any header and payload text, RSA-signed with k. */
static char *
forge_rsa(struct pool_key *k, const char *hdr, const char *payload)
{
	mbedtls_pk_context	 pk;
	unsigned char		 md[32];
	unsigned char		 sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	char			*h, *p, *input, *s, *out;
	size_t			 siglen;

	h = b64url_encode(hdr, strlen(hdr));
	p = b64url_encode(payload, strlen(payload));
	input = xasprintf("%s.%s", h, p);
	mbedtls_pk_init(&pk);
	ck_assert_int_eq(mbedtls_pk_parse_key(&pk,
	    (unsigned char *)k->private_pem, strlen(k->private_pem) + 1,
	    NULL, 0), 0);
	ck_assert_int_eq(mbedtls_md(mbedtls_md_info_from_type(
	    MBEDTLS_MD_SHA256), (unsigned char *)input, strlen(input), md), 0);
	ck_assert_int_eq(mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, md, 32, sig,
	    &siglen, random_mbedtls, NULL), 0);
	mbedtls_pk_free(&pk);
	s = b64url_encode(sig, siglen);
	out = xasprintf("%s.%s", input, s);
	free(h);
	free(p);
	free(input);
	free(s);
	return out;
}

/* The payload text a token of these claims carries. */
static const char *
json_dumps_static(json_t *c)
{
	static char	buf[1024];
	char		*s = json_dumps(c, JSON_COMPACT);

	strlcpy(buf, s, sizeof buf);
	free(s);
	return buf;
}

static void
accepted(const char *token, const char *pem)
{
	json_t	*j;
	char	*cause = NULL;

	j = jwt_verify(token, pem, &cause);
	ck_assert_msg(j != NULL, "refused: %s", cause);
	ck_assert(json_is_object(j));
	json_decref(j);
}

static void
refused(const char *token, const char *pem)
{
	json_t	*j;
	char	*cause = NULL;

	j = jwt_verify(token, pem, &cause);
	ck_assert_msg(j == NULL, "accepted: %.80s", token);
	ck_assert_ptr_nonnull(cause);
	free(cause);
}

START_TEST(test_sign_verify)
{
	json_t	*c = claims(), *got;
	char	*t, *h, *cause = NULL;
	int	 dots = 0;
	size_t	 i;

	t = sign(&key, sealed);
	for (i = 0; t[i] != '\0'; i++) {
		dots += t[i] == '.';
		ck_assert(t[i] != '=' && t[i] != '+' && t[i] != '/');
	}
	ck_assert_int_eq(dots, 2);
	h = part(t, 1);
	ck_assert_str_eq(h, json_dumps_static(c));
	free(h);
	got = jwt_verify(t, key.public_pem, &cause);
	ck_assert_msg(got != NULL, "jwt_verify: %s", cause);
	ck_assert(json_equal(got, c));
	json_decref(got);
	/* Once more, from the caches. */
	free(t);
	t = sign(&key, sealed);
	got = jwt_verify(t, key.public_pem, &cause);
	ck_assert_ptr_nonnull(got);
	ck_assert(json_equal(got, c));
	json_decref(got);
	free(t);
	json_decref(c);
}
END_TEST

START_TEST(test_header)
{
	char	*t = sign(&key, sealed), *h, *want, *kid;

	h = part(t, 0);
	want = xasprintf("{\"kid\":\"%s\",\"alg\":\"RS256\"}", key.kid);
	ck_assert_str_eq(h, want);
	kid = jwt_peek_kid(t);
	ck_assert_str_eq(kid, key.kid);
	free(kid);
	free(want);
	free(h);
	h = part(t, 1);
	ck_assert(strchr(h, ' ') == NULL && strchr(h, '\n') == NULL);
	free(h);
	free(t);
}
END_TEST

/* libjwt, with its own OpenSSL code, accepts what we sign. */
START_TEST(test_libjwt_verifies)
{
	jwt_t	*j = NULL;
	char	*t = sign(&key, sealed), *groups;

	ck_assert_int_eq(jwt_decode(&j, t, (unsigned char *)key.public_pem,
	    (int)strlen(key.public_pem)), 0);
	ck_assert_int_eq(jwt_get_alg(j), JWT_ALG_RS256);
	ck_assert_str_eq(jwt_get_grant(j, "token_use"), "access");
	ck_assert_str_eq(jwt_get_header(j, "kid"), key.kid);
	ck_assert_int_eq(jwt_get_grant_int(j, "exp"), 1700003600);
	groups = jwt_get_grants_json(j, "cognito:groups");
	ck_assert_ptr_nonnull(groups);
	ck_assert_ptr_nonnull(strstr(groups, "\"admins\""));
	free(groups);
	jwt_free(j);
	j = NULL;
	/* ... and refuses it under the other key. */
	ck_assert_int_ne(jwt_decode(&j, t, (unsigned char *)other.public_pem,
	    (int)strlen(other.public_pem)), 0);
	jwt_free(j);
	free(t);
}
END_TEST

/* Change one letter of part n, keeping it valid base64url. */
static char *
flip(const char *token, int n, size_t at)
{
	char	*t = xstrdup(token), *p = t;

	while (n-- > 0)
		p = strchr(p, '.') + 1;
	p[at] = p[at] == 'A' ? 'B' : 'A';
	return t;
}

START_TEST(test_tampered)
{
	char	*t = sign(&key, sealed), *bad, *p64, *input;
	json_t	*c;

	bad = flip(t, 1, 5);
	refused(bad, key.public_pem);
	free(bad);
	bad = flip(t, 2, 10);
	refused(bad, key.public_pem);
	free(bad);
	bad = flip(t, 0, 3);
	refused(bad, key.public_pem);
	free(bad);
	/* A payload re-encoded with a changed claim, old signature. */
	c = claims();
	json_object_set_new(c, "token_use", json_string("id"));
	input = json_dumps(c, JSON_COMPACT);
	p64 = b64url_encode(input, strlen(input));
	free(input);
	input = xstrndup(t, (size_t)(strchr(t, '.') - t));
	bad = xasprintf("%s.%s%s", input, p64, strrchr(t, '.'));
	refused(bad, key.public_pem);
	free(bad);
	free(input);
	free(p64);
	json_decref(c);
	/* Truncated signature, signature of another token. */
	bad = xstrndup(t, strlen(t) - 4);
	refused(bad, key.public_pem);
	free(bad);
	free(t);
}
END_TEST

START_TEST(test_other_key)
{
	char	*t = sign(&other, other_sealed);

	refused(t, key.public_pem);
	accepted(t, other.public_pem);
	free(t);
}
END_TEST

START_TEST(test_alg_none)
{
	char	*h, *p, *t, *kid;

	h = b64url_encode("{\"alg\":\"none\"}", 14);
	p = b64url_encode(CLAIMS, strlen(CLAIMS));
	t = xasprintf("%s.%s.", h, p);
	refused(t, key.public_pem);
	ck_assert_ptr_null(jwt_peek_kid(t));
	free(t);
	t = xasprintf("%s.%s", h, p);
	refused(t, key.public_pem);
	free(t);
	free(h);
	/* Properly RSA-signed, but the header does not say RS256. */
	t = forge_rsa(&key, "{\"kid\":\"k\",\"alg\":\"none\"}", CLAIMS);
	refused(t, key.public_pem);
	ck_assert_ptr_null(jwt_peek_kid(t));
	free(t);
	t = forge_rsa(&key, "{\"kid\":\"k\",\"alg\":\"rs256\"}", CLAIMS);
	refused(t, key.public_pem);
	free(t);
	t = forge_rsa(&key, "{\"kid\":\"k\",\"alg\":\"RS256\\u0000\"}", CLAIMS);
	refused(t, key.public_pem);
	free(t);
	t = forge_rsa(&key, "{\"kid\":\"k\"}", CLAIMS);
	refused(t, key.public_pem);
	free(t);
	t = forge_rsa(&key, "{\"alg\":\"RS256\",\"crit\":[\"b64\"]}", CLAIMS);
	refused(t, key.public_pem);
	free(t);
	/* The same signing path, RS256 header: accepted (the control). */
	t = forge_rsa(&key, "{\"kid\":\"k\",\"alg\":\"RS256\"}", CLAIMS);
	accepted(t, key.public_pem);
	kid = jwt_peek_kid(t);
	ck_assert_str_eq(kid, "k");
	free(kid);
	free(t);
	free(p);
}
END_TEST

/* The classic confusion: HS256 with the RSA public PEM as HMAC secret. */
START_TEST(test_alg_hs256)
{
	unsigned char	 mac[32];
	char		*h, *p, *input, *s, *t;
	jwt_t		*j = NULL;

	h = b64url_encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 27);
	p = b64url_encode(CLAIMS, strlen(CLAIMS));
	input = xasprintf("%s.%s", h, p);
	ck_assert_int_eq(mbedtls_md_hmac(mbedtls_md_info_from_type(
	    MBEDTLS_MD_SHA256), (unsigned char *)key.public_pem,
	    strlen(key.public_pem), (unsigned char *)input, strlen(input),
	    mac), 0);
	s = b64url_encode(mac, sizeof mac);
	t = xasprintf("%s.%s", input, s);
	/* libjwt 1.10 falls for it (see dependencies.md §4) ... */
	ck_assert_int_eq(jwt_decode(&j, t, (unsigned char *)key.public_pem,
	    (int)strlen(key.public_pem)), 0);
	jwt_free(j);
	/* ... we do not. */
	refused(t, key.public_pem);
	ck_assert_ptr_null(jwt_peek_kid(t));
	free(t);
	free(s);
	free(input);
	free(h);
	free(p);
}
END_TEST

START_TEST(test_malformed)
{
	char	*t = sign(&key, sealed), *bad, *first, *last;

	first = xstrndup(t, (size_t)(strchr(t, '.') - t));
	last = strrchr(t, '.');
	/* Two parts, four parts, empty parts. */
	bad = xstrndup(t, (size_t)(last - t));
	refused(bad, key.public_pem);
	ck_assert_ptr_null(jwt_peek_kid(bad));
	free(bad);
	bad = xasprintf("%s.x", t);
	refused(bad, key.public_pem);
	free(bad);
	bad = xasprintf("%s..%s", first, last + 1);
	refused(bad, key.public_pem);
	free(bad);
	bad = xasprintf("%s", t);
	bad[strlen(bad) - strlen(last) + 1] = '\0';
	refused(bad, key.public_pem);
	free(bad);
	refused("", key.public_pem);
	refused("..", key.public_pem);
	refused("!!!.###.$$$", key.public_pem);
	refused("eyJhbGciOiJSUzI1NiJ9.e30.", key.public_pem);
	/* Padding, spaces, standard-alphabet letters. */
	bad = xasprintf("%s=%s", first, t + strlen(first));
	refused(bad, key.public_pem);
	free(bad);
	bad = xasprintf("%s ", t);
	refused(bad, key.public_pem);
	free(bad);
	bad = xstrdup(t);
	bad[strlen(bad) - 3] = '+';
	refused(bad, key.public_pem);
	free(bad);
	/* Not a key, not an RSA key, no key. */
	refused(t, "-----BEGIN PUBLIC KEY-----\nAAAA\n"
	    "-----END PUBLIC KEY-----\n");
	refused(t, key.private_pem);
	refused(t, "");
	refused(t, NULL);
	free(first);
	free(t);
}
END_TEST

START_TEST(test_payloads)
{
	static const char *const bad[] = {
		"[1,2,3]", "\"sub\"", "42", "null", "{", "{\"a\":1}x",
		"{\"sub\":\"a\",\"sub\":\"b\"}", "",
	};
	const char	*hdr = "{\"kid\":\"k\",\"alg\":\"RS256\"}";
	size_t		 i;
	char		*t;

	for (i = 0; i < nitems(bad); i++) {
		t = forge_rsa(&key, hdr, bad[i]);
		refused(t, key.public_pem);
		free(t);
	}
	/* Header not an object, not JSON. */
	t = forge_rsa(&key, "[\"RS256\"]", CLAIMS);
	refused(t, key.public_pem);
	free(t);
	t = forge_rsa(&key, "alg=RS256", CLAIMS);
	refused(t, key.public_pem);
	free(t);
	t = forge_rsa(&key, hdr, "{}");
	accepted(t, key.public_pem);
	free(t);
}
END_TEST

START_TEST(test_oversized)
{
	json_t	*c = claims();
	char	*big, *t, *cause = NULL;

	big = xmalloc(13000);
	memset(big, 'a', 12999);
	big[12999] = '\0';
	json_object_set_new(c, "big", json_string(big));
	/* 13,000 letters are 17,300 in base64: refused both ways. */
	ck_assert_ptr_null(jwt_sign(key.kid, sealed, c, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
	big[9000] = '\0';
	json_object_set_new(c, "big", json_string(big));
	t = jwt_sign(key.kid, sealed, c, &cause);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_le(strlen(t), 16384);
	free(t);
	/* A validly signed token just over the limit is not even read. */
	big[9000] = 'a';
	big[12400] = '\0';
	json_object_set_new(c, "big", json_string(big));
	free(big);
	big = json_dumps(c, JSON_COMPACT);
	t = forge_rsa(&key, "{\"kid\":\"k\",\"alg\":\"RS256\"}", big);
	ck_assert_uint_gt(strlen(t), 16384);
	refused(t, key.public_pem);
	free(t);
	free(big);
	json_decref(c);
}
END_TEST

START_TEST(test_sign_failures)
{
	json_t	*c = claims(), *arr = json_array();
	char	*cause = NULL, *bad;

	ck_assert_ptr_null(jwt_sign("nokey", NULL, c, &cause));
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(jwt_sign("nokey", "v1.garbage.garbage", c, &cause));
	free(cause);
	cause = NULL;
	bad = keys_seal("not a PEM", 9);
	ck_assert_ptr_null(jwt_sign("notpem", bad, c, &cause));
	free(bad);
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(jwt_sign(key.kid, sealed, arr, &cause));
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(jwt_sign(NULL, sealed, c, &cause));
	free(cause);
	cause = NULL;
	/* Without the master key, a cold cache cannot sign. */
	keys_master_clear();
	ck_assert_ptr_null(jwt_sign(key.kid, sealed, c, &cause));
	free(cause);
	json_decref(arr);
	json_decref(c);
}
END_TEST

/* More kids than the cache holds: evictions, then everything verifies. */
START_TEST(test_cache_eviction)
{
	json_t	*c = claims(), *j;
	char	 kid[16], *t, *cause = NULL;
	int	 i;

	for (i = 0; i < 70; i++) {
		snprintf(kid, sizeof kid, "kid-%d", i);
		t = jwt_sign(kid, i % 2 ? other_sealed : sealed, c, &cause);
		ck_assert_ptr_nonnull(t);
		j = jwt_verify(t, i % 2 ? other.public_pem : key.public_pem,
		    &cause);
		ck_assert_msg(j != NULL, "kid %d: %s", i, cause);
		json_decref(j);
		free(t);
	}
	/* A cached kid signs even without its sealed key at hand. */
	t = jwt_sign("kid-69", NULL, c, &cause);
	ck_assert_ptr_nonnull(t);
	free(t);
	json_decref(c);
}
END_TEST

struct worker {
	int	id;
	int	bad;
};

static void *
jwt_thread(void *arg)
{
	struct worker	*w = arg;
	json_t		*c = claims(), *j;
	char		 kid[16], *t, *cause;
	int		 i;

	for (i = 0; i < 12; i++) {
		cause = NULL;
		/* Three kids shared by all threads, churned by clears. */
		snprintf(kid, sizeof kid, "k%d", (w->id + i) % 3);
		if (w->id == 0 && i % 4 == 3)
			jwt_cache_clear();
		t = jwt_sign(kid, sealed, c, &cause);
		if (t == NULL) {
			w->bad++;
			free(cause);
			continue;
		}
		j = jwt_verify(t, key.public_pem, &cause);
		if (j == NULL || !json_equal(j, c))
			w->bad++;
		free(cause);
		json_decref(j);
		free(t);
	}
	json_decref(c);
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t	t[4];
	struct worker	w[4];
	int		i;

	for (i = 0; i < 4; i++) {
		w[i].id = i;
		w[i].bad = 0;
		ck_assert_int_eq(pthread_create(&t[i], NULL, jwt_thread, &w[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].bad, 0);
	}
}
END_TEST

Suite *
jwt_suite(void)
{
	Suite	*s = suite_create("jwt");
	TCase	*tc = tcase_create("rs256");

	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sign_verify);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_libjwt_verifies);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_other_key);
	tcase_add_test(tc, test_alg_none);
	tcase_add_test(tc, test_alg_hs256);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_payloads);
	tcase_add_test(tc, test_oversized);
	tcase_add_test(tc, test_sign_failures);
	tcase_add_test(tc, test_cache_eviction);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}
