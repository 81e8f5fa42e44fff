/*
 * saml_verify.c: the raw rate of src/fed/saml_response.c, one thread:
 * saml_response_verify run over one base64 SAMLResponse again and again
 * for a few seconds, as /saml2/idpresponse runs it on a worker (parse,
 * the XML signature with the metadata certificate, wrapping checks,
 * the assertion's conditions), without HTTP, the database or the rest
 * of the sign-in. The Response is made here with the unit tests' signer
 * (tests/unit/saml_testsign.c: the xmlsec1 tool, an RSA-2048 key made
 * at start), once signed on the Assertion (what most IdPs send) and once
 * on the Response and the Assertion both. Built by `make check` (never
 * part of the daemon); tests/bench/saml_verify.py runs it.
 *
 *	saml_verify [SECONDS]	(2 per case)
 *
 * Prints one line per case: "saml-verify <case> <per s>/s <us> us".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/b64.h"
#include "fed/saml_response.h"
#include "fed/saml_xml.h"
#include "saml_testkey.h"
#include "saml_testsign.h"
#include "util.h"

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Verify b64 until seconds have passed; the verifications per second. */
static double
bench_case(const char *b64, const struct saml_expect *x, double seconds)
{
	struct saml_assertion	 a;
	struct saml_error	 err;
	double			 start = bench_now(), end = start + seconds;
	double			 t = start;
	long			 n = 0;

	while (t < end) {
		if (saml_response_verify(b64, strlen(b64), x, &a, &err) != 0)
			fatalx("saml_verify: refused: %s (%s)",
			    saml_fail_name(err.kind), err.msg);
		saml_assertion_free(&a);
		n++;
		t = bench_now();
	}
	return (double)n / (t - start);
}

static void
bench_run(const char *name, const struct ts_opts *o,
    const struct saml_expect *x, double seconds)
{
	char	*xml = ts_build(o);
	char	*b64 = b64_encode(xml, strlen(xml));
	double	 rate = bench_case(b64, x, seconds);

	printf("saml-verify %s %.0f/s %.0f us (%zu bytes)\n", name, rate,
	    1e6 / rate, strlen(b64));
	fflush(stdout);
	free(xml);
	free(b64);
}

int
main(int argc, char **argv)
{
	struct saml_testkey	 key;
	struct saml_meta	 m;
	struct saml_expect	 x;
	struct ts_opts		 o;
	double			 seconds = argc > 1 ? atof(argv[1]) : 2.0;

	if (seconds <= 0)
		fatalx("usage: saml_verify [SECONDS]");
	saml_xml_init();
	saml_testkey_make(&key);
	memset(&m, 0, sizeof m);
	m.entity_id = (char *)TS_IDP;
	m.signing[0] = key.cert_b64;
	m.nsigning = 1;
	memset(&x, 0, sizeof x);
	x.idp = &m;
	x.sp_entity_id = TS_SP;
	x.acs_url = TS_ACS;
	x.in_response_to = TS_REQ;
	x.now = TS_NOW;
	ts_defaults(&o, &key);
	bench_run("assertion-signed", &o, &x, seconds);
	o.sign_resp = 1;
	bench_run("response-and-assertion-signed", &o, &x, seconds);
	saml_testkey_free(&key);
	return 0;
}
