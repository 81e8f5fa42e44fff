/*
 * saml_response.c: the SP's check of a posted SAML Response (see
 * saml_response.h for what passes): the document, its status, its
 * signatures and the one Assertion; the signature and decryption steps
 * are saml_sig.c's, the checks of the Assertion's content saml_assert.c's.
 *
 * Order matters. The Response signature is verified on the document as
 * received, before decryption changes it; the Assertion is counted in
 * the whole document (not only where a reader would look) before and
 * after decryption, so a second Assertion hidden in Extensions, in a
 * Signature's Object or anywhere else is refused rather than ignored;
 * and every field is read from the one Assertion node whose signature
 * (or whose Response's signature) was verified, by walking down from
 * it, never by searching the document.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "crypto/b64.h"
#include "fed/saml_response.h"
#include "fed/saml_response_int.h"
#include "fed/saml_sig.h"
#include "fed/saml_xml.h"

#define SAML_SUCCESS	"urn:oasis:names:tc:SAML:2.0:status:Success"

static const char *const saml_fail_names[] = {
	[SAML_OK] = "ok",
	[SAML_MALFORMED] = "malformed",
	[SAML_STATUS] = "status",
	[SAML_UNSIGNED] = "unsigned",
	[SAML_SIGNATURE] = "signature",
	[SAML_WRAPPING] = "wrapping",
	[SAML_ISSUER] = "issuer",
	[SAML_AUDIENCE] = "audience",
	[SAML_RECIPIENT] = "recipient",
	[SAML_DESTINATION] = "destination",
	[SAML_EXPIRED] = "expired",
	[SAML_NOT_YET_VALID] = "not_yet_valid",
	[SAML_IN_RESPONSE_TO] = "in_response_to",
	[SAML_DECRYPT] = "decrypt",
	[SAML_SUBJECT] = "subject",
};

const char *
saml_fail_name(enum saml_fail k)
{
	if ((size_t)k >= nitems(saml_fail_names))
		return "unknown";
	return saml_fail_names[k];
}

/* Elements ns:name anywhere under n, n included. */
static size_t
saml_resp_count_all(const xmlNode *n, const char *ns, const char *name)
{
	const xmlNode	*c;
	size_t		 count = saml_xml_is(n, ns, name);

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			count += saml_resp_count_all(c, ns, name);
	return count;
}

/* The base64 form value, line breaks allowed, decoded. */
static char *
saml_resp_decode(const char *b64, size_t len, size_t *outlen)
{
	unsigned char	*out = NULL;
	char		*s;
	size_t		 i, n = 0;

	if (len > 2 * SAML_XML_MAX)
		return NULL;
	s = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		if (b64[i] != '\r' && b64[i] != '\n' && b64[i] != ' ' &&
		    b64[i] != '\t')
			s[n++] = b64[i];
	s[n] = '\0';
	if (strlen(s) != n || b64_decode(s, &out, outlen) == -1)
		out = NULL;
	free(s);
	return (char *)out;
}

/* The StatusCode must be Success; otherwise name the IdP's code. */
static int
saml_resp_status(struct saml_resp *r)
{
	xmlNodePtr	 st, code;
	char		*v;
	const char	*tail;
	int		 ok;

	st = saml_xml_child(r->resp, SAML_NS_PROTO, "Status");
	code = saml_xml_child(st, SAML_NS_PROTO, "StatusCode");
	if (code == NULL)
		FAIL(r, SAML_MALFORMED, "the Response has no StatusCode");
	v = saml_xml_attr(code, "Value");
	ok = v != NULL && strcmp(v, SAML_SUCCESS) == 0;
	if (!ok) {
		tail = v != NULL && strrchr(v, ':') != NULL ?
		    strrchr(v, ':') + 1 : "none";
		r->err->kind = SAML_STATUS;
		snprintf(r->err->msg, sizeof(r->err->msg), "the IdP answered "
		    "with status %.40s", tail);
		for (char *p = r->err->msg; *p != '\0'; p++)
			if (!isprint((unsigned char)*p))
				*p = '?';
	}
	free(v);
	return ok ? 0 : -1;
}

/* At most one ds:Signature child of e; verify it if there is one. */
static int
saml_resp_sig(struct saml_resp *r, xmlNodePtr e, int *signed_e)
{
	xmlNodePtr	sig;
	size_t		n = saml_xml_count(e, SAML_NS_DS, "Signature");

	*signed_e = 0;
	if (n > 1)
		FAIL(r, SAML_WRAPPING, "the %s has %zu signatures",
		    (const char *)e->name, n);
	if (n == 0)
		return 0;
	sig = saml_xml_child(e, SAML_NS_DS, "Signature");
	if (saml_sig_verify(e, sig, r->x->idp->signing, r->x->idp->nsigning,
	    r->err) == -1)
		return -1;
	*signed_e = 1;
	return 0;
}

/* Exactly one Assertion, a child of the Response or of its one
 * EncryptedAssertion; decrypts the latter. Sets r->assertion. */
