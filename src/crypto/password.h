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
 * password_check(mcf, password), the stored hash first: 1 when the
 * password matches the MCF string, 0 when it does not, -1 when the
 * string is malformed (or not an MCF string at all, as when the two
 * arguments are swapped). The MCF string is not modified.
 */
int	 password_check(const char *, const char *) MUST_CHECK;
/*
 * 1 when the hash was made with a lower cost than the current one (any
 * of log2 N, r, p below it); 0 for a malformed string.
 */
int	 password_needs_rehash(const char *);
/*
 * Spend as long as a real check does, against a fixed hash of the
 * current cost, so an unknown user answers in the same time.
 */
void	 password_dummy_check(const char *);

/*
 * Everything stored when a password is set: the scrypt hash and the SRP
 * salt (hex) and verifier (sealed: password_verifier_seal) for the
 * pool's name (the part of the pool id after '_') and the user's
 * internal username. Slow: a crypto thread.
 */
struct password_set {
	char	*hash;
	char	*srp_salt;
	char	*srp_verifier;
};

/* 0, or -1 when hashing failed (the struct is then empty). */
int	 password_make(struct password_set *, const char *, const char *,
	    const char *) MUST_CHECK;
void	 password_set_clear(struct password_set *);

/*
 * The stored form of an SRP verifier (users.srp_verifier and
 * devices.verifier): its hex
 * sealed under the master key (keys_seal). password_verifier_open gives
 * the hex back (malloc'd; wipe it) from either the sealed form or a
 * plain hex one written before verifiers were sealed; NULL when it is
 * neither or does not open.
 */
#define PASSWORD_SEALED_PREFIX	"v1."
char	*password_verifier_seal(const char *);
int	 password_verifier_sealed(const char *);
char	*password_verifier_open(const char *);

#endif
