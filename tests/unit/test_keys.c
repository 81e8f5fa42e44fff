/*
 * test_keys.c: RSA signing keys (one generated per run, in an unchecked
 * fixture so that forked tests share it), their JWK and RFC 7638 kid,
 * and sealing under the master key.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "crypto/b64.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "suites.h"

static struct pool_key	key;
static char		tmpdir[64];

static void
keygen_setup(void)
{
	struct timespec	 a, b;
	char		*cause = NULL;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (keys_generate(&key, &cause) != 0) {
		fprintf(stderr, "keys_generate: %s\n", cause);
		abort();
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "keys: RSA-2048 generation took %.0f ms\n",
	    (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
}

static void
keygen_teardown(void)
{
	keys_free(&key);
}

/* The thumbprint computed here, apart from keys.c. */
static char *
thumbprint(json_t *jwk)
{
	unsigned char	 md[32];
	char		*canon, *out;

	canon = xasprintf("{\"e\":\"%s\",\"kty\":\"%s\",\"n\":\"%s\"}",
	    json_string_value(json_object_get(jwk, "e")),
	    json_string_value(json_object_get(jwk, "kty")),
	    json_string_value(json_object_get(jwk, "n")));
	ck_assert_int_eq(mbedtls_md(
	    mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    (unsigned char *)canon, strlen(canon), md), 0);
	free(canon);
	out = b64url_encode(md, sizeof md);
	return out;
}

START_TEST(test_generated_jwk)
{
	json_t		*j = key.jwk;
	const char	*n;
	char		*kid;

	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(json_object_size(j), 6);
	ck_assert_str_eq(json_string_value(json_object_get(j, "alg")), "RS256");
	ck_assert_str_eq(json_string_value(json_object_get(j, "kty")), "RSA");
	ck_assert_str_eq(json_string_value(json_object_get(j, "use")), "sig");
	ck_assert_str_eq(json_string_value(json_object_get(j, "e")), "AQAB");
	ck_assert_str_eq(json_string_value(json_object_get(j, "kid")), key.kid);
	n = json_string_value(json_object_get(j, "n"));
	ck_assert_uint_eq(strlen(n), 342);	/* 256 bytes, no padding */
	ck_assert(strpbrk(n, "+/=") == NULL);
	ck_assert_uint_eq(strlen(key.kid), 43);
	kid = thumbprint(j);
	ck_assert_str_eq(kid, key.kid);
	free(kid);
}
END_TEST

START_TEST(test_generated_pem)
{
	mbedtls_pk_context	 pub, priv;
	json_t			*jwk;
	char			*kid, *cause = NULL;

	ck_assert(strncmp(key.private_pem, "-----BEGIN RSA PRIVATE KEY-----\n",
	    32) == 0);
	ck_assert(strncmp(key.public_pem, "-----BEGIN PUBLIC KEY-----\n",
	    27) == 0);
	mbedtls_pk_init(&pub);
	mbedtls_pk_init(&priv);
	ck_assert_int_eq(mbedtls_pk_parse_public_key(&pub,
	    (unsigned char *)key.public_pem, strlen(key.public_pem) + 1), 0);
	ck_assert_int_eq(mbedtls_pk_parse_key(&priv,
	    (unsigned char *)key.private_pem, strlen(key.private_pem) + 1,
	    NULL, 0), 0);
	ck_assert_int_eq(mbedtls_pk_check_pair(&pub, &priv), 0);
	mbedtls_pk_free(&pub);
	mbedtls_pk_free(&priv);

	ck_assert_int_eq(keys_jwk_from_pem(key.public_pem, &jwk, &kid, &cause),
	    0);
	ck_assert_str_eq(kid, key.kid);
	ck_assert(json_equal(jwk, key.jwk));
	json_decref(jwk);
	free(kid);
}
END_TEST

#define RFC7638_N "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4" \
	"cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiF" \
	"V4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6C" \
	"f0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9" \
	"c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTW" \
	"hAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1" \
	"jF44-csFCur-kEgU8awapJzKnqDKgw"

