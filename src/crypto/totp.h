/*
 * totp.h: time-based one-time passwords (RFC 6238 over RFC 4226's HOTP,
 * HMAC-SHA1, 30-second steps from the Unix epoch), as authenticator
 * apps and Cognito's software tokens use them, and the RFC 4648 base32
 * text their secrets travel in (AssociateSoftwareToken's SecretCode,
 * otpauth:// URIs). Thread-safe, no state.
 */
#ifndef TOTP_H
#define TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define TOTP_SECRET_BYTES	20	/* 160 bits, as RFC 4226 advises */
#define TOTP_STEP		30
#define TOTP_DIGITS		6
#define TOTP_DIGITS_MAX		9	/* 31 bits of truncation */
#define TOTP_DRIFT		1	/* steps accepted either side */

/* A new random secret. */
void	 totp_secret_new(unsigned char [TOTP_SECRET_BYTES]);
/* Base32 of len bytes: upper case, no padding; malloc'd. */
char	*totp_base32_encode(const void *, size_t);
/*
 * Decode base32 into a malloc'd buffer: either case, padding optional
 * but, when present, complete; -1 on any other character or on a
 * length or trailing bits no encoder produces.
 */
int	 totp_base32_decode(const char *, unsigned char **, size_t *)
	    MUST_CHECK;
/* The step of epoch time t: floor(t / 30). */
int64_t	 totp_step(int64_t);
/*
 * The code for a step with digits digits (1..TOTP_DIGITS_MAX),
 * zero-padded, into out (digits + 1 bytes).
 */
void	 totp_code(const unsigned char *key, size_t keylen, int64_t step,
	    int digits, char *out);
/*
 * Check a 6-digit code at time now against the steps now - 1, now and
 * now + 1, skipping any step at or before last_step (the last one used,
 * so a code is not accepted twice; 0 when none was). Returns the
 * matching step, to store as the new last_step, or -1.
 */
int64_t	 totp_verify(const unsigned char *key, size_t keylen,
	    const char *code, int64_t now, int64_t last_step) MUST_CHECK;

#endif
