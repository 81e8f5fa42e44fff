/*
 * saml_meta.c: an IdP's SAML 2.0 metadata read into struct saml_meta
 * (see saml_meta.h). The document goes through saml_xml_parse (no DTD,
 * no network, capped size); elements are matched by namespace and name
 * only, never by prefix. Every certificate is checked to be X.509 DER
 * with OpenSSL, since a certificate that does not load would only show
 * up later as every response failing its signature check.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/x509.h>

#include "crypto/b64.h"
#include "fed/saml_meta.h"
#include "fed/saml_xml.h"

/* Nesting of EntitiesDescriptor we follow. */
#define SAML_META_DEPTH		8

struct saml_meta_find {
	xmlNodePtr	 entity;	/* the EntityDescriptor of the IdP */
	xmlNodePtr	 idp;		/* its IDPSSODescriptor */
	int		 count;
};

/* 1 when a whitespace-separated list holds the token. */
static int
saml_meta_has_token(const char *list, const char *tok)
{
	size_t	n = strlen(tok), len;

	while (*list != '\0') {
		while (isspace((unsigned char)*list))
			list++;
		len = strcspn(list, " \t\r\n");
		if (len == n && strncmp(list, tok, n) == 0)
			return 1;
		list += len;
	}
	return 0;
}

/* The IDPSSODescriptor of an EntityDescriptor that speaks SAML 2.0. */
static xmlNodePtr
saml_meta_idp(xmlNodePtr entity)
{
	xmlNodePtr	 n;
	char		*proto;
	int		 ok;

	for (n = saml_xml_child(entity, SAML_NS_MD, "IDPSSODescriptor");
	    n != NULL; n = saml_xml_next(n, SAML_NS_MD, "IDPSSODescriptor")) {
		proto = saml_xml_attr(n, "protocolSupportEnumeration");
		ok = proto != NULL && saml_meta_has_token(proto,
		    SAML_NS_PROTO);
		free(proto);
		if (ok)
			return n;
	}
	return NULL;
}

/* Collect the EntityDescriptors holding an IdP under node. */
static void
saml_meta_walk(xmlNodePtr node, int depth, struct saml_meta_find *f)
{
	xmlNodePtr	n, idp;

	if (saml_xml_is(node, SAML_NS_MD, "EntityDescriptor")) {
		if ((idp = saml_meta_idp(node)) != NULL) {
			if (f->count++ == 0) {
				f->entity = node;
				f->idp = idp;
			}
		}
		return;
	}
	if (!saml_xml_is(node, SAML_NS_MD, "EntitiesDescriptor") ||
	    depth >= SAML_META_DEPTH)
		return;
	for (n = node->children; n != NULL; n = n->next)
		saml_meta_walk(n, depth + 1, f);
}

/* The earliest validUntil and shortest cacheDuration from n upwards. */
static int
saml_meta_validity(xmlNodePtr n, struct saml_meta *m, char *err,
    size_t errlen)
{
	char	*v, *c;
	int64_t	 t;
	int	 bad = 0;

	for (; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent) {
		v = saml_xml_attr(n, "validUntil");
		c = saml_xml_attr(n, "cacheDuration");
		if (v != NULL && saml_xml_time(v, &t) == 0) {
			if (m->valid_until == 0 || t < m->valid_until)
				m->valid_until = t;
		} else if (v != NULL)
			bad = 1;
		if (c != NULL && saml_xml_duration(c, &t) == 0) {
			if (m->cache_duration < 0 || t < m->cache_duration)
				m->cache_duration = t;
		} else if (c != NULL)
			bad = 1;
		free(v);
		free(c);
		if (bad) {
			snprintf(err, errlen, "metadata has a malformed "
			    "validUntil or cacheDuration");
			return -1;
		}
	}
	return 0;
}

/* The first endpoint of a kind with the given binding, or NULL. */
static char *
saml_meta_endpoint(xmlNodePtr idp, const char *kind, const char *binding)
{
	xmlNodePtr	 n;
	char		*b, *loc;

	for (n = saml_xml_child(idp, SAML_NS_MD, kind); n != NULL;
	    n = saml_xml_next(n, SAML_NS_MD, kind)) {
		b = saml_xml_attr(n, "Binding");
		loc = saml_xml_attr(n, "Location");
		if (b != NULL && strcmp(b, binding) == 0 && loc != NULL &&
		    *loc != '\0') {
			free(b);
			return loc;
		}
		free(b);
		free(loc);
	}
	return NULL;
}

/* The certificate text without whitespace, if it is X.509 DER. */
static char *
saml_meta_cert(xmlNodePtr node)
{
	char			*text, *p, *q;
	unsigned char		*der;
	const unsigned char	*dp;
	size_t			 len;
	X509			*x;

	if ((text = saml_xml_text(node)) == NULL)
		return NULL;
	for (p = q = text; *p != '\0'; p++)
		if (!isspace((unsigned char)*p))
			*q++ = *p;
	*q = '\0';
	if (b64_decode(text, &der, &len) == -1) {
		free(text);
		return NULL;
	}
	dp = der;
	x = d2i_X509(NULL, &dp, (long)len);
	if (x == NULL || dp != der + len) {
		X509_free(x);
		free(der);
		free(text);
		return NULL;
	}
	X509_free(x);
	free(der);
	return text;
}

