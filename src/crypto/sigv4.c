/*
 * sigv4.c: AWS Signature Version 4 (AWS4-HMAC-SHA256) verification for
 * the JSON API. The server rebuilds what the client signed:
 *
 *   canonical request = method \n canonical URI \n canonical query \n
 *                       canonical headers \n signed headers \n
 *                       hex(SHA256(body))
 *   string to sign    = AWS4-HMAC-SHA256 \n amz_date \n scope \n
 *                       hex(SHA256(canonical request))
 *   signing key       = HMAC chain "AWS4"+secret -> date -> region ->
 *                       service -> "aws4_request"
 *
 * and compares the hex signature in constant time. The canonical URI is
 * the path exactly as it arrived, URI-encoded once more per segment (AWS
 * encodes non-S3 paths twice: the client encodes once to send, once to
 * sign); the query is decoded, re-encoded and sorted, so that equivalent
 * spellings agree. Path normalisation (dot segments, double slashes) is
 * not done: the API lives at "/". The signature must cover host,
 * x-amz-date and x-amz-target, be scoped to cognito-idp in the server's
 * region, and be dated within the clock window (AWS's 15 minutes); those
 * checks need no key, so the caller runs them (sigv4_check) before it
 * looks the key up. Every failure names the exception AWS would answer
 * with, as the prefix of *cause.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/md.h>

#include "b64.h"
#include "sigv4.h"
#include "util.h"

#define SIGV4_ALGORITHM	"AWS4-HMAC-SHA256"
#define SIGV4_SERVICE	"cognito-idp"
#define SIGV4_MISMATCH	"InvalidSignatureException: The request " \
	"signature we calculated does not match the signature you " \
	"provided. Check your AWS Secret Access Key and signing method."

static void
sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char	md[32];

	if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    data, len, md) != 0)
		fatalx("mbedtls_md");
	hex_encode(md, sizeof md, out);
}

static void
sigv4_hmac(const unsigned char *key, size_t keylen, const char *data,
    unsigned char out[32])
{
	if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    key, keylen, (const unsigned char *)data, strlen(data), out) != 0)
		fatalx("mbedtls_md_hmac");
}

/* --- Parsing the Authorization header --- */

/* Copy one '/'-separated field of the credential into dst. */
static int
sigv4_field(const char **pp, const char *end, char *dst, size_t size,
    int last)
{
	const char	*p = *pp, *q;
	size_t		 len;

	for (q = p; q < end && *q != '/'; q++)
		;
	len = (size_t)(q - p);
	if (len == 0 || len >= size || (last ? q != end : q == end))
		return -1;
	memcpy(dst, p, len);
	dst[len] = '\0';
	*pp = q + 1;
	return 0;
}

/* A region or service name: [a-z0-9-], echoed in no message. */
static int
sigv4_scope_name(const char *s)
{
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '-')
			return -1;
	return 0;
}

static int
sigv4_credential(const char *v, size_t len, struct sigv4_auth *a)
{
	const char	*end = v + len;
	char		 term[16];
	size_t		 i;

	if (sigv4_field(&v, end, a->access_key, sizeof a->access_key, 0) != 0 ||
	    sigv4_field(&v, end, a->date, sizeof a->date, 0) != 0 ||
	    sigv4_field(&v, end, a->region, sizeof a->region, 0) != 0 ||
	    sigv4_field(&v, end, a->service, sizeof a->service, 0) != 0 ||
	    sigv4_field(&v, end, term, sizeof term, 1) != 0)
		return -1;
	if (strlen(a->date) != 8 || strcmp(term, "aws4_request") != 0)
		return -1;
	for (i = 0; i < 8; i++)
		if (!isdigit((unsigned char)a->date[i]))
			return -1;
	for (i = 0; a->access_key[i] != '\0'; i++)
		if (!isalnum((unsigned char)a->access_key[i]))
			return -1;
	return sigv4_scope_name(a->region) != 0 ||
	    sigv4_scope_name(a->service) != 0 ? -1 : 0;
}

static int
sigv4_signed_headers(const char *v, size_t len, struct sigv4_auth *a)
{
	size_t	i;
	char	c, prev = ';';

	if (len == 0 || len > 4096)
		return -1;
	for (i = 0; i < len; i++) {
		c = (char)tolower((unsigned char)v[i]);
		if (c == ';' ? prev == ';' : !(isalnum((unsigned char)c) ||
		    c == '-' || c == '_'))
			return -1;
		prev = c;
	}
	if (prev == ';')
		return -1;
	a->signed_headers = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		a->signed_headers[i] = (char)tolower((unsigned char)v[i]);
	a->signed_headers[len] = '\0';
	return 0;
}