static int
saml_resp_assertion(struct saml_resp *r)
{
	xmlNodePtr	ea;
	size_t		na, ne;

	na = saml_resp_count_all(r->resp, SAML_NS_ASSERT, "Assertion");
	ne = saml_resp_count_all(r->resp, SAML_NS_ASSERT,
	    "EncryptedAssertion");
	if (na + ne != 1)
		FAIL(r, SAML_WRAPPING, "the response holds %zu assertions, "
		    "not one", na + ne);
	if (na == 1 && r->x->require_encrypted)
		FAIL(r, SAML_DECRYPT, "the assertion is not encrypted and "
		    "the provider requires encrypted responses");
	if (na == 1) {
		r->assertion = saml_xml_child(r->resp, SAML_NS_ASSERT,
		    "Assertion");
		if (r->assertion == NULL)
			FAIL(r, SAML_WRAPPING, "the Assertion is not a child "
			    "of the Response");
		return 0;
	}
	ea = saml_xml_child(r->resp, SAML_NS_ASSERT, "EncryptedAssertion");
	if (ea == NULL)
		FAIL(r, SAML_WRAPPING, "the EncryptedAssertion is not a "
		    "child of the Response");
	if (r->x->sp_key_pem == NULL)
		FAIL(r, SAML_DECRYPT, "the assertion is encrypted and no "
		    "SP key is set");
	if (saml_sig_decrypt(ea, r->x->sp_key_pem, r->err) == -1)
		return -1;
	r->assertion = saml_xml_child(ea, SAML_NS_ASSERT, "Assertion");
	if (r->assertion == NULL || saml_resp_count_all(r->resp,
	    SAML_NS_ASSERT, "Assertion") != 1)
		FAIL(r, SAML_WRAPPING, "the EncryptedAssertion does not "
		    "hold exactly one Assertion");
	return 0;
}

/* Everything after the document is parsed, in the order of the file top. */
static int
saml_resp_check(struct saml_resp *r)
{
	int	signed_resp, signed_assertion;
	char	*id;

	if (!saml_xml_is(r->resp, SAML_NS_PROTO, "Response"))
		FAIL(r, SAML_MALFORMED, "the document is not a SAML Response");
	if (saml_resp_status(r) == -1 ||
	    saml_resp_sig(r, r->resp, &signed_resp) == -1 ||
	    saml_resp_assertion(r) == -1 ||
	    saml_resp_sig(r, r->assertion, &signed_assertion) == -1)
		return -1;
	if (!signed_resp && !signed_assertion)
		FAIL(r, SAML_UNSIGNED, "neither the Response nor the "
		    "Assertion is signed");
	id = saml_xml_attr(r->assertion, "ID");
	r->out->assertion_id = id;
	if (id == NULL || *id == '\0')
		FAIL(r, SAML_MALFORMED, "the Assertion has no ID");
	return saml_assert_check(r);
}

int
saml_response_verify(const char *b64, size_t len,
    const struct saml_expect *x, struct saml_assertion *out,
    struct saml_error *err)
{
	struct saml_resp	 r;
	xmlDocPtr		 doc = NULL;
	char			*xml, why[160];
	size_t			 xlen;
	int			 rc = -1;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	memset(&r, 0, sizeof(r));
	r.x = x;
	r.out = out;
	r.err = err;
	if ((xml = saml_resp_decode(b64, len, &xlen)) == NULL) {
		err->kind = SAML_MALFORMED;
		snprintf(err->msg, sizeof(err->msg), "SAMLResponse is not "
		    "base64");
	} else if ((doc = saml_xml_parse(xml, xlen, why, sizeof(why))) ==
	    NULL) {
		err->kind = SAML_MALFORMED;
		snprintf(err->msg, sizeof(err->msg), "SAMLResponse: %s", why);
	} else {
		r.resp = xmlDocGetRootElement(doc);
		rc = saml_resp_check(&r);
	}
	xmlFreeDoc(doc);
	free(xml);
	if (rc == -1) {
		saml_assertion_free(out);
		if (err->kind == SAML_OK)
			err->kind = SAML_MALFORMED;
	}
	return rc;
}

void
saml_assertion_free(struct saml_assertion *a)
{
	size_t	i, j;

	free(a->name_id);
	free(a->name_id_format);
	free(a->session_index);
	free(a->assertion_id);
	free(a->issuer);
	for (i = 0; i < a->nattrs; i++) {
		for (j = 0; j < a->attrs[i].nvalues; j++)
			free(a->attrs[i].values[j]);
		free(a->attrs[i].values);
		free(a->attrs[i].name);
	}
	free(a->attrs);
	memset(a, 0, sizeof(*a));
}

const struct saml_attr *
saml_assertion_attr(const struct saml_assertion *a, const char *name)
{
	size_t	i;

	for (i = 0; i < a->nattrs; i++)
		if (strcmp(a->attrs[i].name, name) == 0)
			return &a->attrs[i];
	return NULL;
}
