/*
 * saml_request.c: AuthnRequest and LogoutRequest for the HTTP-Redirect
 * binding (see saml_request.h). The XML is built with libxml2's tree
 * API, so every value (an entity id, a NameID as the IdP sent it) is
 * escaped by the serializer, never pasted into markup. DEFLATE is
 * zlib's raw mode (no zlib header, as the binding requires); the
 * query-string signature is RSA PKCS#1 v1.5 with SHA-256 through
 * OpenSSL, over "SAMLRequest=..&RelayState=..&SigAlg=.." exactly as
 * the URL carries them (§3.4.4.1).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <zlib.h>

#include "crypto/b64.h"
#include "crypto/random.h"
#include "fed/saml_request.h"
#include "fed/saml_xml.h"

#define X(s)	((const xmlChar *)(s))

/* A fresh message ID: '_' and 40 hex digits (160 random bits). */
static void
saml_req_id(char id[42])
{
	unsigned char	r[20];

	random_bytes(r, sizeof(r));
	id[0] = '_';
	hex_encode(r, sizeof(r), id + 1);
	id[41] = '\0';
}

/* A samlp:<name> root with ID, Version, IssueInstant, Destination. */
static xmlNodePtr
saml_req_root(xmlDocPtr doc, const char *name, const char *id,
    const char *dest, int64_t now, xmlNsPtr *saml)
{
	xmlNodePtr	root = xmlNewDocNode(doc, NULL, X(name), NULL);
	char		t[21];

	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, X(SAML_NS_PROTO), X("samlp")));
	*saml = xmlNewNs(root, X(SAML_NS_ASSERT), X("saml"));
	saml_xml_fmt_time(now, t);
	xmlNewProp(root, X("ID"), X(id));
	xmlNewProp(root, X("Version"), X("2.0"));
	xmlNewProp(root, X("IssueInstant"), X(t));
	xmlNewProp(root, X("Destination"), X(dest));
	return root;
}

/* The root element serialized, malloc'd; frees doc. */
static char *
saml_req_dump(xmlDocPtr doc)
{
	xmlBufferPtr	 b = xmlBufferCreate();
	char		*s;

	if (b == NULL || xmlNodeDump(b, doc, xmlDocGetRootElement(doc), 0,
	    0) < 0)
		fatalx("xmlNodeDump");
	s = xstrdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	xmlFreeDoc(doc);
	return s;
}

char *
saml_request_authn_xml(const struct saml_authn *a, const char *id)
{
	xmlDocPtr	doc;
	xmlNodePtr	root, pol;
	xmlNsPtr	saml;

	saml_xml_init();
	doc = xmlNewDoc(X("1.0"));
	root = saml_req_root(doc, "AuthnRequest", id, a->destination, a->now,
	    &saml);
	xmlNewProp(root, X("AssertionConsumerServiceURL"), X(a->acs_url));
	xmlNewProp(root, X("ProtocolBinding"), X(SAML_BINDING_POST));
	xmlNewTextChild(root, saml, X("Issuer"), X(a->sp_entity_id));
	pol = xmlNewChild(root, root->ns, X("NameIDPolicy"), NULL);
	xmlNewProp(pol, X("Format"), X(a->name_id_format != NULL ?
	    a->name_id_format : SAML_NAMEID_PERSISTENT));
	xmlNewProp(pol, X("AllowCreate"), X("true"));
	return saml_req_dump(doc);
}

char *
saml_request_logout_xml(const struct saml_logout *l, const char *id)
{
	xmlDocPtr	doc;
	xmlNodePtr	root, n;
	xmlNsPtr	saml;

	saml_xml_init();
	doc = xmlNewDoc(X("1.0"));
	root = saml_req_root(doc, "LogoutRequest", id, l->destination,
	    l->now, &saml);
	xmlNewTextChild(root, saml, X("Issuer"), X(l->sp_entity_id));
	n = xmlNewTextChild(root, saml, X("NameID"), X(l->name_id));
	if (l->name_id_format != NULL)
		xmlNewProp(n, X("Format"), X(l->name_id_format));
	if (l->session_index != NULL)
		xmlNewTextChild(root, root->ns, X("SessionIndex"),
		    X(l->session_index));
	return saml_req_dump(doc);
}

