/*
 * saml_xml.h: the XML ground under the SAML modules (saml_meta.c,
 * saml_response.c, saml_request.c, saml_sp.c): one safe parser for
 * untrusted documents, namespace-exact element lookups, leaf text read
 * strictly, and the xs:dateTime and xs:duration values SAML uses.
 *
 * The parser refuses any document type declaration (so no entity is
 * ever declared, let alone expanded, and no external subset is
 * loaded), never touches the network and caps the input size; libxml2
 * reports nothing on stderr, its first error comes back as text.
 */
#ifndef SAML_XML_H
#define SAML_XML_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "util.h"

/* The largest SAML document (metadata or response) we parse. */
#define SAML_XML_MAX		(1024 * 1024)

#define SAML_NS_MD	"urn:oasis:names:tc:SAML:2.0:metadata"
#define SAML_NS_ASSERT	"urn:oasis:names:tc:SAML:2.0:assertion"
#define SAML_NS_PROTO	"urn:oasis:names:tc:SAML:2.0:protocol"
#define SAML_NS_DS	"http://www.w3.org/2000/09/xmldsig#"
#define SAML_NS_XENC	"http://www.w3.org/2001/04/xmlenc#"

#define SAML_BINDING_REDIRECT \
	"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
#define SAML_BINDING_POST \
	"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

/* Initialise libxml2 and xmlsec once per process (thread-safe). */
void		 saml_xml_init(void);
/* Parse untrusted XML; NULL with a reason in err. */
xmlDocPtr	 saml_xml_parse(const char *, size_t, char *, size_t);
/* 1 when the node is the element ns:name. */
int		 saml_xml_is(const xmlNode *, const char *, const char *);
/* The first element child (or next element sibling) that is ns:name. */
xmlNodePtr	 saml_xml_child(const xmlNode *, const char *, const char *);
xmlNodePtr	 saml_xml_next(const xmlNode *, const char *, const char *);
/* How many element children are ns:name. */
size_t		 saml_xml_count(const xmlNode *, const char *, const char *);
/*
 * The text of a leaf element, trimmed, malloc'd; NULL when it holds an
 * element, a comment or a processing instruction (a comment splitting
 * a NameID is a known way to make two parsers read two names).
 */
char		*saml_xml_text(const xmlNode *);
/* An unqualified attribute, malloc'd, or NULL. */
char		*saml_xml_attr(const xmlNode *, const char *);
/* xs:dateTime to seconds since the epoch (no zone means UTC). */
int		 saml_xml_time(const char *, int64_t *) MUST_CHECK;
/* xs:duration to seconds (a year is 365 days, a month 30). */
int		 saml_xml_duration(const char *, int64_t *) MUST_CHECK;
/* Format seconds since the epoch as SAML's UTC xs:dateTime (21 bytes). */
void		 saml_xml_fmt_time(int64_t, char [21]);

#endif
