/*
 * codes.h: the secrets a user is sent or handed (verification codes,
 * refresh tokens, challenge sessions) and their digests. Only digests
 * reach the database: HMAC-SHA256 under a key derived from the master
 * key, over the purpose and the value, so a database dump reveals
 * neither and a 6-digit code cannot be brute-forced offline.
 */
#ifndef CODES_H
#define CODES_H

#include <stddef.h>

#include "util.h"

#define CODES_DIGITS		6
/* "\\x" and 64 hex digits: a bytea literal in text format. */
#define CODES_DIGEST_HEX	(2 + 64 + 1)

/* A random code of CODES_DIGITS decimal digits into out (NUL-ended). */
void	 codes_new(char out[CODES_DIGITS + 1]);
/*
 * A random URL-safe secret of n random bytes (base64url), malloc'd. It
 * never starts with '-': a Session or NextToken is pasted after an
 * option of the AWS CLI (--session VALUE), which takes a leading '-' for
 * an option of its own (one value in 64 before). Redrawing costs
 * log2(64/63) bits, nothing against n bytes.
 */
char	*codes_new_secret(size_t);
/* The digest of a secret for purpose, as a bytea text literal. */
void	 codes_digest_hex(const char *, const char *, char out[CODES_DIGEST_HEX]);
/*
 * The digest of a code for purpose, bound to a value when bound is not
 * NULL (an attribute's code verifies only the address it was sent to).
 */
void	 codes_digest_bound(const char *, const char *, const char *,
	    char out[CODES_DIGEST_HEX]);
/* Constant-time equality of two buffers of the same length: 1 or 0. */
int	 codes_equal(const void *, const void *, size_t);
/* Constant-time equality of two strings (length may leak). */
int	 codes_equal_str(const char *, const char *);
/* Forget the derived digest key (tests that load another master key). */
void	 codes_clear(void);

#endif
