/*
 * srp.c: Cognito's SRP-6a, following the recipe every Cognito client
 * implements (amazon-cognito-identity-js, Amplify, pycognito):
 *
 *   k = H(pad(N) | pad(g))            x = H(pad(s) | H(G | I | ":" | P))
 *   v = g^x                           B = k*v + g^b           (mod N)
 *   u = H(pad(A) | pad(B))            S = (A * v^u)^b         (mod N)
 *   K = HKDF-SHA256(ikm = pad(S), salt = pad(u),
 *                   info = "Caldera Derived Key", 16 bytes)
 *   signature = HMAC-SHA256(K, G | I | SECRET_BLOCK | TIMESTAMP)
 *
 * where pad() is the "padHex" byte string: the minimal big-endian
 * magnitude, with a 0x00 byte in front when its top bit is set. Never a
 * fixed width: one login in 256 has a number with a leading zero byte,
 * and a fixed-width encoding would hash differently from the client.
 *
 * N, g and k are set up once (pthread_once) and only read afterwards;
 * everything else lives on the caller's stack, and secret numbers are
 * zeroised by mbedtls_mpi_free(). mbedtls_mpi_exp_mod() gets no shared
 * cache of R^2 mod N: it would be written by the first caller.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <mbedtls/bignum.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include "b64.h"
#include "random.h"
#include "srp.h"
#include "util.h"

#define SRP_N_HEX \
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74" \
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437" \
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" \
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05" \
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB" \
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" \
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718" \
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33" \
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" \
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864" \
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2" \
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
#define SRP_PAD_MAX	(SRP_HEX_MAX / 2 + 2)	/* pad() of any input */
#define SRP_KEY_BYTES	16
#define SRP_HKDF_INFO	"Caldera Derived Key"
#define SRP_FAKE_SALT	"userpoold fake SRP salt"
#define SRP_FAKE_VERIFIER "userpoold fake SRP verifier"

/* A failing bignum call can only mean memory exhaustion. */
#define SRP_MPI(call) do {						\
	if ((call) != 0)						\
		fatalx("srp: %s", #call);				\
} while (0)

static pthread_once_t	 srp_once = PTHREAD_ONCE_INIT;
static mbedtls_mpi	 srp_N, srp_g, srp_k;

static void	srp_hash_pads(const mbedtls_mpi *, const mbedtls_mpi *,
		    mbedtls_mpi *);

static const mbedtls_md_info_t *
srp_sha256(void)
{
	return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
}

static void
srp_init(void)
{
	mbedtls_mpi_init(&srp_N);
	mbedtls_mpi_init(&srp_g);
	mbedtls_mpi_init(&srp_k);
	SRP_MPI(mbedtls_mpi_read_string(&srp_N, 16, SRP_N_HEX));
	SRP_MPI(mbedtls_mpi_lset(&srp_g, 2));
	srp_hash_pads(&srp_N, &srp_g, &srp_k);
}

static void
srp_setup(void)
{
	if (pthread_once(&srp_once, srp_init) != 0)
		fatalx("srp: pthread_once");
}

/* --- Encoding --- */

/*
 * Read a hex number: 1 to SRP_HEX_MAX digits and nothing else (mbedTLS
 * itself would also take a sign).
 */
static int
srp_read(mbedtls_mpi *X, const char *hex)
{
	size_t	len;

	if (hex == NULL)
		return -1;
	for (len = 0; hex[len] != '\0'; len++)
		if (len >= SRP_HEX_MAX || !isxdigit((unsigned char)hex[len]))
			return -1;
	if (len == 0)
		return -1;
	SRP_MPI(mbedtls_mpi_read_string(X, 16, hex));
	return 0;
}

/* Read a hex number and require 0 < X < N. */
static int
srp_read_element(mbedtls_mpi *X, const char *hex)
{
	if (srp_read(X, hex) != 0)
		return -1;
	if (mbedtls_mpi_cmp_int(X, 0) == 0 ||
	    mbedtls_mpi_cmp_mpi(X, &srp_N) >= 0)
		return -1;
	return 0;
}