/* Add the certificates of one KeyDescriptor to m by its use. */
static int
saml_meta_key(xmlNodePtr kd, struct saml_meta *m, char *err, size_t errlen)
{
	xmlNodePtr	 ki, xd, c;
	char		*use, *cert;
	int		 sign, enc;

	use = saml_xml_attr(kd, "use");
	sign = use == NULL || strcmp(use, "signing") == 0;
	enc = use == NULL || strcmp(use, "encryption") == 0;
	free(use);
	ki = saml_xml_child(kd, SAML_NS_DS, "KeyInfo");
	for (xd = saml_xml_child(ki, SAML_NS_DS, "X509Data"); xd != NULL;
	    xd = saml_xml_next(xd, SAML_NS_DS, "X509Data")) {
		for (c = saml_xml_child(xd, SAML_NS_DS, "X509Certificate");
		    c != NULL; c = saml_xml_next(c, SAML_NS_DS,
		    "X509Certificate")) {
			if ((cert = saml_meta_cert(c)) == NULL) {
				snprintf(err, errlen, "metadata holds a "
				    "certificate that is not valid X.509");
				return -1;
			}
			if (enc && m->encryption == NULL)
				m->encryption = xstrdup(cert);
			if (sign && m->nsigning < SAML_META_MAX_CERTS)
				m->signing[m->nsigning++] = xstrdup(cert);
			free(cert);
		}
	}
	return 0;
}

/* Fill m from the IdP's EntityDescriptor and IDPSSODescriptor. */
static int
saml_meta_fill(struct saml_meta_find *f, struct saml_meta *m, char *err,
    size_t errlen)
{
	xmlNodePtr	 kd;
	char		*want;

	m->entity_id = saml_xml_attr(f->entity, "entityID");
	if (m->entity_id == NULL || *m->entity_id == '\0') {
		snprintf(err, errlen, "metadata has no entityID");
		return -1;
	}
	m->sso_redirect = saml_meta_endpoint(f->idp, "SingleSignOnService",
	    SAML_BINDING_REDIRECT);
	m->sso_post = saml_meta_endpoint(f->idp, "SingleSignOnService",
	    SAML_BINDING_POST);
	m->slo_redirect = saml_meta_endpoint(f->idp, "SingleLogoutService",
	    SAML_BINDING_REDIRECT);
	m->slo_post = saml_meta_endpoint(f->idp, "SingleLogoutService",
	    SAML_BINDING_POST);
	want = saml_xml_attr(f->idp, "WantAuthnRequestsSigned");
	m->want_authn_signed = want != NULL && (strcmp(want, "true") == 0 ||
	    strcmp(want, "1") == 0);
	free(want);
	for (kd = saml_xml_child(f->idp, SAML_NS_MD, "KeyDescriptor");
	    kd != NULL; kd = saml_xml_next(kd, SAML_NS_MD, "KeyDescriptor"))
		if (saml_meta_key(kd, m, err, errlen) == -1)
			return -1;
	if (m->nsigning == 0) {
		snprintf(err, errlen, "metadata has no signing certificate");
		return -1;
	}
	if (saml_meta_validity(f->idp, m, err, errlen) == -1)
		return -1;
	return 0;
}

int
saml_meta_parse(const char *xml, size_t len, struct saml_meta *m,
    char *err, size_t errlen)
{
	struct saml_meta_find	 f;
	xmlDocPtr		 doc;
	char			 why[160];
	int			 rc = -1;

	memset(m, 0, sizeof(*m));
	m->cache_duration = -1;
	memset(&f, 0, sizeof(f));
	if ((doc = saml_xml_parse(xml, len, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "metadata: %s", why);
		return -1;
	}
	saml_meta_walk(xmlDocGetRootElement(doc), 0, &f);
	if (f.count == 0)
		snprintf(err, errlen, "metadata has no IDPSSODescriptor for "
		    "SAML 2.0");
	else if (f.count > 1)
		snprintf(err, errlen, "metadata describes %d identity "
		    "providers, not one", f.count);
	else
		rc = saml_meta_fill(&f, m, err, errlen);
	xmlFreeDoc(doc);
	if (rc == -1) {
		saml_meta_free(m);
		m->cache_duration = -1;
	}
	return rc;
}

void
saml_meta_free(struct saml_meta *m)
{
	size_t	i;

	free(m->entity_id);
	free(m->sso_redirect);
	free(m->sso_post);
	free(m->slo_redirect);
	free(m->slo_post);
	for (i = 0; i < m->nsigning; i++)
		free(m->signing[i]);
	free(m->encryption);
	memset(m, 0, sizeof(*m));
}

int64_t
saml_meta_expiry(const struct saml_meta *m, int64_t fetched)
{
	int64_t	until = m->valid_until;

	if (m->cache_duration >= 0 && (until == 0 ||
	    fetched + m->cache_duration < until))
		until = fetched + m->cache_duration;
	return until;
}
