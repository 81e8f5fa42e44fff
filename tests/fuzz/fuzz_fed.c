/*
 * fuzz_fed.c: what federation reads from identity providers and
 * administrators before any network use: a Cache-Control header
 * (fed/discovery.c) and ProviderDetails and discovery documents
 * (fed/idp_config.c). The input is the header text and, when it parses
 * as a JSON object, the details of each provider type and a discovery
 * document. Besides the sanitizers, the checks are: a max-age is always
 * within the cache's floor and ceiling; built details never hold a
 * secret key, and a refusal always says why.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fed/discovery.h"
#include "fed/idp_config.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const	types[] = { "OIDC", "Google", "Facebook",
	"LoginWithAmazon", "SignInWithApple", "SAML" };

static void
fuzz_details(json_t *in)
{
	struct idp_config	 c;
	char			*why;
	size_t			 i;

	for (i = 0; i < nitems(types); i++) {
		if (idp_config_build(types[i], types[i], in, in, &c,
		    &why) == 0) {
			if (json_object_get(c.details, "client_secret") ||
			    json_object_get(c.details, "private_key"))
				abort();
			if (strcmp(types[i], "OIDC") == 0 &&
			    idp_config_discovered(c.details, in, &why) != 0) {
				if (why == NULL)
					abort();
				free(why);
			}
		} else {
			if (why == NULL)
				abort();
			free(why);
		}
		idp_config_clear(&c);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	*text = xstrndup((const char *)data, len);
	long	 age = discovery_max_age(text);
	json_t	*in;

	if (age < DISCOVERY_TTL_MIN || age > DISCOVERY_TTL_MAX)
		abort();
	if ((in = json_loads(text, 0, NULL)) != NULL && json_is_object(in))
		fuzz_details(in);
	json_decref(in);
	free(text);
	return 0;
}
