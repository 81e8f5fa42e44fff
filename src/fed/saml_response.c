/*
 * saml_response.c: the SP's check of a posted SAML Response (see
 * saml_response.h for what passes); the signature and decryption steps
 * are saml_sig.c's.
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
#include "fed/saml_sig.h"
#include "fed/saml_xml.h"

#define SAML_SUCCESS	"urn:oasis:names:tc:SAML:2.0:status:Success"
#define SAML_BEARER	"urn:oasis:names:tc:SAML:2.0:cm:bearer"

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

/* A time attribute: 1 and *t when present, 0 when absent, -1 if bad. */
static int
saml_resp_time(struct saml_resp *r, xmlNodePtr e, const char *name,
    int64_t *t)
{
	char	*v = saml_xml_attr(e, name);
	int	 rc;

	if (v == NULL)
		return 0;
	rc = saml_xml_time(v, t) == 0 ? 1 : -1;
	free(v);
	if (rc == -1) {
		r->err->kind = SAML_MALFORMED;
		snprintf(r->err->msg, sizeof(r->err->msg), "malformed %s on "
		    "%s", name, (const char *)e->name);
	}
	return rc;
}

/*
 * The window [NotBefore, NotOnOrAfter) of e, with the skew; *end is
 * NotOnOrAfter, or 0 when e has none.
 */
static int
saml_resp_window(struct saml_resp *r, xmlNodePtr e, int need_end,
    int64_t *end)
{
	int64_t	t, now = r->x->now;
	int	rc;

	*end = 0;
	if ((rc = saml_resp_time(r, e, "NotBefore", &t)) == -1)
		return -1;
	if (rc == 1 && now + SAML_RESPONSE_SKEW < t)
		FAIL(r, SAML_NOT_YET_VALID, "the %s is not valid yet",
		    (const char *)e->name);
	if ((rc = saml_resp_time(r, e, "NotOnOrAfter", end)) == -1)
		return -1;
	if (rc == 0 && need_end)
		FAIL(r, SAML_EXPIRED, "the %s has no NotOnOrAfter",
		    (const char *)e->name);
	if (rc == 1 && now - SAML_RESPONSE_SKEW >= *end)
		FAIL(r, SAML_EXPIRED, "the %s has expired",
		    (const char *)e->name);
	return 0;
}

/* An element's attribute equal to want (absent: 1 when optional). */
static int
saml_resp_attr_is(xmlNodePtr e, const char *name, const char *want,
    int optional)
{
	char	*v = saml_xml_attr(e, name);
	int	 ok;

	ok = v == NULL ? optional : want != NULL && strcmp(v, want) == 0;
	free(v);
	return ok;
}

/* Issuer of e equal to the IdP's entityID (absent allowed on Response). */
static int
saml_resp_issuer(struct saml_resp *r, xmlNodePtr e, int optional)
{
	xmlNodePtr	 is = saml_xml_child(e, SAML_NS_ASSERT, "Issuer");
	char		*v;
	int		 ok;

	if (is == NULL && optional)
		return 0;
	v = is != NULL ? saml_xml_text(is) : NULL;
	ok = v != NULL && strcmp(v, r->x->idp->entity_id) == 0;
	if (ok && e == r->assertion)
		r->out->issuer = v;
	else
		free(v);
	if (!ok)
		FAIL(r, SAML_ISSUER, "the %s's Issuer is not the IdP's "
		    "entityID", (const char *)e->name);
	return 0;
}