static int
sigv4_signature_value(const char *v, size_t len, struct sigv4_auth *a)
{
	size_t	i;

	if (len != 64)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)v[i]))
			return -1;
		a->signature[i] = (char)tolower((unsigned char)v[i]);
	}
	a->signature[64] = '\0';
	return 0;
}

/* Parse one "Name=value" component; *seen collects the names found. */
static int
sigv4_component(const char *p, size_t len, struct sigv4_auth *a, int *seen,
    char **cause)
{
	static const char *const	 names[] = { "Credential",
	    "SignedHeaders", "Signature" };
	const char			*eq = memchr(p, '=', len);
	size_t				 i, nlen;
	int				 rc = -1;

	if (eq == NULL)
		goto bad;
	nlen = (size_t)(eq - p);
	for (i = 0; i < nitems(names); i++)
		if (strlen(names[i]) == nlen && memcmp(p, names[i], nlen) == 0)
			break;
	if (i == nitems(names) || (*seen & (1 << i)))
		goto bad;
	*seen |= 1 << i;
	eq++;
	len -= nlen + 1;
	if (i == 0)
		rc = sigv4_credential(eq, len, a);
	else if (i == 1)
		rc = sigv4_signed_headers(eq, len, a);
	else
		rc = sigv4_signature_value(eq, len, a);
	if (rc == 0)
		return 0;
	*cause = xasprintf("IncompleteSignatureException: Malformed %s in "
	    "Authorization header", names[i]);
	return -1;
bad:
	*cause = xstrdup("IncompleteSignatureException: Authorization "
	    "header has an unknown, repeated or empty component");
	return -1;
}

int
sigv4_parse(const char *hdr, struct sigv4_auth *a, char **cause)
{
	const char	*p, *end;
	size_t		 len;
	int		 seen = 0;

	memset(a, 0, sizeof *a);
	len = strlen(SIGV4_ALGORITHM);
	if (strncmp(hdr, SIGV4_ALGORITHM, len) != 0 || hdr[len] != ' ') {
		*cause = xstrdup("IncompleteSignatureException: Authorization "
		    "header must use the AWS4-HMAC-SHA256 algorithm");
		return -1;
	}
	/* Components are separated by ',' and optional spaces. */
	for (p = hdr + len;; p = end + 1) {
		while (*p == ' ')
			p++;
		end = p + strcspn(p, ",");
		for (len = (size_t)(end - p); len > 0 && p[len - 1] == ' ';
		    len--)
			;
		if (sigv4_component(p, len, a, &seen, cause) != 0)
			goto fail;
		if (*end == '\0')
			break;
	}
	if (seen != 7) {
		*cause = xasprintf("IncompleteSignatureException: "
		    "Authorization header requires 'Credential', "
		    "'SignedHeaders' and 'Signature' parameters");
		goto fail;
	}
	return 0;
fail:
	sigv4_auth_clear(a);
	return -1;
}

void
sigv4_auth_clear(struct sigv4_auth *a)
{
	free(a->signed_headers);
	memset(a, 0, sizeof *a);
}

/* --- The canonical request --- */

static int
sigv4_unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

static void
sigv4_encode(FILE *f, const char *s, size_t len, int keep_slash)
{
	unsigned char	c;
	size_t		i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (sigv4_unreserved(c) || (keep_slash && c == '/'))
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

static int
sigv4_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode then re-encode s[0..len-1]: one spelling per value. */
static char *
sigv4_query_part(const char *s, size_t len)
{
	char	*dec = xmalloc(len + 1), *out = NULL;
	size_t	 i, n = 0, outlen;
	FILE	*f;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len &&
		    (hi = sigv4_hexval(s[i + 1])) >= 0 &&
		    (lo = sigv4_hexval(s[i + 2])) >= 0) {
			dec[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			dec[n++] = s[i];
	}
	if ((f = open_memstream(&out, &outlen)) == NULL)
		fatal("open_memstream");
	sigv4_encode(f, dec, n, 0);
	fclose(f);
	free(dec);
	return out;
}

struct sigv4_pair {
	char	*key;
	char	*value;
};

static int
sigv4_pair_cmp(const void *a, const void *b)
{
	const struct sigv4_pair	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return strcmp(x->value, y->value);
}

static void
sigv4_query(FILE *f, const char *q)
{
	struct sigv4_pair	*pairs = NULL;
	size_t			 n = 0, i, len;
	const char		*end, *eq;

	for (; q != NULL && *q != '\0'; q = *end == '&' ? end + 1 : end) {
		end = q + strcspn(q, "&");
		if ((len = (size_t)(end - q)) == 0)
			continue;
		pairs = xrealloc(pairs, (n + 1) * sizeof *pairs);
		if ((eq = memchr(q, '=', len)) == NULL)
			eq = end;
		pairs[n].key = sigv4_query_part(q, (size_t)(eq - q));
		pairs[n].value = eq == end ? xstrdup("") :
		    sigv4_query_part(eq + 1, (size_t)(end - eq - 1));
		n++;
	}
	if (n > 0)
		qsort(pairs, n, sizeof *pairs, sigv4_pair_cmp);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s%s=%s", i == 0 ? "" : "&", pairs[i].key,
		    pairs[i].value);
		free(pairs[i].key);
		free(pairs[i].value);
	}
	free(pairs);
}

