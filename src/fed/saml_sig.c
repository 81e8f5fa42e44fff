/*
 * saml_sig.c: signature verification and decryption for SAML responses
 * (see saml_sig.h), over xmlsec.
 *
 * Security decisions, against XML signature wrapping and algorithm
 * games:
 * - the key comes only from the metadata certificates: the dsig
 *   context has no keys manager, so a KeyInfo in the response is
 *   never used;
 * - a Signature must have exactly one Reference, whose URI is "#" and
 *   the ID of the very element it is a child of; after xmlsec accepts
 *   it, the document's ID table must still map that ID to that element
 *   (node pointers compared), so the signed bytes are the element the
 *   caller goes on to read;
 * - IDs exist only where saml_sig_register_id puts them (no DTD is
 *   allowed, so only xml:id could add one, and a clash fails);
 * - reference transforms are limited to enveloped-signature and
 *   exclusive c14n, digests to SHA-256 and SHA-1, SignedInfo's
 *   canonicalization to exclusive c14n, signatures to RSA with those
 *   digests, reference URIs to the same document, and Manifests are
 *   ignored;
 * - decryption takes RSA-OAEP for the key transport and AES (CBC or
 *   GCM) for the data, with the SP key given, never a key from the
 *   document.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/crypto.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>

#include "crypto/b64.h"
#include "fed/saml_sig.h"
#include "fed/saml_xml.h"

#define SAML_SIG_FAIL(e, k, ...) do {					\
	(e)->kind = (k);						\
	snprintf((e)->msg, sizeof((e)->msg), __VA_ARGS__);		\
} while (0)

#define SAML_ALG_ENVELOPED \
	"http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define SAML_ALG_EXC_C14N	"http://www.w3.org/2001/10/xml-exc-c14n#"
#define SAML_ALG_RSA_OAEP \
	"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"

int
saml_sig_register_id(xmlNodePtr e)
{
	xmlAttrPtr	 a, have;
	xmlChar		*id;
	int		 rc = -1;

	if ((a = xmlHasNsProp(e, (const xmlChar *)"ID", NULL)) == NULL ||
	    (id = xmlNodeListGetString(e->doc, a->children, 1)) == NULL)
		return -1;
	if (*id == '\0')
		goto out;
	if ((have = xmlGetID(e->doc, id)) != NULL)
		rc = have == a ? 0 : -1;
	else
		rc = xmlAddID(NULL, e->doc, id, a) != NULL ? 0 : -1;
out:
	xmlFree(id);
	return rc;
}

/* The shape of SignedInfo: one Reference to "#<target's ID>". */
static int
saml_sig_shape(xmlNodePtr target, xmlNodePtr sig, struct saml_error *err)
{
	xmlNodePtr	 si, ref, tr;
	char		*id, *uri, *alg;
	int		 ok, n = 0;

	si = saml_xml_child(sig, SAML_NS_DS, "SignedInfo");
	if (si == NULL || saml_xml_count(si, SAML_NS_DS, "Reference") != 1) {
		SAML_SIG_FAIL(err, SAML_WRAPPING, "a signature must have "
		    "exactly one Reference");
		return -1;
	}
	ref = saml_xml_child(si, SAML_NS_DS, "Reference");
	id = saml_xml_attr(target, "ID");
	uri = saml_xml_attr(ref, "URI");
	ok = id != NULL && uri != NULL && uri[0] == '#' &&
	    strcmp(uri + 1, id) == 0;
	free(id);
	free(uri);
	if (!ok) {
		SAML_SIG_FAIL(err, SAML_WRAPPING, "the signature's Reference "
		    "does not name the %s it is in", (const char *)
		    target->name);
		return -1;
	}
	tr = saml_xml_child(saml_xml_child(ref, SAML_NS_DS, "Transforms"),
	    SAML_NS_DS, "Transform");
	for (; tr != NULL; tr = saml_xml_next(tr, SAML_NS_DS, "Transform")) {
		alg = saml_xml_attr(tr, "Algorithm");
		ok = alg != NULL && (strcmp(alg, SAML_ALG_ENVELOPED) == 0 ||
		    strcmp(alg, SAML_ALG_EXC_C14N) == 0);
		free(alg);
		if (!ok || ++n > 2) {
			SAML_SIG_FAIL(err, SAML_SIGNATURE, "the signature "
			    "uses a transform that is not allowed");
			return -1;
		}
	}
	return 0;
}

