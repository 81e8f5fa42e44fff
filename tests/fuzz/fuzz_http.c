/*
 * fuzz_http.c: the parts of the HTTP request path that read untrusted
 * bytes in our own code: Host and path classification (pool domain or
 * API host), the Authorization header (SigV4), the JSON body with its
 * nesting limit, urlencoded forms, SigV4 canonicalisation of arbitrary
 * headers, and the client address from X-Forwarded-For (with
 * trusted_proxies and the peer also taken from the input). The input is
 * split on NUL bytes into those fields.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "crypto/sigv4.h"
#include "http/addr.h"
#include "http/request.h"
#include "http/router.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Take the next NUL-terminated field of the input (malloc'd). */
static char *
next_field(const uint8_t **p, size_t *left)
{
	const uint8_t	*nul = memchr(*p, '\0', *left);
	size_t		 n = nul != NULL ? (size_t)(nul - *p) : *left;
	char		*f = xstrndup((const char *)*p, n);

	*p += n + (nul != NULL);
	*left -= n + (nul != NULL);
	return f;
}

static void
fuzz_route(const char *host, const char *path)
{
	char	*prefix = NULL, *rest = NULL;

	if (router_pool_domain(host, path, "auth.example.com",
	    "https://api.example.com:8443", &prefix, &rest)) {
		free(prefix);
		free(rest);
	}
}

static void
fuzz_sigv4(const char *authz, const char *hname, const char *hvalue,
    const char *body)
{
	struct sigv4_auth	 a;
	struct sigv4_header	 hs[2] = { { "host", "localhost" },
				    { hname, hvalue } };
	struct sigv4_request	 sr = { "POST", "/", NULL, hs, 2, body,
				    strlen(body) };
	char			*cause = NULL, *canon;

	if (sigv4_parse(authz, &a, &cause) == 0) {
		canon = sigv4_canonical_request(&sr, a.signed_headers);
		free(canon);
		if (sigv4_verify(&sr, &a, "secret", "20150830T123600Z",
		    "us-east-1", 1440938160, 900, &cause) != 0)
			free(cause);
		sigv4_auth_clear(&a);
	} else
		free(cause);
}

static void
fuzz_body(const char *body, size_t len)
{
	struct evkeyvalq	 form;
	json_t			*j;
	char			*cause = NULL;

	if ((j = req_parse_json((const unsigned char *)body, len, 32,
	    &cause)) != NULL)
		json_decref(j);
	else
		free(cause);
	if (req_parse_form(body, &form) == 0)
		evhttp_clear_headers(&form);
}

static void
fuzz_addr(const char *proxies, const char *peer, const char *xff)
{
	struct addr_set	*set;
	char		*cause = NULL, out[64], key[64];

	if ((set = addr_set_parse(proxies, &cause)) == NULL) {
		free(cause);
		set = addr_set_parse("0.0.0.0/0, ::/0", &cause);
	}
	addr_client(set, peer, xff, out, sizeof out);
	addr_key(out, key, sizeof key);
	addr_set_free(set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p = data;
	size_t		 left = size;
	char		*host = next_field(&p, &left);
	char		*path = next_field(&p, &left);
	char		*authz = next_field(&p, &left);
	char		*hname = next_field(&p, &left);
	char		*hvalue = next_field(&p, &left);
	char		*body = next_field(&p, &left);
	char		*xff = next_field(&p, &left);
	char		*proxies = next_field(&p, &left);

	fuzz_route(host, path);
	fuzz_addr(proxies, hvalue, xff);
	fuzz_sigv4(authz, hname, hvalue, body);
	fuzz_body(body, strlen(body));
	free(host);
	free(path);
	free(authz);
	free(hname);
	free(hvalue);
	free(body);
	free(xff);
	free(proxies);
	return 0;
}