/* The padHex bytes of X into buf (SRP_PAD_MAX bytes); their length. */
static size_t
srp_pad(const mbedtls_mpi *X, unsigned char *buf)
{
	size_t	n = mbedtls_mpi_size(X), top;

	if (n == 0) {
		buf[0] = 0;
		return 1;
	}
	top = mbedtls_mpi_bitlen(X) % 8 == 0;
	if (n + top > SRP_PAD_MAX)
		fatalx("srp_pad: %zu bytes", n);
	buf[0] = 0;
	SRP_MPI(mbedtls_mpi_write_binary(X, buf + top, n));
	return n + top;
}

/* X as a malloc'd lowercase padHex string. */
static char *
srp_hex(const mbedtls_mpi *X)
{
	unsigned char	 buf[SRP_PAD_MAX];
	size_t		 len = srp_pad(X, buf);
	char		*out = xmalloc(2 * len + 1);

	hex_encode(buf, len, out);
	wipe(buf, len);
	return out;
}

char *
srp_pad_hex(const char *hex)
{
	mbedtls_mpi	 X;
	char		*out = NULL;

	mbedtls_mpi_init(&X);
	if (srp_read(&X, hex) == 0)
		out = srp_hex(&X);
	mbedtls_mpi_free(&X);
	return out;
}

/* --- Hashes --- */

/* A SHA-256 or HMAC-SHA256 computation in progress. */
struct srp_md {
	mbedtls_md_context_t	ctx;
	int			hmac;
};

/* Start a hash, or an HMAC when key is not NULL. */
static void
srp_md_start(struct srp_md *m, const unsigned char *key, size_t keylen)
{
	m->hmac = key != NULL;
	mbedtls_md_init(&m->ctx);
	if (mbedtls_md_setup(&m->ctx, srp_sha256(), m->hmac) != 0)
		fatalx("srp: mbedtls_md_setup");
	if ((m->hmac ? mbedtls_md_hmac_starts(&m->ctx, key, keylen) :
	    mbedtls_md_starts(&m->ctx)) != 0)
		fatalx("srp: mbedtls_md_starts");
}

static void
srp_md_add(struct srp_md *m, const void *data, size_t len)
{
	if ((m->hmac ? mbedtls_md_hmac_update(&m->ctx, data, len) :
	    mbedtls_md_update(&m->ctx, data, len)) != 0)
		fatalx("srp: mbedtls_md_update");
}

/* Finish and free (mbedtls_md_free() zeroises the state). */
static void
srp_md_finish(struct srp_md *m, unsigned char out[32])
{
	if ((m->hmac ? mbedtls_md_hmac_finish(&m->ctx, out) :
	    mbedtls_md_finish(&m->ctx, out)) != 0)
		fatalx("srp: mbedtls_md_finish");
	mbedtls_md_free(&m->ctx);
}

static void
srp_md_add_pad(struct srp_md *ctx, const mbedtls_mpi *X)
{
	unsigned char	buf[SRP_PAD_MAX];
	size_t		len = srp_pad(X, buf);

	srp_md_add(ctx, buf, len);
	wipe(buf, len);
}

/* out = H(pad(X) | pad(Y)), as for k and u. */
static void
srp_hash_pads(const mbedtls_mpi *X, const mbedtls_mpi *Y, mbedtls_mpi *out)
{
	struct srp_md		ctx;
	unsigned char		md[32];

	srp_md_start(&ctx, NULL, 0);
	srp_md_add_pad(&ctx, X);
	srp_md_add_pad(&ctx, Y);
	srp_md_finish(&ctx, md);
	SRP_MPI(mbedtls_mpi_read_binary(out, md, sizeof md));
}

