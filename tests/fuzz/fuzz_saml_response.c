/*
 * fuzz_saml_response.c: the SAML Response check (fed/saml_response.c,
 * saml_sig.c). The input is the Response XML; the target encodes it
 * in base64 as the form value carries it and checks it against a fixed
 * SP, at a fixed time, with the certificate of the key that signed the
 * seed corpus (the key itself was thrown away), so mutations of a
 * validly signed response reach the checks after the signature.
 * Besides the sanitizers, the checks are: a refusal has a kind other
 * than SAML_OK, a message, and an empty result; an accepted response
 * has a NameID, an assertion ID and an expiry no earlier than now.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "fed/saml_response.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_cert[] =
	"MIIDBzCCAe+gAwIBAgIUApgOJT7CjMMJx1MUt0kfaxzr830wDQYJKoZIhvcNAQEL"
	"BQAwEzERMA8GA1UEAwwIZnV6eiBpZHAwHhcNMjYxMjA3MTcyMzQzWhcNMzYxMjA0"
	"MTcyMzQzWjATMREwDwYDVQQDDAhmdXp6IGlkcDCCASIwDQYJKoZIhvcNAQEBBQAD"
	"ggEPADCCAQoCggEBAJu8cUAx07lJWHWJfbz81Nr61B4rXX+CLl1NYLvYJAiJOugc"
	"b53I6hTsUsXSsEhUbyd3n/5/BDh9oa8KS9Siit/bwn9I5K3CMPWHJpvKv6debz4d"
	"LebHSkOKsmtVI1cdbiQTNTCDD4FONpmG3IPbV28riflUYEm9znzhbxgUHAI6samT"
	"SYq6gKa5UzT440LXB29t6eABEPm6moWwztyC/QFLnYWYw+MVesOpenIUl4guq+vQ"
	"GNRlTrNttNeKVpwSm8XsNxUNuINPHbuJuKlfN9d/ltacDCYbPNNfH11yrYg1+d17"
	"dwffZO8KKN++CmmVaQX05lDRIqqCeNrkWGiNL6cCAwEAAaNTMFEwHQYDVR0OBBYE"
	"FIpl3gp8lzq6OLtNxTdzoBVEKIUSMB8GA1UdIwQYMBaAFIpl3gp8lzq6OLtNxTdz"
	"oBVEKIUSMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQADggEBADq5lKjJ"
	"0jgvAgz667etfo3gT1bHWZpAZ88uuIH48dZ+zpTZKikC+alCNJoJDTwhDTsAkLYB"
	"+wx9+Y/5g2MU7KGI9v1I2SirIxJU+a2kJmliuGF8LfMs739qJSUh8K2n3GEQHUZu"
	"WHbQjLEpS/yBCDSglVvgaNDhdnXxgSqrzCGWoI3lACm/vLQ2E5YbJg7N13jxxusn"
	"jACAYpS2HFRhkWzjnANvDmfcnplvAOLWHmqmnH6f5iokCG05jXbTQyDSX6i6ittb"
	"W0yhTcynxoM9Gb+QxEUXSoX+JhFIN2hqWz7gw/N/7YStPyQZkxzAwVXkO0MdXTDF"
	"RBWbUd1NMffgP8s=";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saml_meta	 m;
	struct saml_expect	 x;
	struct saml_assertion	 a;
	struct saml_error	 err;
	char			*b64;

	memset(&m, 0, sizeof(m));
	m.entity_id = (char *)"https://idp.test/metadata";
	m.signing[0] = (char *)fuzz_cert;
	m.nsigning = 1;
	memset(&x, 0, sizeof(x));
	x.idp = &m;
	x.sp_entity_id = "urn:amazon:cognito:sp:us-east-1_Test";
	x.acs_url = "https://auth.test/saml2/idpresponse";
	x.in_response_to = size > 0 && data[0] == 'U' ? NULL : "_req42";
	x.now = 1893553445;
	b64 = b64_encode(data, size);
	if (saml_response_verify(b64, strlen(b64), &x, &a, &err) == -1) {
		if (err.kind == SAML_OK || err.msg[0] == '\0' ||
		    a.name_id != NULL || a.nattrs != 0)
			abort();
	} else if (a.name_id == NULL || *a.name_id == '\0' ||
	    a.assertion_id == NULL || a.expires < x.now)
		abort();
	saml_assertion_free(&a);
	free(b64);
	return 0;
}
