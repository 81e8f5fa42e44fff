/*
 * saml_assert.c: the checks of a SAML Assertion's content and what the
 * SP takes from it, for saml_response.c, which has located the one
 * Assertion and verified the signature covering it. Every value is
 * read by walking down from that Assertion node (or up to its
 * Response), never by searching the document. A time is refused when
 * it has passed by more than SAML_RESPONSE_SKEW seconds, or lies
 * further than that ahead; the expiry handed to the replay store is
 * the last second any check here would still pass.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "fed/saml_response_int.h"
#include "fed/saml_xml.h"

#define SAML_BEARER	"urn:oasis:names:tc:SAML:2.0:cm:bearer"

/* A time attribute: 1 and *t when present, 0 when absent, -1 if bad. */
static int
saml_assert_time(struct saml_resp *r, xmlNodePtr e, const char *name,
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
saml_assert_window(struct saml_resp *r, xmlNodePtr e, int need_end,
    int64_t *end)
{
	int64_t	t, now = r->x->now;
	int	rc;

	*end = 0;
	if ((rc = saml_assert_time(r, e, "NotBefore", &t)) == -1)
		return -1;
	if (rc == 1 && now + SAML_RESPONSE_SKEW < t)
		FAIL(r, SAML_NOT_YET_VALID, "the %s is not valid yet",
		    (const char *)e->name);
	if ((rc = saml_assert_time(r, e, "NotOnOrAfter", end)) == -1)
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
saml_assert_attr_is(xmlNodePtr e, const char *name, const char *want,
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
saml_assert_issuer(struct saml_resp *r, xmlNodePtr e, int optional)
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
saml_assert_envelope(struct saml_resp *r)
{
	const char	*irt = r->x->in_response_to;
	int64_t		 t;

	if (!saml_assert_attr_is(r->resp, "Version", "2.0", 0) ||
	    !saml_assert_attr_is(r->assertion, "Version", "2.0", 0))
		FAIL(r, SAML_MALFORMED, "not a SAML 2.0 response");
	if (!saml_assert_attr_is(r->resp, "Destination", r->x->acs_url, 1))
		FAIL(r, SAML_DESTINATION, "the Response's Destination is not "
		    "this ACS URL");
	if (!saml_assert_attr_is(r->resp, "InResponseTo", irt, irt == NULL))
		FAIL(r, SAML_IN_RESPONSE_TO, "the Response's InResponseTo "
		    "does not match the request");
	if (saml_assert_time(r, r->resp, "IssueInstant", &t) != 1 ||
	    saml_assert_time(r, r->assertion, "IssueInstant",
	    &r->out->issue_instant) != 1)
		FAIL(r, SAML_MALFORMED, "an IssueInstant is missing or "
		    "malformed");
	if (t > r->x->now + SAML_RESPONSE_SKEW ||
	    r->out->issue_instant > r->x->now + SAML_RESPONSE_SKEW)
		FAIL(r, SAML_NOT_YET_VALID, "issued in the future");
	if (saml_assert_issuer(r, r->resp, 1) == -1 ||
	    saml_assert_issuer(r, r->assertion, 0) == -1)
		return -1;
	return 0;
}

/* 1 when an AudienceRestriction's Audiences include the SP. */
static int
saml_assert_audience_in(struct saml_resp *r, xmlNodePtr ar)
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
saml_assert_conditions(struct saml_resp *r)
{
	xmlNodePtr	c, ar;

	c = saml_xml_child(r->assertion, SAML_NS_ASSERT, "Conditions");
	if (c == NULL || (ar = saml_xml_child(c, SAML_NS_ASSERT,
	    "AudienceRestriction")) == NULL)
		FAIL(r, SAML_AUDIENCE, "the assertion has no "
		    "AudienceRestriction");
	if (saml_assert_window(r, c, 0, &r->until) == -1)
		return -1;
	for (; ar != NULL; ar = saml_xml_next(ar, SAML_NS_ASSERT,
	    "AudienceRestriction"))
		if (!saml_assert_audience_in(r, ar))
			FAIL(r, SAML_AUDIENCE, "the assertion's audience is "
			    "not this SP");
	return 0;
}

/* One bearer SubjectConfirmation for this ACS URL and request. */
static int
saml_assert_confirm(struct saml_resp *r, xmlNodePtr sc)
{
	xmlNodePtr	 d;
	const char	*irt = r->x->in_response_to;
	int64_t		 end;
	int		 rc;

	d = saml_xml_child(sc, SAML_NS_ASSERT, "SubjectConfirmationData");
	if (!saml_assert_attr_is(sc, "Method", SAML_BEARER, 0) || d == NULL)
		FAIL(r, SAML_RECIPIENT, "no bearer SubjectConfirmationData");
	if (!saml_assert_attr_is(d, "Recipient", r->x->acs_url, 0))
		FAIL(r, SAML_RECIPIENT, "the Recipient is not this ACS URL");
	if (!saml_assert_attr_is(d, "InResponseTo", irt, irt == NULL))
		FAIL(r, SAML_IN_RESPONSE_TO, "the SubjectConfirmationData's "
		    "InResponseTo does not match the request");
	rc = saml_assert_window(r, d, 1, &end);
	if (end > r->conf_end)
		r->conf_end = end;
	return rc;
}

/* NameID, and one bearer confirmation that passes. */
static int
saml_assert_subject(struct saml_resp *r)
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
		if (saml_assert_confirm(r, sc) == 0)
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
saml_assert_authn(struct saml_resp *r)
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
saml_assert_attr_slot(struct saml_assertion *out, const char *name)
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
saml_assert_attr(struct saml_resp *r, xmlNodePtr at)
{
	struct saml_attr	*a;
	xmlNodePtr		 v;
	char			*name, *text;

	if ((name = saml_xml_attr(at, "Name")) == NULL ||
	    (a = saml_assert_attr_slot(r->out, name)) == NULL) {
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
saml_assert_attrs(struct saml_resp *r)
{
	xmlNodePtr	st, at;

	for (st = saml_xml_child(r->assertion, SAML_NS_ASSERT,
	    "AttributeStatement"); st != NULL; st = saml_xml_next(st,
	    SAML_NS_ASSERT, "AttributeStatement"))
		for (at = saml_xml_child(st, SAML_NS_ASSERT, "Attribute");
		    at != NULL; at = saml_xml_next(at, SAML_NS_ASSERT,
		    "Attribute"))
			if (saml_assert_attr(r, at) == -1)
				return -1;
	return 0;
}

int
saml_assert_check(struct saml_resp *r)
{
	if (saml_assert_envelope(r) == -1 ||
	    saml_assert_conditions(r) == -1 ||
	    saml_assert_subject(r) == -1 || saml_assert_authn(r) == -1 ||
	    saml_assert_attrs(r) == -1)
		return -1;
	r->out->expires = (r->until != 0 && r->until < r->conf_end ?
	    r->until : r->conf_end) + SAML_RESPONSE_SKEW;
	return 0;
}
