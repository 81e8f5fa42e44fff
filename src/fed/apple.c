/*
 * apple.c: Sign in with Apple's client secret and first-sign-in names
 * (see apple.h).
 *
 * The client secret is an ES256 JWS signed with OpenSSL's EVP interface:
 * the PEM key read with PEM_read_bio_PrivateKey (and refused unless it
 * is an EC key on P-256), the DER ECDSA-Sig-Value OpenSSL makes turned
 * into the r || s of 32 bytes each that JWS wants (RFC 7518 §3.4). A
 * secret is made for each token request and lives an hour, far inside
 * Apple's six months, so none is kept. The key text is the
 * caller's to wipe; the parsed key is freed at once.
 *
 * The `user` field comes through the browser, unsigned: only names are
 * taken from it (a person may call themself what they like), never an
 * address or anything that identifies the user.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/b64.h"
#include "fed/apple.h"
#include "util.h"

#define APPLE_P256_BYTES	32
#define APPLE_NAME_MAX		256

/* The PEM as an EC P-256 key, or NULL with *why. */
static EVP_PKEY *
apple_key_read(const char *pem, const char **why)
{
	BIO		*bio;
	EVP_PKEY	*pk;
	char		 group[32];
	size_t		 len = 0;

	if (pem == NULL || (bio = BIO_new_mem_buf(pem, -1)) == NULL) {
		*why = "there is no private_key";
		return NULL;
	}
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pk == NULL) {
		*why = "private_key is not a PEM private key";
		return NULL;
	}
	if (!EVP_PKEY_is_a(pk, "EC") || EVP_PKEY_get_utf8_string_param(pk,
	    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1 ||
	    strcmp(group, "prime256v1") != 0) {
		EVP_PKEY_free(pk);
		*why = "private_key is not an EC P-256 key";
		return NULL;
	}
	return pk;
}

/* The ES256 signature of input as base64url (malloc'd), or NULL. */
static char *
apple_sign(EVP_PKEY *pk, const char *input)
{
	EVP_MD_CTX		*md = EVP_MD_CTX_new();
	unsigned char		 der[80], raw[2 * APPLE_P256_BYTES];
	const unsigned char	*p = der;
	size_t			 der_len = sizeof der;
	ECDSA_SIG		*es = NULL;
	char			*out = NULL;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
	    pk) != 1 || EVP_DigestSign(md, der, &der_len,
	    (const unsigned char *)input, strlen(input)) != 1 ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, APPLE_P256_BYTES) !=
	    APPLE_P256_BYTES || BN_bn2binpad(ECDSA_SIG_get0_s(es),
	    raw + APPLE_P256_BYTES, APPLE_P256_BYTES) != APPLE_P256_BYTES)
		goto out;
	out = b64url_encode(raw, sizeof raw);
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	return out;
}

/* A JSON object as base64url (malloc'd); takes the reference. */
static char *
apple_part(json_t *j)
{
	char	*text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char	*out;

	json_decref(j);
	if (text == NULL)
		fatalx("apple_part: json_dumps");
	out = b64url_encode(text, strlen(text));
	free(text);
	return out;
}

char *
apple_client_secret(json_t *details, const char *pem, long long now,
    const char **why)
{
	const char	*cid = json_string_value(json_object_get(details,
			    "client_id"));
	const char	*team = json_string_value(json_object_get(details,
			    "team_id"));
	const char	*kid = json_string_value(json_object_get(details,
			    "key_id"));
	EVP_PKEY	*pk;
	char		*head, *body, *input, *sig, *out = NULL;

	if (cid == NULL || team == NULL || kid == NULL) {
		*why = "client_id, team_id or key_id is missing";
		return NULL;
	}
	if ((pk = apple_key_read(pem, why)) == NULL)
		return NULL;
	head = apple_part(json_pack("{s:s, s:s}", "alg", "ES256", "kid",
	    kid));
	body = apple_part(json_pack("{s:s, s:I, s:I, s:s, s:s}", "iss", team,
	    "iat", (json_int_t)now, "exp", (json_int_t)(now +
	    APPLE_SECRET_TTL), "aud", APPLE_AUDIENCE, "sub", cid));
	input = xasprintf("%s.%s", head, body);
	if ((sig = apple_sign(pk, input)) != NULL)
		out = xasprintf("%s.%s", input, sig);
	else
		*why = "the signature failed";
	EVP_PKEY_free(pk);
	free(head);
	free(body);
	free(input);
	free(sig);
	return out;
}

/* A name of the `user` field, when it is a reasonable string. */
static const char *
apple_name(json_t *name, const char *key)
{
	const char	*v = json_string_value(json_object_get(name, key));

	return v != NULL && *v != '\0' && strlen(v) <= APPLE_NAME_MAX ?
	    v : NULL;
}

void
apple_user_claims(const char *user, json_t *claims)
{
	json_t		*j, *name;
	const char	*first, *last;

	if (user == NULL || strlen(user) > APPLE_USER_MAX ||
	    (j = json_loads(user, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return;
	name = json_object_get(j, "name");
	first = apple_name(name, "firstName");
	last = apple_name(name, "lastName");
	if (first != NULL && json_object_get(claims, "firstName") == NULL)
		json_object_set_new(claims, "firstName", json_string(first));
	if (last != NULL && json_object_get(claims, "lastName") == NULL)
		json_object_set_new(claims, "lastName", json_string(last));
	if ((first != NULL || last != NULL) &&
	    json_object_get(claims, "name") == NULL)
		json_object_set_new(claims, "name", json_sprintf("%s%s%s",
		    first != NULL ? first : "", first != NULL && last != NULL ?
		    " " : "", last != NULL ? last : ""));
	json_decref(j);
}
