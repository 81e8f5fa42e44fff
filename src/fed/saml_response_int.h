/*
 * saml_response_int.h: what saml_response.c and saml_assert.c share
 * while checking one Response: its state, and the failure macro.
 */
#ifndef SAML_RESPONSE_INT_H
#define SAML_RESPONSE_INT_H

#include <stdint.h>
#include <stdio.h>

#include <libxml/tree.h>

#include "fed/saml_response.h"

#define FAIL(r, k, ...) do {						\
	(r)->err->kind = (k);						\
	snprintf((r)->err->msg, sizeof((r)->err->msg), __VA_ARGS__);	\
	return -1;							\
} while (0)

struct saml_resp {
	const struct saml_expect	*x;
	struct saml_assertion		*out;
	struct saml_error		*err;
	xmlNodePtr			 resp;
	xmlNodePtr			 assertion;
	int64_t				 until;	/* Conditions' end or 0 */
	int64_t				 conf_end;	/* bearers' last */
};

/*
 * The content of r->assertion, once its signature is known good:
 * Response envelope, Issuer, Conditions, Subject, AuthnStatement and
 * attributes into r->out, with the assertion's expiry.
 */
int	saml_assert_check(struct saml_resp *) MUST_CHECK;

#endif
