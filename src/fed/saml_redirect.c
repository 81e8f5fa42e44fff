/*
 * saml_redirect.c: the query signature of an HTTP-Redirect message
 * (see saml_redirect.h). The signed text is rebuilt from the raw query
 * as sent, never from decoded and re-encoded values: encoders differ
 * (case of %xx, which characters they escape), and the signature is
 * over the sender's bytes. Only rsa-sha256 is taken. The key comes
 * from the IdP's metadata certificates alone, never from the message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "crypto/b64.h"
#include "fed/saml_redirect.h"
#include "fed/saml_request.h"
#include "util.h"

/* The raw value of name in query, its length in *n; NULL when absent. */
static const char *
saml_redirect_raw(const char *q, const char *name, size_t *n)
{
	size_t		 nl = strlen(name), len;
	const char	*p, *end;

	for (p = q; p != NULL && *p != '\0'; p = end != NULL ? end + 1 :
	    NULL) {
		end = strchr(p, '&');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			*n = len - nl - 1;
			return p + nl + 1;
		}
	}
	return NULL;
}

/* A raw value URL-decoded (malloc'd), or NULL. */
static char *
saml_redirect_decode(const char *raw, size_t n)
{
	char	*s = xstrndup(raw, n);
	char	*d = evhttp_uridecode(s, 1, NULL);

	free(s);
	return d;
}

/* 0 when one of the metadata's certificates made sig over hash. */
static int
saml_redirect_by_meta(const struct saml_meta *m, const unsigned char *hash,
    const unsigned char *sig, size_t siglen)
{
	mbedtls_x509_crt	 crt;
	unsigned char		*der;
	size_t			 i, n;
	int			 ok = -1;

	for (i = 0; i < m->nsigning && ok != 0; i++) {
		if (b64_decode(m->signing[i], &der, &n) != 0)
			continue;
		mbedtls_x509_crt_init(&crt);
		if (mbedtls_x509_crt_parse_der(&crt, der, n) == 0 &&
		    mbedtls_pk_can_do(&crt.pk, MBEDTLS_PK_RSA) &&
		    mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, hash, 32, sig,
		    siglen) == 0)
			ok = 0;
		mbedtls_x509_crt_free(&crt);
		free(der);
	}
	return ok;
}

int
saml_redirect_verify(const char *query, const char *what,
    const struct saml_meta *m, char *why, size_t len)
{
	const char	*msg, *relay, *alg, *sig;
	size_t		 mn, rn = 0, an, sn, siglen = 0;
	char		*text = NULL, *algd = NULL, *sigd = NULL;
	unsigned char	 hash[32], *sigb = NULL;
	int		 rc = -1;

	msg = saml_redirect_raw(query, what, &mn);
	relay = saml_redirect_raw(query, "RelayState", &rn);
	alg = saml_redirect_raw(query, "SigAlg", &an);
	sig = saml_redirect_raw(query, "Signature", &sn);
	if (msg == NULL || alg == NULL || sig == NULL) {
		snprintf(why, len, "the message is not signed");
		return -1;
	}
	algd = saml_redirect_decode(alg, an);
	sigd = saml_redirect_decode(sig, sn);
	if (algd == NULL || strcmp(algd, SAML_SIGALG_RSA_SHA256) != 0) {
		snprintf(why, len, "the signature algorithm is not rsa-sha256");
		goto out;
	}
	if (sigd == NULL || b64_decode(sigd, &sigb, &siglen) != 0) {
		snprintf(why, len, "the signature cannot be read");
		goto out;
	}
	text = relay != NULL ? xasprintf("%s=%.*s&RelayState=%.*s&SigAlg=%.*s",
	    what, (int)mn, msg, (int)rn, relay, (int)an, alg) :
	    xasprintf("%s=%.*s&SigAlg=%.*s", what, (int)mn, msg, (int)an, alg);
	if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    (const unsigned char *)text, strlen(text), hash) != 0 ||
	    saml_redirect_by_meta(m, hash, sigb, siglen) != 0) {
		snprintf(why, len, "the signature does not verify with the "
		    "identity provider's certificates");
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(algd);
	free(sigd);
	free(sigb);
	return rc;
}
