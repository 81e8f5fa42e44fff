/*
 * keys.h: RSA-2048 signing keys of pools. Private parts are sealed
 * (AES-256-GCM under the master key) before they reach the database;
 * public parts are exported as JWK with the RFC 7638 thumbprint as kid.
 */
#ifndef KEYS_H
#define KEYS_H

#include <jansson.h>

#include "util.h"

struct pool_key {
	char	*kid;		/* RFC 7638 thumbprint, base64url */
	char	*private_pem;	/* PKCS#1 PEM; wiped by keys_free */
	char	*public_pem;	/* SPKI PEM */
	json_t	*jwk;		/* {"alg","e","kid","kty","n","use"} */
};

/* Slow (RSA key generation): call on a worker thread. */
int	 keys_generate(struct pool_key *, char **) MUST_CHECK;
void	 keys_free(struct pool_key *);
/* JWK and kid of a public key PEM. */
int	 keys_jwk_from_pem(const char *, json_t **, char **, char **)
	    MUST_CHECK;

/* The master key: 32 bytes read from (or created in) a file. */
int	 keys_master_load(const char *, int, char **) MUST_CHECK;
void	 keys_master_clear(void);
/* Seal/open a secret under the master key: "v1.<b64 nonce>.<b64 ct+tag>". */
char	*keys_seal(const void *, size_t);
int	 keys_open(const char *, unsigned char **, size_t *) MUST_CHECK;
/* A 32-byte key for one purpose: HMAC-SHA256 of the label, master key. */
void	 keys_master_derive(const char *, unsigned char[32]);

#endif