/* A header value with outer blanks trimmed and inner runs collapsed. */
static void
sigv4_header_value(FILE *f, const char *v)
{
	int	blank = 0, started = 0;

	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			blank = started;
			continue;
		}
		if (blank)
			fputc(' ', f);
		fputc(*v, f);
		blank = 0;
		started = 1;
	}
}

/* One "name:v1,v2\n" line; -1 when the request lacks the header. */
static int
sigv4_header(FILE *f, const struct sigv4_request *r, const char *name,
    size_t len)
{
	size_t	i;
	int	found = 0;

	fprintf(f, "%.*s:", (int)len, name);
	for (i = 0; i < r->nheaders; i++) {
		if (strlen(r->headers[i].name) != len ||
		    strncasecmp(r->headers[i].name, name, len) != 0)
			continue;
		if (found++)
			fputc(',', f);
		sigv4_header_value(f, r->headers[i].value);
	}
	fputc('\n', f);
	return found ? 0 : -1;
}

/*
 * Build the canonical request for the given signed-header list, or
 * NULL when a signed header is missing from the request.
 */
char *
sigv4_canonical_request(const struct sigv4_request *r, const char *signed_hdrs)
{
	char		*out = NULL, hash[65];
	const char	*p, *end;
	size_t		 outlen;
	FILE		*f;
	int		 rc = 0;

	if ((f = open_memstream(&out, &outlen)) == NULL)
		fatal("open_memstream");
	fprintf(f, "%s\n", r->method);
	sigv4_encode(f, r->path, strlen(r->path), 1);
	fputc('\n', f);
	sigv4_query(f, r->query);
	fputc('\n', f);
	for (p = signed_hdrs; rc == 0 && *p != '\0'; p = end + (*end == ';')) {
		end = p + strcspn(p, ";");
		rc = sigv4_header(f, r, p, (size_t)(end - p));
	}
	sigv4_sha256_hex(r->body == NULL ? "" : r->body, r->body_len, hash);
	fprintf(f, "\n%s\n%s", signed_hdrs, hash);
	fclose(f);
	if (rc != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* --- Signing --- */

int
sigv4_signature(const struct sigv4_request *r, const char *signed_hdrs,
    const char *amz_date, const char *scope_date, const char *region,
    const char *service, const char *secret, char out[65])
{
	unsigned char	 k1[32], k2[32];
	char		*creq, *sts, *key, hash[65];

	if ((creq = sigv4_canonical_request(r, signed_hdrs)) == NULL)
		return -1;
	sigv4_sha256_hex(creq, strlen(creq), hash);
	free(creq);
	sts = xasprintf("%s\n%s\n%s/%s/%s/aws4_request\n%s", SIGV4_ALGORITHM,
	    amz_date, scope_date, region, service, hash);

	key = xasprintf("AWS4%s", secret);
	sigv4_hmac((unsigned char *)key, strlen(key), scope_date, k1);
	wipe_free(key);
	sigv4_hmac(k1, sizeof k1, region, k2);
	sigv4_hmac(k2, sizeof k2, service, k1);
	sigv4_hmac(k1, sizeof k1, "aws4_request", k2);
	sigv4_hmac(k2, sizeof k2, sts, k1);
	hex_encode(k1, sizeof k1, out);
	wipe(k1, sizeof k1);
	wipe(k2, sizeof k2);
	free(sts);
	return 0;
}

/* --- Verification --- */

static int
sigv4_has_header(const char *list, const char *name)
{
	size_t		 len = strlen(name);
	const char	*p, *end;

	for (p = list; *p != '\0'; p = *end == ';' ? end + 1 : end) {
		end = p + strcspn(p, ";");
		if ((size_t)(end - p) == len && strncmp(p, name, len) == 0)
			return 1;
	}
	return 0;
}

/* yyyymmddThhmmssZ to epoch seconds; -1 when malformed. */
static int
sigv4_parse_date(const char *s, long long *out)
{
	struct tm	tm;
	int		i;

	if (s == NULL || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	for (i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)s[i]))
			return -1;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (long long)timegm(&tm);
	return 0;
}

static void
sigv4_format_date(long long t, char out[17])
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	gmtime_r(&tt, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* AWS's wording for a request outside the allowed clock skew. */
static int
sigv4_check_skew(const char *amz_date, long long t, long long now, int skew,
    char **cause)
{
	char		 limit[17], cur[17];
	int		 amount = skew % 60 == 0 ? skew / 60 : skew;
	const char	*unit = skew % 60 == 0 ? "min." : "sec.";

	if (t >= now - skew && t <= now + skew)
		return 0;
	sigv4_format_date(now, cur);
	if (t < now - skew) {
		sigv4_format_date(now - skew, limit);
		*cause = xasprintf("InvalidSignatureException: Signature "
		    "expired: %s is now earlier than %s (%s - %d %s)",
		    amz_date, limit, cur, amount, unit);
	} else {
		sigv4_format_date(now + skew, limit);
		*cause = xasprintf("InvalidSignatureException: Signature "
		    "not yet current: %s is still later than %s (%s + %d %s)",
		    amz_date, limit, cur, amount, unit);
	}
	return -1;
}

/*
 * The headers a signature must cover. host and x-amz-date are AWS's own
 * rule; x-amz-target is ours: it names the operation, and a signature
 * that leaves it out could be replayed (within the clock window) as
 * another operation with the same body.
 */
static const char *const sigv4_required[] = {
	"host", "x-amz-date", "x-amz-target"
};

/* The checks that come before any cryptography. */
int
sigv4_check(const struct sigv4_auth *a, const char *amz_date,
    const char *region, long long now, int skew, char **cause)
{
	long long	t;
	size_t		i;

	if (strcmp(a->service, SIGV4_SERVICE) != 0) {
		*cause = xstrdup("InvalidSignatureException: Credential "
		    "should be scoped to correct service: '" SIGV4_SERVICE
		    "'.");
		return -1;
	}
	if (strcmp(a->region, region) != 0) {
		*cause = xstrdup("InvalidSignatureException: Credential "
		    "should be scoped to a valid region.");
		return -1;
	}
	for (i = 0; i < nitems(sigv4_required); i++) {
		if (!sigv4_has_header(a->signed_headers, sigv4_required[i])) {
			*cause = xasprintf("InvalidSignatureException: "
			    "SignedHeaders must include '%s'.",
			    sigv4_required[i]);
			return -1;
		}
	}
	if (sigv4_parse_date(amz_date, &t) != 0) {
		*cause = xstrdup("IncompleteSignatureException: "
		    "Authorization header requires existence of either a "
		    "'X-Amz-Date' or a 'Date' header in yyyyMMdd'T'HHmmss'Z' "
		    "form");
		return -1;
	}
	if (strncmp(a->date, amz_date, 8) != 0) {
		*cause = xasprintf("InvalidSignatureException: Date in "
		    "Credential scope does not match YYYYMMDD from ISO-8601 "
		    "version of date from HTTP: '%s' != '%.8s', from '%s'.",
		    a->date, amz_date, amz_date);
		return -1;
	}
	return sigv4_check_skew(amz_date, t, now, skew, cause);
}

int
sigv4_verify(const struct sigv4_request *r, const struct sigv4_auth *a,
    const char *secret, const char *amz_date, const char *region,
    long long now, int skew, char **cause)
{
	char	sig[65];
	int	ok;

	if (a->signed_headers == NULL) {
		*cause = xstrdup("IncompleteSignatureException: "
		    "Authorization header requires 'SignedHeaders' parameter");
		return -1;
	}
	if (sigv4_check(a, amz_date, region, now, skew, cause) != 0)
		return -1;
	if (sigv4_signature(r, a->signed_headers, amz_date, a->date,
	    a->region, a->service, secret, sig) != 0) {
		*cause = xstrdup(SIGV4_MISMATCH);
		return -1;
	}
	ok = ct_equal(sig, a->signature, 64);
	wipe(sig, sizeof sig);
	if (!ok) {
		*cause = xstrdup(SIGV4_MISMATCH);
		return -1;
	}
	return 0;
}
