/*
 * fuzz_saml_metadata.c: an IdP's SAML metadata (fed/saml_meta.c). The
 * input is the document as fetched or uploaded. Besides the sanitizers,
 * the checks are: a refusal leaves the result empty with a non-empty
 * reason; an accepted document has an entityID, between one and
 * SAML_META_MAX_CERTS signing certificates made only of base64
 * letters, and a cacheDuration of -1 or more.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fed/saml_meta.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check_cert(const char *c)
{
	if (*c == '\0' || c[strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"
	    "lmnopqrstuvwxyz0123456789+/=")] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saml_meta	m;
	char			err[256];
	size_t			i;

	err[0] = '\0';
	if (saml_meta_parse((const char *)data, size, &m, err,
	    sizeof(err)) == -1) {
		if (err[0] == '\0' || m.entity_id != NULL || m.nsigning != 0)
			abort();
		return 0;
	}
	if (m.entity_id == NULL || *m.entity_id == '\0' || m.nsigning == 0 ||
	    m.nsigning > SAML_META_MAX_CERTS || m.cache_duration < -1)
		abort();
	for (i = 0; i < m.nsigning; i++)
		fuzz_check_cert(m.signing[i]);
	if (m.encryption != NULL)
		fuzz_check_cert(m.encryption);
	saml_meta_free(&m);
	return 0;
}