/* Percent-encode all but RFC 3986's unreserved characters. */
static void
saml_req_urlenc(struct secbuf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	char			e[3];

	for (; *s != '\0'; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL) {
			secbuf_add(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[(unsigned char)*s >> 4];
		e[2] = hex[(unsigned char)*s & 15];
		secbuf_add(b, e, 3);
	}
}

/* Raw DEFLATE then base64. */
static char *
saml_req_deflate(const char *xml)
{
	z_stream	 z;
	uLong		 cap = compressBound((uLong)strlen(xml)) + 16;
	unsigned char	*out = xmalloc(cap);
	char		*b64;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		fatalx("deflateInit2");
	z.next_in = (Bytef *)(uintptr_t)xml;
	z.avail_in = (uInt)strlen(xml);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		fatalx("deflate");
	b64 = b64_encode(out, z.total_out);
	deflateEnd(&z);
	free(out);
	return b64;
}

/* base64 of the RSA-SHA256 signature of msg with the PEM key, or NULL. */
static char *
saml_req_sign(const char *pem, const char *msg)
{
	BIO		*bio;
	EVP_PKEY	*pk;
	EVP_MD_CTX	*ctx = NULL;
	unsigned char	*sig = NULL;
	size_t		 len = 0;
	char		*out = NULL;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pk == NULL || EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pk) != 1 ||
	    EVP_DigestSign(ctx, NULL, &len, (const unsigned char *)msg,
	    strlen(msg)) != 1)
		goto out;
	sig = xmalloc(len);
	if (EVP_DigestSign(ctx, sig, &len, (const unsigned char *)msg,
	    strlen(msg)) == 1)
		out = b64_encode(sig, len);
out:
	free(sig);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return out;
}

/* destination?SAMLRequest=..[&RelayState=..][&SigAlg=..&Signature=..] */
static char *
saml_req_redirect(const char *dest, const char *xml, const char *relay,
    const char *key)
{
	struct secbuf	 q = { NULL, 0, 0 };
	char		*b64, *sig, *url = NULL;

	b64 = saml_req_deflate(xml);
	secbuf_puts(&q, "SAMLRequest=");
	saml_req_urlenc(&q, b64);
	free(b64);
	if (relay != NULL) {
		secbuf_puts(&q, "&RelayState=");
		saml_req_urlenc(&q, relay);
	}
	if (key != NULL) {
		secbuf_puts(&q, "&SigAlg=");
		saml_req_urlenc(&q, SAML_SIGALG_RSA_SHA256);
		if ((sig = saml_req_sign(key, q.s)) == NULL)
			goto out;
		secbuf_puts(&q, "&Signature=");
		saml_req_urlenc(&q, sig);
		free(sig);
	}
	url = xasprintf("%s%c%s", dest, strchr(dest, '?') ? '&' : '?', q.s);
out:
	free(q.s);
	return url;
}

char *
saml_request_authn(const struct saml_authn *a, char id[42])
{
	char	*xml, *url;

	saml_req_id(id);
	xml = saml_request_authn_xml(a, id);
	url = saml_req_redirect(a->destination, xml, a->relay_state,
	    a->sign_key_pem);
	free(xml);
	return url;
}

char *
saml_request_logout(const struct saml_logout *l, char id[42])
{
	char	*xml, *url;

	saml_req_id(id);
	xml = saml_request_logout_xml(l, id);
	url = saml_req_redirect(l->destination, xml, l->relay_state,
	    l->sign_key_pem);
	free(xml);
	return url;
}

char *
saml_request_inflate(const char *b64, size_t *outlen)
{
	z_stream	 z;
	unsigned char	*in;
	char		*out = xmalloc(SAML_REQUEST_MAX + 1);
	size_t		 inlen;
	int		 rc;

	if (b64_decode(b64, &in, &inlen) == -1) {
		free(out);
		return NULL;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		fatalx("inflateInit2");
	z.next_in = in;
	z.avail_in = (uInt)inlen;
	z.next_out = (Bytef *)out;
	z.avail_out = SAML_REQUEST_MAX;
	rc = inflate(&z, Z_FINISH);
	*outlen = z.total_out;
	inflateEnd(&z);
	free(in);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	out[*outlen] = '\0';
	return out;
}