/* Limit a dsig context to the algorithms listed in the file comment. */
static int
saml_sig_limit(xmlSecDSigCtxPtr ctx)
{
	ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	if (xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformEnvelopedId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformSha256Id) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformSha1Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformRsaSha256Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformRsaSha1Id) < 0)
		return -1;
	return 0;
}

/* The public key of a base64 DER certificate, or NULL. */
static xmlSecKeyPtr
saml_sig_cert_key(const char *cert)
{
	unsigned char	*der;
	size_t		 len;
	xmlSecKeyPtr	 key;

	if (b64_decode(cert, &der, &len) == -1)
		return NULL;
	key = xmlSecCryptoAppKeyLoadMemory(der, (xmlSecSize)len,
	    xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
	free(der);
	return key;
}

/* 1 when sig verifies with cert's key, 0 when not, -1 on an error. */
static int
saml_sig_try(xmlNodePtr sig, const char *cert)
{
	xmlSecDSigCtxPtr	ctx;
	xmlSecKeyPtr		key;
	int			rc = -1;

	if ((key = saml_sig_cert_key(cert)) == NULL)
		return -1;
	if ((ctx = xmlSecDSigCtxCreate(NULL)) == NULL) {
		xmlSecKeyDestroy(key);
		return -1;
	}
	ctx->signKey = key;
	if (saml_sig_limit(ctx) == 0 && xmlSecDSigCtxVerify(ctx, sig) == 0)
		rc = ctx->status == xmlSecDSigStatusSucceeded ? 1 : 0;
	xmlSecDSigCtxDestroy(ctx);
	return rc;
}

int
saml_sig_verify(xmlNodePtr target, xmlNodePtr sig, char *const *certs,
    size_t ncerts, struct saml_error *err)
{
	xmlAttrPtr	 a;
	xmlChar		*id;
	size_t		 i;
	int		 ok = 0;

	if (saml_sig_register_id(target) == -1) {
		SAML_SIG_FAIL(err, SAML_WRAPPING, "the signed %s has no ID "
		    "or one used twice", (const char *)target->name);
		return -1;
	}
	if (saml_sig_shape(target, sig, err) == -1)
		return -1;
	for (i = 0; i < ncerts && ok != 1; i++)
		ok = saml_sig_try(sig, certs[i]);
	if (ok != 1) {
		SAML_SIG_FAIL(err, SAML_SIGNATURE, "the %s signature does "
		    "not verify with the IdP's certificates", (const char *)
		    target->name);
		return -1;
	}
	/* What xmlsec hashed is the element the ID names: is it target? */
	id = xmlGetNoNsProp(target, (const xmlChar *)"ID");
	a = id != NULL ? xmlGetID(target->doc, id) : NULL;
	xmlFree(id);
	if (a == NULL || a->parent != target) {
		SAML_SIG_FAIL(err, SAML_WRAPPING, "the signature covers "
		    "another element than the %s read", (const char *)
		    target->name);
		return -1;
	}
	return 0;
}

/* Allow only the transforms listed on a transform context. */
static int
saml_sig_enable(xmlSecTransformCtxPtr t, const xmlSecTransformId *ids,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (xmlSecPtrListAdd(&t->enabledTransforms,
		    (void *)ids[i]) < 0)
			return -1;
	t->enabledUris = xmlSecTransformUriTypeNone;
	return 0;
}

/* The EncryptedKey: in EncryptedData's KeyInfo, or beside it. */
static xmlNodePtr
saml_sig_enc_key(xmlNodePtr ea, xmlNodePtr ed)
{
	xmlNodePtr	ek, em;
	char		*alg;
	int		 ok;

	ek = saml_xml_child(saml_xml_child(ed, SAML_NS_DS, "KeyInfo"),
	    SAML_NS_XENC, "EncryptedKey");
	if (ek == NULL)
		ek = saml_xml_child(ea, SAML_NS_XENC, "EncryptedKey");
	em = saml_xml_child(ek, SAML_NS_XENC, "EncryptionMethod");
	alg = em != NULL ? saml_xml_attr(em, "Algorithm") : NULL;
	ok = alg != NULL && strcmp(alg, SAML_ALG_RSA_OAEP) == 0;
	free(alg);
	return ok ? ek : NULL;
}

/* The AES key that EncryptedKey ek carries, unwrapped with the SP key. */
static xmlSecKeyPtr
saml_sig_unwrap(xmlNodePtr ek, const char *pem)
{
	xmlSecTransformId		 rsa[1];
	xmlSecEncCtxPtr			 ctx;
	xmlSecBufferPtr			 buf;
	xmlSecKeyPtr			 key = NULL, aes = NULL;

	rsa[0] = xmlSecTransformRsaOaepId;
	key = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)pem,
	    (xmlSecSize)strlen(pem), xmlSecKeyDataFormatPem, NULL, NULL, NULL);
	if (key == NULL || (ctx = xmlSecEncCtxCreate(NULL)) == NULL) {
		xmlSecKeyDestroy(key);
		return NULL;
	}
	ctx->encKey = key;
	ctx->mode = xmlEncCtxModeEncryptedKey;
	if (saml_sig_enable(&ctx->transformCtx, rsa, 1) == 0 &&
	    (buf = xmlSecEncCtxDecryptToBuffer(ctx, ek)) != NULL) {
		aes = xmlSecKeyReadMemory(xmlSecKeyDataAesId,
		    xmlSecBufferGetData(buf), xmlSecBufferGetSize(buf));
		wipe(xmlSecBufferGetData(buf), xmlSecBufferGetSize(buf));
	}
	xmlSecEncCtxDestroy(ctx);
	return aes;
}