/* x = H(pad(salt) | H(group | name | ":" | password)). */
static void
srp_x(const char *group, const char *name, const char *password,
    const mbedtls_mpi *salt, mbedtls_mpi *x)
{
	struct srp_md		ctx;
	unsigned char		inner[32], md[32];

	srp_md_start(&ctx, NULL, 0);
	srp_md_add(&ctx, group, strlen(group));
	srp_md_add(&ctx, name, strlen(name));
	srp_md_add(&ctx, ":", 1);
	srp_md_add(&ctx, password, strlen(password));
	srp_md_finish(&ctx, inner);
	srp_md_start(&ctx, NULL, 0);
	srp_md_add_pad(&ctx, salt);
	srp_md_add(&ctx, inner, sizeof inner);
	srp_md_finish(&ctx, md);
	SRP_MPI(mbedtls_mpi_read_binary(x, md, sizeof md));
	wipe(inner, sizeof inner);
	wipe(md, sizeof md);
}

/* K = HKDF-SHA256(ikm = pad(S), salt = pad(u), "Caldera Derived Key"). */
static void
srp_key(const mbedtls_mpi *S, const mbedtls_mpi *u,
    unsigned char K[SRP_KEY_BYTES])
{
	unsigned char	ikm[SRP_PAD_MAX], salt[SRP_PAD_MAX];
	size_t		ikmlen = srp_pad(S, ikm), saltlen = srp_pad(u, salt);

	if (mbedtls_hkdf(srp_sha256(), salt, saltlen, ikm, ikmlen,
	    (const unsigned char *)SRP_HKDF_INFO, strlen(SRP_HKDF_INFO), K,
	    SRP_KEY_BYTES) != 0)
		fatalx("srp: mbedtls_hkdf");
	wipe(ikm, ikmlen);
}

/* HMAC-SHA256(K, group | name | SECRET_BLOCK | TIMESTAMP). */
static void
srp_signature(const unsigned char K[SRP_KEY_BYTES],
    const struct srp_claim *c, unsigned char out[32])
{
	struct srp_md		ctx;

	srp_md_start(&ctx, K, SRP_KEY_BYTES);
	srp_md_add(&ctx, c->group, strlen(c->group));
	srp_md_add(&ctx, c->name, strlen(c->name));
	srp_md_add(&ctx, c->secret_block, c->secret_block_len);
	srp_md_add(&ctx, c->timestamp, strlen(c->timestamp));
	srp_md_finish(&ctx, out);
}

/* --- Verifiers --- */

static char *
srp_verifier_of(const char *group, const char *name, const char *password,
    const mbedtls_mpi *salt)
{
	mbedtls_mpi	 x, v;
	char		*out;

	mbedtls_mpi_init(&x);
	mbedtls_mpi_init(&v);
	srp_x(group, name, password, salt, &x);
	SRP_MPI(mbedtls_mpi_exp_mod(&v, &srp_g, &x, &srp_N, NULL));
	out = srp_hex(&v);
	mbedtls_mpi_free(&x);
	mbedtls_mpi_free(&v);
	return out;
}

void
srp_verifier_new(const char *group, const char *name, const char *password,
    char **salt, char **verifier)
{
	unsigned char	raw[SRP_SALT_BYTES];
	mbedtls_mpi	s;

	srp_setup();
	random_bytes(raw, sizeof raw);
	mbedtls_mpi_init(&s);
	SRP_MPI(mbedtls_mpi_read_binary(&s, raw, sizeof raw));
	*salt = srp_hex(&s);
	*verifier = srp_verifier_of(group, name, password, &s);
	mbedtls_mpi_free(&s);
}

int
srp_verifier(const char *group, const char *name, const char *password,
    const char *salt, char **verifier)
{
	mbedtls_mpi	s;

	srp_setup();
	mbedtls_mpi_init(&s);
	if (srp_read(&s, salt) != 0) {
		mbedtls_mpi_free(&s);
		return -1;
	}
	*verifier = srp_verifier_of(group, name, password, &s);
	mbedtls_mpi_free(&s);
	return 0;
}

