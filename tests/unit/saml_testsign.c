/*
 * saml_testsign.c: test Responses signed by xmlsec1 (see
 * saml_testsign.h). The tool signs the first ds:Signature template in
 * document order, so a Response signed twice gets its Assertion's
 * signature first, then the Response's template put in and signed; an
 * encrypted Assertion is signed, encrypted, then the Response signed,
 * as IdPs do.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fed/saml_xml.h"
#include "saml_testsign.h"
#include "util.h"

#define TS_DS	"http://www.w3.org/2000/09/xmldsig#"
#define TS_ENV	TS_DS "enveloped-signature"
#define TS_EXC	"http://www.w3.org/2001/10/xml-exc-c14n#"

void
ts_defaults(struct ts_opts *o, const struct saml_testkey *key)
{
	memset(o, 0, sizeof(*o));
	o->key = key;
	o->sign_assertion = 1;
	o->resp_ref = "_r1";
	o->issuer = TS_IDP;
	o->audience = TS_SP;
	o->recipient = TS_ACS;
	o->destination = TS_ACS;
	o->irt = TS_REQ;
	o->status = "urn:oasis:names:tc:SAML:2.0:status:Success";
	o->sigalg = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
	o->digest = "http://www.w3.org/2001/04/xmlenc#sha256";
	o->transform = TS_EXC;
	o->nb = -60;
	o->noa = 300;
	o->scd_noa = 300;
}

char *
ts_replace(char *s, const char *find, const char *repl)
{
	char	*p, *out;

	if ((p = strstr(s, find)) == NULL)
		fatalx("ts_replace: \"%s\" not found", find);
	out = xasprintf("%.*s%s%s", (int)(p - s), s, repl, p + strlen(find));
	free(s);
	return out;
}

static char *
ts_sig(const struct ts_opts *o, const char *ref)
{
	return xasprintf("<ds:Signature xmlns:ds=\"" TS_DS "\"><ds:SignedInfo>"
	    "<ds:CanonicalizationMethod Algorithm=\"" TS_EXC "\"/>"
	    "<ds:SignatureMethod Algorithm=\"%s\"/><ds:Reference URI=\"#%s\">"
	    "<ds:Transforms><ds:Transform Algorithm=\"" TS_ENV "\"/>"
	    "<ds:Transform Algorithm=\"%s\"/></ds:Transforms>"
	    "<ds:DigestMethod Algorithm=\"%s\"/><ds:DigestValue/>"
	    "</ds:Reference></ds:SignedInfo><ds:SignatureValue/>"
	    "</ds:Signature>", o->sigalg, ref, o->transform, o->digest);
}

static char *
ts_assertion(const struct ts_opts *o, const char *sig)
{
	char	now[21], nb[21], noa[21], scd[21];

	saml_xml_fmt_time(TS_NOW, now);
	saml_xml_fmt_time(TS_NOW + o->nb, nb);
	saml_xml_fmt_time(TS_NOW + o->noa, noa);
	saml_xml_fmt_time(TS_NOW + o->scd_noa, scd);
	return xasprintf("<saml:Assertion xmlns:saml=\"" SAML_NS_ASSERT "\" "
	    "ID=\"_a1\" Version=\"2.0\" IssueInstant=\"%s\"><saml:Issuer>%s"
	    "</saml:Issuer>%s<saml:Subject><saml:NameID Format=\"urn:oasis:"
	    "names:tc:SAML:1.1:nameid-format:emailAddress\">alice@example.com"
	    "</saml:NameID><saml:SubjectConfirmation Method=\"urn:oasis:names"
	    ":tc:SAML:2.0:cm:bearer\"><saml:SubjectConfirmationData %s%s%s "
	    "Recipient=\"%s\" NotOnOrAfter=\"%s\"/></saml:SubjectConfirmation>"
	    "</saml:Subject><saml:Conditions NotBefore=\"%s\" NotOnOrAfter="
	    "\"%s\"><saml:AudienceRestriction><saml:Audience>%s</saml:Audience>"
	    "</saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement "
	    "AuthnInstant=\"%s\" SessionIndex=\"_s1\"><saml:AuthnContext><saml:"
	    "AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:"
	    "Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:"
	    "AuthnStatement><saml:AttributeStatement><saml:Attribute Name="
	    "\"email\"><saml:AttributeValue>alice@example.com</saml:"
	    "AttributeValue></saml:Attribute><saml:Attribute Name=\"groups\">"
	    "<saml:AttributeValue>a</saml:AttributeValue><saml:AttributeValue>"
	    "b</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>"
	    "</saml:Assertion>", now, o->issuer, sig, o->irt ? "InResponseTo="
	    "\"" : "", o->irt ? o->irt : "", o->irt ? "\"" : "", o->recipient,
	    scd, nb, noa, o->audience, now);
}

static char *
ts_response(const struct ts_opts *o, const char *assertion)
{
	char	now[21];

	saml_xml_fmt_time(TS_NOW, now);
	return xasprintf("<samlp:Response xmlns:samlp=\"" SAML_NS_PROTO "\" "
	    "xmlns:saml=\"" SAML_NS_ASSERT "\" ID=\"_r1\" Version=\"2.0\" "
	    "IssueInstant=\"%s\" Destination=\"%s\"%s%s%s><saml:Issuer>%s"
	    "</saml:Issuer><samlp:Status><samlp:StatusCode Value=\"%s\"/>"
	    "</samlp:Status>%s%s%s</samlp:Response>", now, o->destination,
	    o->irt ? " InResponseTo=\"" : "", o->irt ? o->irt : "",
	    o->irt ? "\"" : "", o->issuer, o->status,
	    o->sp ? "<saml:EncryptedAssertion>" : "", assertion,
	    o->sp ? "</saml:EncryptedAssertion>" : "");
}

/* Write s to a temporary file named in path. */
static void
ts_write(char *path, const char *s)
{
	int	fd;

	strlcpy(path, "/tmp/saml_ts_XXXXXX", 32);
	if ((fd = mkstemp(path)) == -1)
		fatal("mkstemp");
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		fatal("write");
	close(fd);
}