int
saml_sig_decrypt(xmlNodePtr ea, const char *pem, struct saml_error *err)
{
	xmlSecTransformId	 aes[6];
	xmlNodePtr		 ed, ek;
	xmlSecEncCtxPtr		 ctx;
	xmlSecKeyPtr		 key;
	int			 rc = -1;

	aes[0] = xmlSecTransformAes128CbcId;
	aes[1] = xmlSecTransformAes192CbcId;
	aes[2] = xmlSecTransformAes256CbcId;
	aes[3] = xmlSecTransformAes128GcmId;
	aes[4] = xmlSecTransformAes192GcmId;
	aes[5] = xmlSecTransformAes256GcmId;
	if (saml_xml_count(ea, SAML_NS_XENC, "EncryptedData") != 1 ||
	    (ed = saml_xml_child(ea, SAML_NS_XENC, "EncryptedData")) == NULL ||
	    (ek = saml_sig_enc_key(ea, ed)) == NULL) {
		SAML_SIG_FAIL(err, SAML_DECRYPT, "the EncryptedAssertion "
		    "needs one EncryptedData and an RSA-OAEP EncryptedKey");
		return -1;
	}
	if ((key = saml_sig_unwrap(ek, pem)) == NULL ||
	    (ctx = xmlSecEncCtxCreate(NULL)) == NULL) {
		xmlSecKeyDestroy(key);
		SAML_SIG_FAIL(err, SAML_DECRYPT, "the assertion's key does "
		    "not decrypt with the SP key");
		return -1;
	}
	ctx->encKey = key;
	if (saml_sig_enable(&ctx->transformCtx, aes, nitems(aes)) == 0 &&
	    xmlSecEncCtxDecrypt(ctx, ed) == 0 && ctx->resultReplaced)
		rc = 0;
	else
		SAML_SIG_FAIL(err, SAML_DECRYPT, "the assertion does not "
		    "decrypt");
	xmlSecEncCtxDestroy(ctx);
	return rc;
}