/* HKDF-SHA256(key, label | 0 | pool_id | 0 | username) into out. */
static void
srp_fake_bytes(const unsigned char *key, size_t keylen, const char *label,
    const char *pool_id, const char *username, unsigned char *out,
    size_t len)
{
	size_t		 ll = strlen(label), pl = strlen(pool_id);
	size_t		 ul = strlen(username), n = ll + pl + ul + 2;
	unsigned char	*info = xmalloc(n);

	memcpy(info, label, ll + 1);
	memcpy(info + ll + 1, pool_id, pl + 1);
	memcpy(info + ll + pl + 2, username, ul);
	if (mbedtls_hkdf(srp_sha256(), NULL, 0, key, keylen, info, n, out,
	    len) != 0)
		fatalx("srp: mbedtls_hkdf");
	free(info);
}

/*
 * The fake verifier is 384 derived bytes reduced mod N rather than g^x
 * for a derived x: it costs no exponentiation, so an unknown user's
 * round 1 takes as long as a known one's, and since nobody knows its
 * discrete logarithm no signature can match it.
 */
void
srp_fake_user(const unsigned char *key, size_t keylen, const char *pool_id,
    const char *username, char **salt, char **verifier)
{
	unsigned char	raw[384];
	mbedtls_mpi	X;

	srp_setup();
	mbedtls_mpi_init(&X);
	srp_fake_bytes(key, keylen, SRP_FAKE_SALT, pool_id, username, raw,
	    SRP_SALT_BYTES);
	SRP_MPI(mbedtls_mpi_read_binary(&X, raw, SRP_SALT_BYTES));
	*salt = srp_hex(&X);
	srp_fake_bytes(key, keylen, SRP_FAKE_VERIFIER, pool_id, username, raw,
	    sizeof raw);
	SRP_MPI(mbedtls_mpi_read_binary(&X, raw, sizeof raw));
	SRP_MPI(mbedtls_mpi_mod_mpi(&X, &X, &srp_N));
	if (mbedtls_mpi_cmp_int(&X, 0) == 0)
		SRP_MPI(mbedtls_mpi_lset(&X, 2));
	*verifier = srp_hex(&X);
	wipe(raw, sizeof raw);
	mbedtls_mpi_free(&X);
}

/* --- Server --- */

/* B = k*v + g^b mod N. */
static void
srp_server_public(const mbedtls_mpi *v, const mbedtls_mpi *b, mbedtls_mpi *B)
{
	mbedtls_mpi	gb;

	mbedtls_mpi_init(&gb);
	SRP_MPI(mbedtls_mpi_exp_mod(&gb, &srp_g, b, &srp_N, NULL));
	SRP_MPI(mbedtls_mpi_mul_mpi(B, &srp_k, v));
	SRP_MPI(mbedtls_mpi_add_mpi(B, B, &gb));
	SRP_MPI(mbedtls_mpi_mod_mpi(B, B, &srp_N));
	mbedtls_mpi_free(&gb);
}

int
srp_server_start(const char *verifier, const char *A, char **b, char **B)
{
	unsigned char	raw[SRP_SECRET_BITS / 8];
	mbedtls_mpi	v, a, sb, pb;
	int		rc = -1;

	srp_setup();
	mbedtls_mpi_init(&v);
	mbedtls_mpi_init(&a);
	mbedtls_mpi_init(&sb);
	mbedtls_mpi_init(&pb);
	if (srp_read_element(&v, verifier) != 0 ||
	    srp_read_element(&a, A) != 0)
		goto out;
	do {
		random_bytes(raw, sizeof raw);
		SRP_MPI(mbedtls_mpi_read_binary(&sb, raw, sizeof raw));
		if (mbedtls_mpi_cmp_int(&sb, 0) == 0)
			continue;
		srp_server_public(&v, &sb, &pb);
	} while (mbedtls_mpi_cmp_int(&pb, 0) == 0);
	*b = srp_hex(&sb);
	*B = srp_hex(&pb);
	rc = 0;
out:
	wipe(raw, sizeof raw);
	mbedtls_mpi_free(&v);
	mbedtls_mpi_free(&a);
	mbedtls_mpi_free(&sb);
	mbedtls_mpi_free(&pb);
	return rc;
}

