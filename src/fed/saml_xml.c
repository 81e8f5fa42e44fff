/*
 * saml_xml.c: the safe XML parser and the small readers the SAML
 * modules share (see saml_xml.h).
 *
 * Security decisions. A SAML document is untrusted input, so the
 * parser is set up to do as little as XML allows: a SAX hook stops it
 * at any <!DOCTYPE> (no entity can be declared, which rules out
 * "billion laughs" and external entities alike), XML_PARSE_NONET
 * forbids fetching anything, XML_PARSE_NOENT and the DTD options are
 * never set, and the input is capped at SAML_XML_MAX bytes. xmlsec
 * parses decrypted assertions with its own default options; init
 * clears the dangerous bits there too. Neither library reports on
 * stderr (the text could be an attacker's): callers report the reason.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/parser.h>

#include "fed/saml_xml.h"

#define SAML_XML_OPTS	(XML_PARSE_NONET | XML_PARSE_NOERROR | \
			    XML_PARSE_NOWARNING)
#define SAML_XML_UNSAFE	(XML_PARSE_NOENT | XML_PARSE_DTDLOAD | \
			    XML_PARSE_DTDATTR | XML_PARSE_DTDVALID | \
			    XML_PARSE_XINCLUDE | XML_PARSE_HUGE)

static pthread_once_t	saml_xml_once = PTHREAD_ONCE_INIT;

/* xmlsec would print every failed check on stderr; the callers report. */
static void
saml_xml_quiet(const char *file, int line, const char *func,
    const char *obj, const char *subj, int reason, const char *msg)
{
}

/* libxml2's own reports would put untrusted text on stderr. */
static void
saml_xml_quiet_xml(void *ctx, const char *fmt, ...)
{
}

static void
saml_xml_quiet_structured(void *ctx, xmlErrorPtr e)
{
}

static void
saml_xml_init_once(void)
{
	xmlInitParser();
	xmlThrDefSetGenericErrorFunc(NULL, saml_xml_quiet_xml);
	xmlThrDefSetStructuredErrorFunc(NULL, saml_xml_quiet_structured);
	xmlSetGenericErrorFunc(NULL, saml_xml_quiet_xml);
	xmlSetStructuredErrorFunc(NULL, saml_xml_quiet_structured);
	if (xmlSecInit() < 0)
		fatalx("xmlSecInit failed");
	if (xmlSecCheckVersion() != 1)
		fatalx("xmlsec library version mismatch");
	if (xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
		fatalx("xmlsec crypto init failed");
	xmlSecErrorsSetCallback(saml_xml_quiet);
	xmlSecParserSetDefaultOptions((xmlSecParserGetDefaultOptions() &
	    ~SAML_XML_UNSAFE) | SAML_XML_OPTS);
}

void
saml_xml_init(void)
{
	pthread_once(&saml_xml_once, saml_xml_init_once);
}

/* SAX internalSubset hook: any DOCTYPE ends the parse. */
static void
saml_xml_no_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxtPtr	p = ctx;

	p->_private = p;
	xmlStopParser(p);
}