/* RFC 7638 §3.1: the example key's published thumbprint. */
START_TEST(test_rfc7638)
{
	mbedtls_pk_context	 pk;
	unsigned char		*n, *e, pem[2048];
	size_t			 nlen, elen;
	json_t			*jwk;
	char			*kid, *cause = NULL;

	ck_assert_int_eq(b64url_decode(RFC7638_N, &n, &nlen), 0);
	ck_assert_int_eq(b64url_decode("AQAB", &e, &elen), 0);
	mbedtls_pk_init(&pk);
	ck_assert_int_eq(mbedtls_pk_setup(&pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), 0);
	ck_assert_int_eq(mbedtls_rsa_import_raw(mbedtls_pk_rsa(pk), n, nlen,
	    NULL, 0, NULL, 0, NULL, 0, e, elen), 0);
	ck_assert_int_eq(mbedtls_rsa_complete(mbedtls_pk_rsa(pk)), 0);
	ck_assert_int_eq(mbedtls_pk_write_pubkey_pem(&pk, pem, sizeof pem), 0);
	mbedtls_pk_free(&pk);
	free(n);
	free(e);

	ck_assert_int_eq(keys_jwk_from_pem((char *)pem, &jwk, &kid, &cause),
	    0);
	ck_assert_str_eq(kid, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "n")),
	    RFC7638_N);
	json_decref(jwk);
	free(kid);
}
END_TEST