int
srp_server_b(const char *verifier, const char *b, char **B)
{
	mbedtls_mpi	v, sb, pb;
	int		rc = -1;

	srp_setup();
	mbedtls_mpi_init(&v);
	mbedtls_mpi_init(&sb);
	mbedtls_mpi_init(&pb);
	if (srp_read_element(&v, verifier) == 0 && srp_read(&sb, b) == 0 &&
	    mbedtls_mpi_cmp_int(&sb, 0) != 0) {
		srp_server_public(&v, &sb, &pb);
		if (mbedtls_mpi_cmp_int(&pb, 0) != 0) {
			*B = srp_hex(&pb);
			rc = 0;
		}
	}
	mbedtls_mpi_free(&v);
	mbedtls_mpi_free(&sb);
	mbedtls_mpi_free(&pb);
	return rc;
}

/*
 * The server's u and S for an exchange: S = (A * v^u)^b mod N. -1 when
 * an input is malformed or out of range, or u is 0.
 */
static int
srp_server_secret(const char *verifier, const char *A, const char *B,
    const char *b, mbedtls_mpi *u, mbedtls_mpi *S)
{
	mbedtls_mpi	v, pa, pb, sb, t;
	int		rc = -1;

	srp_setup();
	mbedtls_mpi_init(&v);
	mbedtls_mpi_init(&pa);
	mbedtls_mpi_init(&pb);
	mbedtls_mpi_init(&sb);
	mbedtls_mpi_init(&t);
	if (srp_read_element(&v, verifier) != 0 ||
	    srp_read_element(&pa, A) != 0 || srp_read_element(&pb, B) != 0 ||
	    srp_read(&sb, b) != 0 || mbedtls_mpi_cmp_int(&sb, 0) == 0)
		goto out;
	srp_hash_pads(&pa, &pb, u);
	if (mbedtls_mpi_cmp_int(u, 0) == 0)
		goto out;
	SRP_MPI(mbedtls_mpi_exp_mod(&t, &v, u, &srp_N, NULL));
	SRP_MPI(mbedtls_mpi_mul_mpi(&t, &t, &pa));
	SRP_MPI(mbedtls_mpi_mod_mpi(&t, &t, &srp_N));
	SRP_MPI(mbedtls_mpi_exp_mod(S, &t, &sb, &srp_N, NULL));
	rc = 0;
out:
	mbedtls_mpi_free(&v);
	mbedtls_mpi_free(&pa);
	mbedtls_mpi_free(&pb);
	mbedtls_mpi_free(&sb);
	mbedtls_mpi_free(&t);
	return rc;
}

int
srp_server_verify(const char *verifier, const char *A, const char *B,
    const char *b, const struct srp_claim *c, const char *signature)
{
	mbedtls_mpi	 u, S;
	unsigned char	 K[SRP_KEY_BYTES], mine[32], *theirs = NULL;
	size_t		 len = 0;
	int		 rc = -1;

	mbedtls_mpi_init(&u);
	mbedtls_mpi_init(&S);
	if (srp_server_secret(verifier, A, B, b, &u, &S) != 0)
		goto out;
	srp_key(&S, &u, K);
	srp_signature(K, c, mine);
	rc = 0;
	if (signature != NULL && b64_decode(signature, &theirs, &len) == 0 &&
	    len == sizeof mine)
		rc = ct_equal(mine, theirs, sizeof mine);
	free(theirs);
	wipe(K, sizeof K);
	wipe(mine, sizeof mine);
out:
	mbedtls_mpi_free(&u);
	mbedtls_mpi_free(&S);
	return rc;
}

/* --- TIMESTAMP --- */

