/*
 * password.h: password hashes with scrypt (libscrypt), kept as its MCF
 * string "$s1$PPPPPP$salt$hash" so the cost can rise later. Every call
 * here is slow on purpose: run it on a crypto worker thread, never on
 * the event loop.
 */
#ifndef PASSWORD_H
#define PASSWORD_H

#include "util.h"

/* The cost of new hashes (from conf: scrypt_log2_n, scrypt_r, scrypt_p). */
void	 password_set_cost(int, int, int);
/* A new MCF string for the password, malloc'd; NULL on failure. */
char	*password_hash(const char *);
/*
 * 1 when the password matches the MCF string, 0 when it does not, -1
 * when the string is malformed. The MCF string is not modified.
 */
int	 password_check(const char *, const char *) MUST_CHECK;
/* 1 when the hash was made with a lower cost than the current one. */
int	 password_needs_rehash(const char *);
/*
 * Spend as long as a real check does, against a fixed hash of the
 * current cost, so an unknown user answers in the same time.
 */
void	 password_dummy_check(const char *);

#endif
