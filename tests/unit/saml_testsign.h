/*
 * saml_testsign.h: SAML Responses for the unit tests, built from
 * options as text and signed (and encrypted) by the xmlsec1
 * command-line tool with keys made at test time, so the verifier is
 * checked against a signer it shares no code with above libxmlsec.
 */
#ifndef SAML_TESTSIGN_H
#define SAML_TESTSIGN_H

#include <stdint.h>

#include "saml_testkey.h"

#define TS_NOW		1893553445	/* 2030-01-02T03:04:05Z */
#define TS_IDP		"https://idp.test/metadata"
#define TS_SP		"urn:amazon:cognito:sp:us-east-1_Test"
#define TS_ACS		"https://auth.test/saml2/idpresponse"
#define TS_REQ		"_req42"

struct ts_opts {
	const struct saml_testkey *key;		/* signer */
	const struct saml_testkey *sp;		/* encrypt for, or NULL */
	int		 sign_resp, sign_assertion;
	const char	*resp_ref;		/* Response signature's URI */
	const char	*issuer, *audience, *recipient, *destination;
	const char	*irt;			/* InResponseTo, or NULL */
	const char	*status;
	const char	*sigalg, *digest, *transform;
	int64_t		 nb, noa, scd_noa;	/* offsets from TS_NOW */
};

void	 ts_defaults(struct ts_opts *, const struct saml_testkey *);
/* The signed (and maybe encrypted) Response as XML text. */
char	*ts_build(const struct ts_opts *);
/* s with the first find replaced by repl (a copy; s is freed). */
char	*ts_replace(char *, const char *, const char *);

#endif