static const char *const srp_wdays[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const srp_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, m in 1..12). */
static int64_t
srp_days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
srp_month_days(int64_t y, int m)
{
	static const int	days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* The index of the three-letter English name at *pp, or -1. */
static int
srp_ts_name(const char **pp, const char *const *names, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (strncasecmp(*pp, names[i], 3) == 0) {
			*pp += 3;
			return i;
		}
	}
	return -1;
}

/* Exactly n decimal digits at *pp. */
static int
srp_ts_digits(const char **pp, int n, int *out)
{
	const char	*p = *pp;
	int		 v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	*out = v;
	return 0;
}

/* The day of the month: "6", "06", " 6" or "16". */
static int
srp_ts_day(const char **pp, int *day)
{
	const char	*p = *pp;

	if (p[0] == ' ') {
		(*pp)++;
		return srp_ts_digits(pp, 1, day);
	}
	if (p[0] != '\0' && p[1] >= '0' && p[1] <= '9')
		return srp_ts_digits(pp, 2, day);
	return srp_ts_digits(pp, 1, day);
}

/*
 * The weekday is checked to be a weekday's name but not against the
 * date: the signature covers the text, and the caller checks the time.
 */
int
srp_timestamp_parse(const char *s, int64_t *out)
{
	const char	*p = s;
	int		 mon, day, h, m, sec, y;

	if (srp_ts_name(&p, srp_wdays, 7) < 0 || *p++ != ' ' ||
	    (mon = srp_ts_name(&p, srp_months, 12)) < 0 || *p++ != ' ' ||
	    srp_ts_day(&p, &day) != 0 || *p++ != ' ' ||
	    srp_ts_digits(&p, 2, &h) != 0 || *p++ != ':' ||
	    srp_ts_digits(&p, 2, &m) != 0 || *p++ != ':' ||
	    srp_ts_digits(&p, 2, &sec) != 0 || strncmp(p, " UTC ", 5) != 0)
		return -1;
	p += 5;
	if (srp_ts_digits(&p, 4, &y) != 0 || *p != '\0' || y < 1970)
		return -1;
	if (day < 1 || day > srp_month_days(y, mon + 1) || h > 23 ||
	    m > 59 || sec > 59)
		return -1;
	*out = srp_days_from_civil(y, mon + 1, day) * 86400 + h * 3600 +
	    m * 60 + sec;
	return 0;
}