START_TEST(test_jwk_from_bad_pem)
{
	mbedtls_pk_context	 pk;
	unsigned char		 pem[1024];
	json_t			*jwk = NULL;
	char			*kid = NULL, *cause = NULL;

	ck_assert_int_eq(keys_jwk_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n"
	    "-----END PUBLIC KEY-----\n", &jwk, &kid, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(keys_jwk_from_pem(key.private_pem, &jwk, &kid,
	    &cause), -1);
	free(cause);
	cause = NULL;

	/* An EC key parses but is not what a pool signs with. */
	mbedtls_pk_init(&pk);
	ck_assert_int_eq(mbedtls_pk_setup(&pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	ck_assert_int_eq(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
	    mbedtls_pk_ec(pk), random_mbedtls, NULL), 0);
	ck_assert_int_eq(mbedtls_pk_write_pubkey_pem(&pk, pem, sizeof pem), 0);
	mbedtls_pk_free(&pk);
	ck_assert_int_eq(keys_jwk_from_pem((char *)pem, &jwk, &kid, &cause),
	    -1);
	ck_assert_str_eq(cause, "not an RSA key");
	free(cause);
	ck_assert_ptr_null(jwk);
	ck_assert_ptr_null(kid);
}
END_TEST

/* --- Master key and sealing --- */

static void
master_setup(void)
{
	strlcpy(tmpdir, "/tmp/userpoold-unit.XXXXXX", sizeof tmpdir);
	if (mkdtemp(tmpdir) == NULL)
		abort();
}

static void
master_teardown(void)
{
	char	*cmd;

	keys_master_clear();
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
}

static char *
master_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void
write_text(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_master_create)
{
	struct stat	 sb;
	char		*path = master_path("master.key"), *cause = NULL;
	char		*buf;
	size_t		 len, i;

	ck_assert_int_eq(keys_master_load(path, 0, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	ck_assert_int_eq(keys_master_load(path, 1, &cause), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(read_file(path, &buf, &len, &cause), 0);
	ck_assert_uint_eq(len, 65);
	ck_assert_int_eq(buf[64], '\n');
	for (i = 0; i < 64; i++)
		ck_assert_ptr_nonnull(strchr("0123456789abcdef", buf[i]));
	free(buf);
	/* A second load reads the same file instead of replacing it. */
	ck_assert_int_eq(keys_master_load(path, 1, &cause), 0);
	ck_assert_int_eq(read_file(path, &buf, &len, &cause), 0);
	ck_assert_uint_eq(len, 65);
	free(buf);
	free(path);
}
END_TEST

static const char *const bad_master[] = {
	"",
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef\n",
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0",
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeegg",
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n\n",
	" 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
};

START_TEST(test_master_malformed)
{
	char	*path = master_path("bad.key"), *cause = NULL;

	write_text(path, bad_master[_i]);
	ck_assert_int_eq(keys_master_load(path, 1, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "64 hex digits"));
	free(cause);
	free(path);
}
END_TEST

#define MASTER_A "00112233445566778899AABBCCDDEEFF" \
	"00112233445566778899aabbccddeeff\n"
#define MASTER_B "ffeeddccbbaa99887766554433221100" \
	"ffeeddccbbaa99887766554433221100"

static void
load_master(const char *text)
{
	char	*path = master_path("m.key"), *cause = NULL;

	write_text(path, text);
	chmod(path, 0600);
	ck_assert_int_eq(keys_master_load(path, 0, &cause), 0);
	free(path);
}

START_TEST(test_seal_round_trip)
{
	static const size_t	 sizes[] = { 0, 1, 15, 16, 17, 1700 };
	unsigned char		 data[1700], *out;
	char			*s1, *s2;
	size_t			 i, len;

	load_master(MASTER_A);
	random_bytes(data, sizeof data);
	for (i = 0; i < nitems(sizes); i++) {
		s1 = keys_seal(data, sizes[i]);
		s2 = keys_seal(data, sizes[i]);
		ck_assert(strncmp(s1, "v1.", 3) == 0);
		ck_assert_str_ne(s1, s2);	/* fresh nonce each time */
		ck_assert_int_eq(keys_open(s1, &out, &len), 0);
		ck_assert_uint_eq(len, sizes[i]);
		ck_assert(memcmp(out, data, len) == 0);
		free(out);
		free(s1);
		free(s2);
	}
	s1 = keys_seal(key.private_pem, strlen(key.private_pem));
	ck_assert_int_eq(keys_open(s1, &out, &len), 0);
	ck_assert_str_eq((char *)out, key.private_pem);
	free(out);
	free(s1);
}
END_TEST

START_TEST(test_seal_tamper)
{
	unsigned char	*out = NULL;
	char		*s, *t, *dot;
	size_t		 len, i;

	load_master(MASTER_A);
	/* 14 + 16 bytes: no base64 padding, so every letter carries bits. */
	s = keys_seal("attack at dawn", 14);
	dot = strrchr(s, '.');
	/* Flip one letter in each position of the nonce and ciphertext. */
	for (i = 3; s[i] != '\0'; i++) {
		if (s[i] == '.' || s[i] == '=')
			continue;
		t = xstrdup(s);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		ck_assert_msg(keys_open(t, &out, &len) == -1, "offset %zu", i);
		free(t);
	}
	t = xstrndup(s, strlen(s) - 4);		/* truncated */
	ck_assert_int_eq(keys_open(t, &out, &len), -1);
	free(t);
	t = xasprintf("v2.%s", s + 3);		/* unknown version */
	ck_assert_int_eq(keys_open(t, &out, &len), -1);
	free(t);
	t = xstrndup(s, (size_t)(dot - s));	/* no ciphertext */
	ck_assert_int_eq(keys_open(t, &out, &len), -1);
	free(t);
	ck_assert_int_eq(keys_open("v1..", &out, &len), -1);
	ck_assert_int_eq(keys_open("", &out, &len), -1);
	ck_assert_ptr_null(out);

	load_master(MASTER_B);			/* wrong master key */
	ck_assert_int_eq(keys_open(s, &out, &len), -1);
	load_master(MASTER_A);
	ck_assert_int_eq(keys_open(s, &out, &len), 0);
	ck_assert_str_eq((char *)out, "attack at dawn");
	free(out);
	keys_master_clear();			/* no master key at all */
	ck_assert_int_eq(keys_open(s, &out, &len), -1);
	free(s);
}
END_TEST

static void *
seal_thread(void *arg)
{
	unsigned char	 buf[64], *out;
	char		*s;
	size_t		 len;
	int		 i, *bad = arg;

	for (i = 0; i < 200; i++) {
		random_bytes(buf, sizeof buf);
		s = keys_seal(buf, sizeof buf);
		if (keys_open(s, &out, &len) != 0 || len != sizeof buf ||
		    memcmp(out, buf, len) != 0)
			(*bad)++;
		else
			free(out);
		free(s);
	}
	return NULL;
}

START_TEST(test_seal_threads)
{
	pthread_t	t[4];
	int		bad[4] = { 0 }, i;

	load_master(MASTER_A);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, seal_thread,
		    &bad[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(bad[i], 0);
	}
}
END_TEST

Suite *
keys_suite(void)
{
	Suite	*s = suite_create("keys");
	TCase	*tc = tcase_create("keys");

	/* Unchecked: runs once, before the forks, so tests share the key. */
	tcase_add_unchecked_fixture(tc, keygen_setup, keygen_teardown);
	tcase_add_checked_fixture(tc, master_setup, master_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_generated_jwk);
	tcase_add_test(tc, test_generated_pem);
	tcase_add_test(tc, test_rfc7638);
	tcase_add_test(tc, test_jwk_from_bad_pem);
	tcase_add_test(tc, test_master_create);
	tcase_add_loop_test(tc, test_master_malformed, 0,
	    (int)nitems(bad_master));
	tcase_add_test(tc, test_seal_round_trip);
	tcase_add_test(tc, test_seal_tamper);
	tcase_add_test(tc, test_seal_threads);
	suite_add_tcase(s, tc);
	return s;
}
