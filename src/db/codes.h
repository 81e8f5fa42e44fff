/*
 * codes.h: the oauth_codes table (authorization codes): the statements
 * core/grants.c runs and the decoding of their rows. Codes are stored
 * as digests only (core/codes.c); functions are prefixed db_codes_
 * (codes_ is core/codes.c's).
 */
#ifndef DB_CODES_H
#define DB_CODES_H

#include <libpq-fe.h>

struct pg_batch;

/* A new code's row (strings borrowed; nonce and challenge may be NULL). */
struct db_code_new {
	const char	*digest;	/* hex digest of the code */
	const char	*pool_id;
	const char	*client_id;
	const char	*sub;
	const char	*redirect_uri;
	const char	*scopes;
	const char	*nonce;
	const char	*challenge;	/* the S256 code_challenge */
	long long	 auth_time;
	const char	*origin_jti;	/* the family its tokens will have */
};

/* A code as an exchange read it (strings point into the result). */
struct db_code {
	const char	*sub;
	const char	*redirect_uri;
	const char	*scopes;
	const char	*nonce;
	const char	*challenge;
	long long	 auth_time;
	const char	*origin_jti;
	int		 used;		/* used before this exchange */
	int		 expired;
	int		 spent_now;	/* this exchange marked it used */
};

void	db_codes_insert(struct pg_batch *, const struct db_code_new *);
/*
 * Read the code of digest for client and mark it used in the same
 * statement, only when it is unused, unexpired and its redirect_uri
 * and S256 challenge (NULL: none given) match.
 */
void	db_codes_take(struct pg_batch *, const char *, const char *,
	    const char *, const char *);
/* The row of db_codes_take: 0, or -1 when there is no such code. */
int	db_codes_taken(const PGresult *, struct db_code *);

#endif