/* As Cognito's clients write it: the day not padded. */
void
srp_timestamp_format(int64_t t, char out[SRP_TIMESTAMP_SIZE])
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year < 70) {
		out[0] = '\0';
		return;
	}
	snprintf(out, SRP_TIMESTAMP_SIZE, "%s %s %d %02d:%02d:%02d UTC %d",
	    srp_wdays[tm.tm_wday], srp_months[tm.tm_mon], tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* --- Test support --- */

void
srp_values_clear(struct srp_values *sv)
{
	if (sv->u != NULL)
		wipe_free(sv->u);
	if (sv->S != NULL)
		wipe_free(sv->S);
	memset(sv, 0, sizeof *sv);
}

/* Fill sv with u, S and K of an exchange (wiping nothing of the caller). */
static void
srp_values_set(struct srp_values *sv, const mbedtls_mpi *u,
    const mbedtls_mpi *S)
{
	unsigned char	K[SRP_KEY_BYTES];

	srp_key(S, u, K);
	sv->u = srp_hex(u);
	sv->S = srp_hex(S);
	hex_encode(K, sizeof K, sv->K);
	wipe(K, sizeof K);
}

int
srp_server_values(const char *verifier, const char *A, const char *B,
    const char *b, struct srp_values *sv)
{
	mbedtls_mpi	u, S;
	int		rc;

	memset(sv, 0, sizeof *sv);
	mbedtls_mpi_init(&u);
	mbedtls_mpi_init(&S);
	if ((rc = srp_server_secret(verifier, A, B, b, &u, &S)) == 0)
		srp_values_set(sv, &u, &S);
	mbedtls_mpi_free(&u);
	mbedtls_mpi_free(&S);
	return rc;
}

/* --- Client side (tests and benchmarks only) --- */

static int
srp_client_public(const char *a, mbedtls_mpi *sa, mbedtls_mpi *pa)
{
	if (srp_read(sa, a) != 0 || mbedtls_mpi_cmp_int(sa, 0) == 0)
		return -1;
	SRP_MPI(mbedtls_mpi_exp_mod(pa, &srp_g, sa, &srp_N, NULL));
	return 0;
}

int
srp_client_start(const char *a, char **A)
{
	mbedtls_mpi	sa, pa;
	int		rc;

	srp_setup();
	mbedtls_mpi_init(&sa);
	mbedtls_mpi_init(&pa);
	if ((rc = srp_client_public(a, &sa, &pa)) == 0)
		*A = srp_hex(&pa);
	mbedtls_mpi_free(&sa);
	mbedtls_mpi_free(&pa);
	return rc;
}

/* The client's S = (B - k*g^x)^(a + u*x) mod N. */
static void
srp_client_secret(const mbedtls_mpi *sa, const mbedtls_mpi *pb,
    const mbedtls_mpi *x, const mbedtls_mpi *u, mbedtls_mpi *S)
{
	mbedtls_mpi	base, e;

	mbedtls_mpi_init(&base);
	mbedtls_mpi_init(&e);
	SRP_MPI(mbedtls_mpi_exp_mod(&base, &srp_g, x, &srp_N, NULL));
	SRP_MPI(mbedtls_mpi_mul_mpi(&base, &base, &srp_k));
	SRP_MPI(mbedtls_mpi_sub_mpi(&base, pb, &base));
	SRP_MPI(mbedtls_mpi_mod_mpi(&base, &base, &srp_N));
	SRP_MPI(mbedtls_mpi_mul_mpi(&e, u, x));
	SRP_MPI(mbedtls_mpi_add_mpi(&e, &e, sa));
	SRP_MPI(mbedtls_mpi_exp_mod(S, &base, &e, &srp_N, NULL));
	mbedtls_mpi_free(&base);
	mbedtls_mpi_free(&e);
}

int
srp_client_sign(const char *password, const char *salt, const char *a,
    const char *B, const struct srp_claim *c, char **signature,
    struct srp_values *sv)
{
	mbedtls_mpi	s, sa, pa, pb, x, u, S;
	unsigned char	K[SRP_KEY_BYTES], sig[32];
	int		rc = -1;

	srp_setup();
	mbedtls_mpi_init(&s);
	mbedtls_mpi_init(&sa);
	mbedtls_mpi_init(&pa);
	mbedtls_mpi_init(&pb);
	mbedtls_mpi_init(&x);
	mbedtls_mpi_init(&u);
	mbedtls_mpi_init(&S);
	if (sv != NULL)
		memset(sv, 0, sizeof *sv);
	if (srp_read(&s, salt) != 0 || srp_client_public(a, &sa, &pa) != 0 ||
	    srp_read_element(&pb, B) != 0)
		goto out;
	srp_hash_pads(&pa, &pb, &u);
	if (mbedtls_mpi_cmp_int(&u, 0) == 0)
		goto out;
	srp_x(c->group, c->name, password, &s, &x);
	srp_client_secret(&sa, &pb, &x, &u, &S);
	srp_key(&S, &u, K);
	srp_signature(K, c, sig);
	*signature = b64_encode(sig, sizeof sig);
	if (sv != NULL)
		srp_values_set(sv, &u, &S);
	wipe(K, sizeof K);
	rc = 0;
out:
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&sa);
	mbedtls_mpi_free(&pa);
	mbedtls_mpi_free(&pb);
	mbedtls_mpi_free(&x);
	mbedtls_mpi_free(&u);
	mbedtls_mpi_free(&S);
	return rc;
}
