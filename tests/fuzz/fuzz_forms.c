/*
 * fuzz_forms.c: the parsers of the hosted UI and the OAuth2 endpoints
 * that read untrusted input. The first byte picks one: a query string or
 * form body (domain_params: each name once, at most 64 pairs), a Cookie
 * header (domain_cookie_find for the session and CSRF cookies), or a
 * redirect built from parameters (domain_url_with, as error redirects
 * and codes are sent back). Checks besides the sanitizers: parameters
 * are strings, a found cookie holds no ';', and a built URL starts with
 * its base.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/domain.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_params(const char *s)
{
	json_t		*p = domain_params(s), *v;
	const char	*k;

	json_object_foreach(p, k, v)
		if (!json_is_string(v))
			abort();
	json_decref(p);
}

static void
fuzz_cookies(const char *s)
{
	static const char *const	 names[] = { DOMAIN_SESSION_COOKIE,
					    DOMAIN_CSRF_COOKIE, "a", "" };
	char				*v;
	size_t				 i;

	for (i = 0; i < nitems(names); i++) {
		v = domain_cookie_find(s, names[i]);
		if (v != NULL && strchr(v, ';') != NULL)
			abort();
		free(v);
	}
}

static void
fuzz_redirect(const char *s)
{
	json_t	*p = domain_params(s);
	char	*u;
	int	 frag;

	if (p == NULL)
		return;
	for (frag = 0; frag < 2; frag++) {
		u = domain_url_with("https://app.example/cb?x=1", p, frag);
		if (strncmp(u, "https://app.example/cb?x=1", 26) != 0)
			abort();
		free(u);
	}
	json_decref(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if (size < 1)
		return 0;
	s = xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		fuzz_params(s);
		break;
	case 1:
		fuzz_cookies(s);
		break;
	default:
		fuzz_redirect(s);
		break;
	}
	free(s);
	return 0;
}