xmlDocPtr
saml_xml_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	xmlParserCtxtPtr	 p;
	xmlDocPtr		 doc;
	const xmlError		*e;

	saml_xml_init();
	if (len == 0 || len > SAML_XML_MAX) {
		snprintf(err, errlen, "document is empty or over %d bytes",
		    SAML_XML_MAX);
		return NULL;
	}
	if ((p = xmlNewParserCtxt()) == NULL)
		fatalx("xmlNewParserCtxt");
	p->sax->internalSubset = saml_xml_no_dtd;
	doc = xmlCtxtReadMemory(p, buf, (int)len, NULL, NULL, SAML_XML_OPTS);
	if (p->_private != NULL || (doc != NULL && (doc->intSubset != NULL ||
	    doc->extSubset != NULL))) {
		snprintf(err, errlen, "document type declarations are not "
		    "allowed");
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (doc == NULL || !p->wellFormed || !p->nsWellFormed) {
		e = xmlCtxtGetLastError(p);
		snprintf(err, errlen, "not well-formed XML (line %d): %.80s",
		    e != NULL ? e->line : 0, e != NULL && e->message != NULL ?
		    e->message : "parse error");
		err[strcspn(err, "\n")] = '\0';
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (xmlDocGetRootElement(doc) == NULL) {
		snprintf(err, errlen, "document has no root element");
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(p);
	return doc;
}

int
saml_xml_is(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

xmlNodePtr
saml_xml_next(const xmlNode *n, const char *ns, const char *name)
{
	for (n = n != NULL ? n->next : NULL; n != NULL; n = n->next)
		if (saml_xml_is(n, ns, name))
			return (xmlNodePtr)n;
	return NULL;
}

xmlNodePtr
saml_xml_child(const xmlNode *parent, const char *ns, const char *name)
{
	const xmlNode	*n;

	if (parent == NULL)
		return NULL;
	for (n = parent->children; n != NULL; n = n->next)
		if (saml_xml_is(n, ns, name))
			return (xmlNodePtr)n;
	return NULL;
}

size_t
saml_xml_count(const xmlNode *parent, const char *ns, const char *name)
{
	const xmlNode	*n;
	size_t		 count = 0;

	for (n = saml_xml_child(parent, ns, name); n != NULL;
	    n = saml_xml_next(n, ns, name))
		count++;
	return count;
}

char *
saml_xml_text(const xmlNode *e)
{
	const xmlNode	*n;
	char		*s, *start, *end;
	size_t		 len = 0;

	for (n = e->children; n != NULL; n = n->next) {
		if (n->type != XML_TEXT_NODE &&
		    n->type != XML_CDATA_SECTION_NODE)
			return NULL;
		len += strlen((const char *)n->content);
	}
	s = xcalloc(1, len + 1);
	for (n = e->children; n != NULL; n = n->next)
		strcat(s, (const char *)n->content);
	for (start = s; isspace((unsigned char)*start); start++)
		;
	for (end = start + strlen(start); end > start &&
	    isspace((unsigned char)end[-1]); end--)
		;
	memmove(s, start, end - start);
	s[end - start] = '\0';
	return s;
}

char *
saml_xml_attr(const xmlNode *e, const char *name)
{
	xmlChar	*v;
	char	*s;

	if ((v = xmlGetNoNsProp(e, (const xmlChar *)name)) == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* Read exactly n digits at *p into *v; advances *p. */
static int
saml_xml_digits(const char **p, int n, int *v)
{
	*v = 0;
	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (*(*p)++ - '0');
	}
	return 0;
}

/* The zone suffix of an xs:dateTime: Z, +hh:mm, -hh:mm or none. */
static int
saml_xml_zone(const char *p, int64_t *offset)
{
	int	h, m, sign;

	*offset = 0;
	if (*p == '\0' || strcmp(p, "Z") == 0)
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (saml_xml_digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    saml_xml_digits(&p, 2, &m) == -1 || *p != '\0' || h > 14 ||
	    m > 59)
		return -1;
	*offset = sign * (h * 3600 + m * 60);
	return 0;
}

int
saml_xml_time(const char *s, int64_t *out)
{
	struct tm	 tm;
	const char	*p = s;
	int		 y, mo, d, h, mi, se;
	int64_t		 off;
	time_t		 t;

	if (saml_xml_digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    saml_xml_digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    saml_xml_digits(&p, 2, &d) == -1 || *p++ != 'T' ||
	    saml_xml_digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    saml_xml_digits(&p, 2, &mi) == -1 || *p++ != ':' ||
	    saml_xml_digits(&p, 2, &se) == -1)
		return -1;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++)
			;
		if (!isdigit((unsigned char)p[-1]))
			return -1;
	}
	if (saml_xml_zone(p, &off) == -1 || y < 1970 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = (int64_t)t - off;
	return 0;
}

/* Seconds in each xs:duration designator. */
static const struct {
	char	c;
	int	in_time;
	int64_t	secs;
} saml_xml_units[] = {
	{ 'Y', 0, 365 * 86400 }, { 'M', 0, 30 * 86400 }, { 'D', 0, 86400 },
	{ 'H', 1, 3600 }, { 'M', 1, 60 }, { 'S', 1, 1 },
};

int
saml_xml_duration(const char *s, int64_t *out)
{
	const char	*p = s;
	size_t		 u = 0;
	int64_t		 total = 0, v;
	int		 in_time = 0, any = 0, nd;

	if (*p++ != 'P')
		return -1;
	while (*p != '\0') {
		if (*p == 'T' && !in_time) {
			in_time = 1;
			p++;
			continue;
		}
		for (v = 0, nd = 0; isdigit((unsigned char)*p); p++, nd++)
			if ((v = v * 10 + (*p - '0')) > 1000000000)
				return -1;
		if (*p == '.' && in_time)	/* fractional seconds */
			while (isdigit((unsigned char)*++p))
				;
		while (u < nitems(saml_xml_units) &&
		    (saml_xml_units[u].in_time != in_time ||
		    saml_xml_units[u].c != *p))
			u++;
		if (u == nitems(saml_xml_units) || nd == 0)
			return -1;
		total += v * saml_xml_units[u++].secs;
		any = 1;
		p++;
	}
	if (!any || p[-1] == 'T')
		return -1;
	*out = total;
	return 0;
}

void
saml_xml_fmt_time(int64_t t, char out[21])
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
