/*
 * saml_sp.c: the SP metadata document (see saml_sp.h), built with
 * libxml2's tree API so the values are escaped by the serializer. The
 * element order follows the metadata schema's SPSSODescriptor:
 * KeyDescriptor, SingleLogoutService, NameIDFormat,
 * AssertionConsumerService.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "fed/saml_request.h"
#include "fed/saml_sp.h"
#include "fed/saml_xml.h"
#include "util.h"

#define X(s)	((const xmlChar *)(s))

char *
saml_sp_entity_id(const char *pool_id)
{
	return xasprintf("urn:amazon:cognito:sp:%s", pool_id);
}

char *
saml_sp_acs_url(const char *base)
{
	return xasprintf("%s/saml2/idpresponse", base);
}

char *
saml_sp_slo_url(const char *base)
{
	return xasprintf("%s/saml2/logout", base);
}

/* A KeyDescriptor of the given use holding one X509Certificate. */
static void
saml_sp_key(xmlNodePtr sso, const char *use, const char *cert)
{
	xmlNodePtr	kd, ki, xd;
	xmlNsPtr	ds;

	kd = xmlNewChild(sso, sso->ns, X("KeyDescriptor"), NULL);
	xmlNewProp(kd, X("use"), X(use));
	ki = xmlNewChild(kd, NULL, X("KeyInfo"), NULL);
	ds = xmlNewNs(ki, X(SAML_NS_DS), X("ds"));
	xmlSetNs(ki, ds);
	xd = xmlNewChild(ki, ds, X("X509Data"), NULL);
	xmlNewTextChild(xd, ds, X("X509Certificate"), X(cert));
}

/* An endpoint element with its Binding and Location. */
static xmlNodePtr
saml_sp_endpoint(xmlNodePtr sso, const char *name, const char *binding,
    const char *url)
{
	xmlNodePtr	e = xmlNewChild(sso, sso->ns, X(name), NULL);

	xmlNewProp(e, X("Binding"), X(binding));
	xmlNewProp(e, X("Location"), X(url));
	return e;
}

char *
saml_sp_metadata(const struct saml_sp *sp)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, sso, acs;
	xmlChar		*mem;
	char		*id, *acs_url, *slo_url, *s;
	int		 len;

	saml_xml_init();
	doc = xmlNewDoc(X("1.0"));
	id = saml_sp_entity_id(sp->pool_id);
	acs_url = saml_sp_acs_url(sp->base_url);
	slo_url = saml_sp_slo_url(sp->base_url);
	root = xmlNewDocNode(doc, NULL, X("EntityDescriptor"), NULL);
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, X(SAML_NS_MD), X("md")));
	xmlNewProp(root, X("entityID"), X(id));
	sso = xmlNewChild(root, root->ns, X("SPSSODescriptor"), NULL);
	xmlNewProp(sso, X("AuthnRequestsSigned"), X(sp->authn_signed ?
	    "true" : "false"));
	xmlNewProp(sso, X("WantAssertionsSigned"), X("true"));
	xmlNewProp(sso, X("protocolSupportEnumeration"), X(SAML_NS_PROTO));
	if (sp->signing_cert != NULL)
		saml_sp_key(sso, "signing", sp->signing_cert);
	if (sp->encryption_cert != NULL)
		saml_sp_key(sso, "encryption", sp->encryption_cert);
	saml_sp_endpoint(sso, "SingleLogoutService", SAML_BINDING_REDIRECT,
	    slo_url);
	xmlNewTextChild(sso, sso->ns, X("NameIDFormat"),
	    X(SAML_NAMEID_PERSISTENT));
	acs = saml_sp_endpoint(sso, "AssertionConsumerService",
	    SAML_BINDING_POST, acs_url);
	xmlNewProp(acs, X("index"), X("1"));
	xmlNewProp(acs, X("isDefault"), X("true"));
	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	s = xstrndup((const char *)mem, (size_t)len);
	xmlFree(mem);
	xmlFreeDoc(doc);
	free(id);
	free(acs_url);
	free(slo_url);
	return s;
}