/* Run xmlsec1 with args (%1$s: input, %2$s: output); the output text. */
static char *
ts_xmlsec(const char *in, const char *args)
{
	char	 ip[32], op[32], *cmd, *out, *why;
	size_t	 len;

	ts_write(ip, in);
	ts_write(op, "");
	cmd = xasprintf(args, ip, op);
	if (system(cmd) != 0)
		fatalx("xmlsec1 failed: %s", cmd);
	if (read_file(op, &out, &len, &why) == -1)
		fatalx("read %s: %s", op, why);
	unlink(ip);
	unlink(op);
	free(cmd);
	return out;
}

static char *
ts_sign(const char *xml, const struct saml_testkey *k)
{
	char	*args, *out;

	args = xasprintf("xmlsec1 --sign --privkey-pem %s,%s --id-attr:ID "
	    SAML_NS_PROTO ":Response --id-attr:ID " SAML_NS_ASSERT
	    ":Assertion --output %%2$s %%1$s 2>/dev/null", k->key_file,
	    k->cert_file);
	out = ts_xmlsec(xml, args);
	free(args);
	return out;
}

static char *
ts_encrypt(const char *xml, const struct saml_testkey *sp)
{
	char	 tp[32], *args, *out;

	ts_write(tp, "<xenc:EncryptedData xmlns:xenc=\"" SAML_NS_XENC "\" Type"
	    "=\"" SAML_NS_XENC "Element\"><xenc:EncryptionMethod Algorithm=\""
	    SAML_NS_XENC "aes256-cbc\"/><ds:KeyInfo xmlns:ds=\"" TS_DS "\">"
	    "<xenc:EncryptedKey><xenc:EncryptionMethod Algorithm=\""
	    SAML_NS_XENC "rsa-oaep-mgf1p\"/><xenc:CipherData><xenc:"
	    "CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>"
	    "<xenc:CipherData><xenc:CipherValue/></xenc:CipherData>"
	    "</xenc:EncryptedData>");
	args = xasprintf("xmlsec1 --encrypt --pubkey-cert-pem %s "
	    "--session-key aes-256-cbc --xml-data %%1$s --node-xpath "
	    "\"//*[local-name()='Assertion']\" --output %%2$s %s "
	    "2>/dev/null", sp->cert_file, tp);
	out = ts_xmlsec(xml, args);
	unlink(tp);
	free(args);
	return out;
}

char *
ts_build(const struct ts_opts *o)
{
	char	*sig, *a, *r, *s;

	sig = o->sign_assertion ? ts_sig(o, "_a1") : xstrdup("");
	a = ts_assertion(o, sig);
	r = ts_response(o, a);
	free(sig);
	free(a);
	if (o->sign_assertion) {
		s = ts_sign(r, o->key);
		free(r);
		r = s;
	}
	if (o->sp != NULL) {
		s = ts_encrypt(r, o->sp);
		free(r);
		r = s;
	}
	if (o->sign_resp) {
		sig = ts_sig(o, o->resp_ref);
		a = xasprintf("</saml:Issuer>%s<samlp:Status>", sig);
		r = ts_replace(r, "</saml:Issuer><samlp:Status>", a);
		free(sig);
		free(a);
		s = ts_sign(r, o->key);
		free(r);
		r = s;
	}
	return r;
}
