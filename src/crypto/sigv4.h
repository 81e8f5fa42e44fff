/*
 * sigv4.h: AWS Signature Version 4 verification for the admin JSON API.
 * sigv4_parse() reads the Authorization header; sigv4_verify() rebuilds
 * the canonical request and compares signatures in constant time.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>

#include "util.h"

struct sigv4_header {
	const char	*name;	/* as received; compared case-insensitively */
	const char	*value;
};

struct sigv4_auth {
	char	 access_key[129];
	char	 date[9];	/* yyyymmdd of the credential scope */
	char	 region[64];
	char	 service[64];
	char	*signed_headers;	/* "a;b;c", malloc'd */
	char	 signature[65];	/* lowercase hex */
};

struct sigv4_request {
	const char			*method;
	const char			*path;	/* raw path, e.g. "/" */
	const char			*query;	/* raw query without '?', or NULL */
	const struct sigv4_header	*headers;
	size_t				 nheaders;
	const void			*body;
	size_t				 body_len;
};

int	 sigv4_parse(const char *, struct sigv4_auth *, char **) MUST_CHECK;
void	 sigv4_auth_clear(struct sigv4_auth *);
/*
 * Canonical request text (for tests and debugging); malloc'd, or NULL
 * when a signed header is missing from the request.
 */
char	*sigv4_canonical_request(const struct sigv4_request *,
	    const char *);
/*
 * The hex signature of a request for an explicit scope, whatever the
 * service (tests use AWS's published vectors, scoped to "service").
 * -1 when a signed header is missing from the request.
 */
int	 sigv4_signature(const struct sigv4_request *,
	    const char *signed_headers, const char *amz_date,
	    const char *scope_date, const char *region, const char *service,
	    const char *secret, char out[65]) MUST_CHECK;
/*
 * The checks that need no key: service and region of the scope, the
 * headers that must be signed (host, x-amz-date, x-amz-target), the
 * date's form and the clock window.
 */
int	 sigv4_check(const struct sigv4_auth *, const char *amz_date,
	    const char *region, long long now, int skew, char **cause)
	    MUST_CHECK;
/*
 * Check the signature with the secret key (sigv4_check's rules first).
 * amz_date is the X-Amz-Date value; region the server's; now the
 * current epoch time; skew the allowed difference in seconds. Returns 0
 * when valid, -1 with *cause naming the AWS exception
 * ("InvalidSignatureException: ...").
 */
int	 sigv4_verify(const struct sigv4_request *, const struct sigv4_auth *,
	    const char *secret, const char *amz_date, const char *region,
	    long long now, int skew, char **cause) MUST_CHECK;

#endif
