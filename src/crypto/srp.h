/*
 * srp.h: Cognito's SRP-6a (USER_SRP_AUTH, DEVICE_SRP_AUTH) on the
 * server side, over the 3072-bit group of RFC 3526 with g = 2 and
 * SHA-256. Every number crosses this interface as hex text: input in
 * any case, of any length up to SRP_HEX_MAX, odd or even; output in
 * lowercase "padHex" form (the minimal big-endian bytes, with a 0x00
 * byte in front when the top bit is set), the form Cognito's clients
 * hash and send. Output strings are malloc'd; b and the verifier are
 * secrets: wipe_free() them.
 *
 * A user's pair is (group, name) = (pool name, the part of the pool id
 * after '_'; USER_ID_FOR_SRP, the internal username); a device's is
 * (DeviceGroupKey, DeviceKey). The calls are slow (modular
 * exponentiation) but thread-safe: run them on a crypto worker.
 */
#ifndef SRP_H
#define SRP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define SRP_HEX_MAX		1024	/* longest hex number accepted */
#define SRP_SALT_BYTES		16
#define SRP_SECRET_BITS		256	/* size of the server's b */
#define SRP_TIMESTAMP_SIZE	32	/* "Sun Oct 6 13:37:50 UTC 2024" */

/* What PASSWORD_CLAIM_SIGNATURE signs, apart from the key. */
struct srp_claim {
	const char		*group;	/* pool name or DeviceGroupKey */
	const char		*name;	/* USER_ID_FOR_SRP or DeviceKey */
	const unsigned char	*secret_block;	/* decoded SECRET_BLOCK */
	size_t			 secret_block_len;
	const char		*timestamp;	/* TIMESTAMP as sent */
};

/*
 * A new random salt (16 bytes, in padHex form, so a leading zero byte
 * is dropped as clients drop it) and the verifier g^x mod N of the
 * password, where x = H(salt | H(group | name | ":" | password)).
 */
void	 srp_verifier_new(const char *group, const char *name,
	    const char *password, char **salt, char **verifier);
/* The verifier for a given salt; -1 when the salt is not hex. */
int	 srp_verifier(const char *group, const char *name,
	    const char *password, const char *salt, char **verifier)
	    MUST_CHECK;
/*
 * PreventUserExistenceErrors: a salt and a verifier for a user that
 * does not exist, derived from a server key and (pool id, normalised
 * username), so that every attempt sees the same SALT. No password
 * matches the verifier; pass it to srp_server_start() and
 * srp_server_verify() like a real one, which costs the same time.
 */
void	 srp_fake_user(const unsigned char *key, size_t keylen,
	    const char *pool_id, const char *username, char **salt,
	    char **verifier);

/*
 * Round 1 (PASSWORD_VERIFIER, DEVICE_PASSWORD_VERIFIER): check the
 * client's SRP_A, draw b and compute SRP_B = k*v + g^b mod N. -1 when A
 * or the verifier is malformed or out of range (A mod N == 0, A >= N).
 */
int	 srp_server_start(const char *verifier, const char *A, char **b,
	    char **B) MUST_CHECK;
/*
 * Round 2: 1 when the claimed signature (base64) is the one the key of
 * this exchange gives for the claim, 0 when it is not (or is no base64
 * of 32 bytes), -1 when A, B, b or the verifier is malformed or out of
 * range, or u is 0. The comparison takes constant time.
 */
int	 srp_server_verify(const char *verifier, const char *A,
	    const char *B, const char *b, const struct srp_claim *,
	    const char *signature) MUST_CHECK;

/*
 * TIMESTAMP ("Sun Oct 6 13:37:50 UTC 2024"; a day padded with a space
 * or a zero is accepted) to epoch seconds; -1 when malformed. The
 * caller checks the skew.
 */
int	 srp_timestamp_parse(const char *, int64_t *) MUST_CHECK;
void	 srp_timestamp_format(int64_t, char [SRP_TIMESTAMP_SIZE]);
/* Any hex number in padHex form (as SALT for a device); NULL if bad. */
char	*srp_pad_hex(const char *);

/*
 * For tests and benchmarks only: the values of one exchange, in padHex
 * form (K is 16 bytes of key in plain hex), and the client's side.
 */
struct srp_values {
	char	*u;
	char	*S;
	char	 K[33];
};

void	 srp_values_clear(struct srp_values *);
/* B = k*v + g^b mod N for a given b. */
int	 srp_server_b(const char *verifier, const char *b, char **B)
	    MUST_CHECK;
int	 srp_server_values(const char *verifier, const char *A,
	    const char *B, const char *b, struct srp_values *) MUST_CHECK;
/* The client's A = g^a mod N for its secret a. */
int	 srp_client_start(const char *a, char **A) MUST_CHECK;
/*
 * The client's PASSWORD_CLAIM_SIGNATURE (base64) for the claim, from
 * the password, SALT, its a and SRP_B; values, when not NULL, receives
 * u, S and K as the client computes them.
 */
int	 srp_client_sign(const char *password, const char *salt,
	    const char *a, const char *B, const struct srp_claim *,
	    char **signature, struct srp_values *values) MUST_CHECK;

#endif