/* Response: Version, Destination, InResponseTo, IssueInstant, Issuer. */
static int
saml_resp_envelope(struct saml_resp *r)
{
	const char	*irt = r->x->in_response_to;
	int64_t		 t;

	if (!saml_resp_attr_is(r->resp, "Version", "2.0", 0) ||
	    !saml_resp_attr_is(r->assertion, "Version", "2.0", 0))
		FAIL(r, SAML_MALFORMED, "not a SAML 2.0 response");
	if (!saml_resp_attr_is(r->resp, "Destination", r->x->acs_url, 1))
		FAIL(r, SAML_DESTINATION, "the Response's Destination is not "
		    "this ACS URL");
	if (!saml_resp_attr_is(r->resp, "InResponseTo", irt, irt == NULL))
		FAIL(r, SAML_IN_RESPONSE_TO, "the Response's InResponseTo "
		    "does not match the request");
	if (saml_resp_time(r, r->resp, "IssueInstant", &t) != 1 ||
	    saml_resp_time(r, r->assertion, "IssueInstant",
	    &r->out->issue_instant) != 1)
		FAIL(r, SAML_MALFORMED, "an IssueInstant is missing or "
		    "malformed");
	if (t > r->x->now + SAML_RESPONSE_SKEW ||
	    r->out->issue_instant > r->x->now + SAML_RESPONSE_SKEW)
		FAIL(r, SAML_NOT_YET_VALID, "issued in the future");
	if (saml_resp_issuer(r, r->resp, 1) == -1 ||
	    saml_resp_issuer(r, r->assertion, 0) == -1)
		return -1;
	return 0;
}

/* 1 when an AudienceRestriction's Audiences include the SP. */
static int
saml_resp_audience_in(struct saml_resp *r, xmlNodePtr ar)
{
	xmlNodePtr	 a;
	char		*v;
	int		 ok = 0;

	for (a = saml_xml_child(ar, SAML_NS_ASSERT, "Audience");
	    a != NULL && !ok; a = saml_xml_next(a, SAML_NS_ASSERT,
	    "Audience")) {
		v = saml_xml_text(a);
		ok = v != NULL && strcmp(v, r->x->sp_entity_id) == 0;
		free(v);
	}
	return ok;
}

/* Conditions: the time window, and every AudienceRestriction names us. */
static int
saml_resp_conditions(struct saml_resp *r)
{
	xmlNodePtr	c, ar;

	c = saml_xml_child(r->assertion, SAML_NS_ASSERT, "Conditions");
	if (c == NULL || (ar = saml_xml_child(c, SAML_NS_ASSERT,
	    "AudienceRestriction")) == NULL)
		FAIL(r, SAML_AUDIENCE, "the assertion has no "
		    "AudienceRestriction");
	if (saml_resp_window(r, c, 0, &r->until) == -1)
		return -1;
	for (; ar != NULL; ar = saml_xml_next(ar, SAML_NS_ASSERT,
	    "AudienceRestriction"))
		if (!saml_resp_audience_in(r, ar))
			FAIL(r, SAML_AUDIENCE, "the assertion's audience is "
			    "not this SP");
	return 0;
}

/* One bearer SubjectConfirmation for this ACS URL and request. */
static int
saml_resp_confirm(struct saml_resp *r, xmlNodePtr sc)
{
	xmlNodePtr	 d;
	const char	*irt = r->x->in_response_to;
	int64_t		 end;
	int		 rc;

	d = saml_xml_child(sc, SAML_NS_ASSERT, "SubjectConfirmationData");
	if (!saml_resp_attr_is(sc, "Method", SAML_BEARER, 0) || d == NULL)
		FAIL(r, SAML_RECIPIENT, "no bearer SubjectConfirmationData");
	if (!saml_resp_attr_is(d, "Recipient", r->x->acs_url, 0))
		FAIL(r, SAML_RECIPIENT, "the Recipient is not this ACS URL");
	if (!saml_resp_attr_is(d, "InResponseTo", irt, irt == NULL))
		FAIL(r, SAML_IN_RESPONSE_TO, "the SubjectConfirmationData's "
		    "InResponseTo does not match the request");
	rc = saml_resp_window(r, d, 1, &end);
	if (end > r->conf_end)
		r->conf_end = end;
	return rc;
}

/* NameID, and one bearer confirmation that passes. */
static int
saml_resp_subject(struct saml_resp *r)
{
	xmlNodePtr	 s, n, sc;
	int		 ok = 0;

	s = saml_xml_child(r->assertion, SAML_NS_ASSERT, "Subject");
	n = saml_xml_child(s, SAML_NS_ASSERT, "NameID");
	if (n == NULL || (r->out->name_id = saml_xml_text(n)) == NULL ||
	    *r->out->name_id == '\0')
		FAIL(r, SAML_SUBJECT, "the assertion has no plain NameID");
	r->out->name_id_format = saml_xml_attr(n, "Format");
	for (sc = saml_xml_child(s, SAML_NS_ASSERT, "SubjectConfirmation");
	    sc != NULL; sc = saml_xml_next(sc, SAML_NS_ASSERT,
	    "SubjectConfirmation"))
		if (saml_resp_confirm(r, sc) == 0)
			ok = 1;
	if (!ok && r->err->kind == SAML_OK)
		FAIL(r, SAML_RECIPIENT, "the assertion has no "
		    "SubjectConfirmation");
	if (!ok)
		return -1;
	r->err->kind = SAML_OK;
	r->err->msg[0] = '\0';
	return 0;
}

/* The SessionIndex of the (first, required) AuthnStatement. */
static int
saml_resp_authn(struct saml_resp *r)
{
	xmlNodePtr	a;

	a = saml_xml_child(r->assertion, SAML_NS_ASSERT, "AuthnStatement");
	if (a == NULL)
		FAIL(r, SAML_MALFORMED, "the assertion has no "
		    "AuthnStatement");
	r->out->session_index = saml_xml_attr(a, "SessionIndex");
	return 0;
}

/* The entry for an attribute name, added when new; NULL over the cap. */
static struct saml_attr *
saml_resp_attr_slot(struct saml_assertion *out, const char *name)
{
	struct saml_attr	*a;
	size_t			 i;

	for (i = 0; i < out->nattrs; i++)
		if (strcmp(out->attrs[i].name, name) == 0)
			return &out->attrs[i];
	if (out->nattrs == SAML_RESPONSE_MAX_ATTRS)
		return NULL;
	out->attrs = xrealloc(out->attrs, (out->nattrs + 1) *
	    sizeof(*out->attrs));
	a = &out->attrs[out->nattrs++];
	a->name = xstrdup(name);
	a->values = NULL;
	a->nvalues = 0;
	return a;
}

/* One Attribute's values appended to its entry. */
static int
saml_resp_attr(struct saml_resp *r, xmlNodePtr at)
{
	struct saml_attr	*a;
	xmlNodePtr		 v;
	char			*name, *text;

	if ((name = saml_xml_attr(at, "Name")) == NULL ||
	    (a = saml_resp_attr_slot(r->out, name)) == NULL) {
		free(name);
		FAIL(r, SAML_MALFORMED, "an Attribute without a Name, or "
		    "over %d", SAML_RESPONSE_MAX_ATTRS);
	}
	free(name);
	for (v = saml_xml_child(at, SAML_NS_ASSERT, "AttributeValue");
	    v != NULL; v = saml_xml_next(v, SAML_NS_ASSERT,
	    "AttributeValue")) {
		if ((text = saml_xml_text(v)) == NULL)
			FAIL(r, SAML_MALFORMED, "an AttributeValue that is "
			    "not plain text");
		if (a->nvalues == SAML_RESPONSE_MAX_ATTRS) {
			free(text);
			FAIL(r, SAML_MALFORMED, "an Attribute with over %d "
			    "values", SAML_RESPONSE_MAX_ATTRS);
		}
		a->values = xrealloc(a->values, (a->nvalues + 1) *
		    sizeof(*a->values));
		a->values[a->nvalues++] = text;
	}
	return 0;
}

static int
saml_resp_attrs(struct saml_resp *r)
{
	xmlNodePtr	st, at;

	for (st = saml_xml_child(r->assertion, SAML_NS_ASSERT,
	    "AttributeStatement"); st != NULL; st = saml_xml_next(st,
	    SAML_NS_ASSERT, "AttributeStatement"))
		for (at = saml_xml_child(st, SAML_NS_ASSERT, "Attribute");
		    at != NULL; at = saml_xml_next(at, SAML_NS_ASSERT,
		    "Attribute"))
			if (saml_resp_attr(r, at) == -1)
				return -1;
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
	if (saml_resp_envelope(r) == -1 || saml_resp_conditions(r) == -1 ||
	    saml_resp_subject(r) == -1 || saml_resp_authn(r) == -1 ||
	    saml_resp_attrs(r) == -1)
		return -1;
	r->out->expires = (r->until != 0 && r->until < r->conf_end ?
	    r->until : r->conf_end) + SAML_RESPONSE_SKEW;
	return 0;
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
