/*
 * admin_keys.h: access keys for the signed (admin) JSON API. The secret
 * is sealed under the master key at rest: SigV4 verification needs it in
 * clear, so it cannot be a one-way hash.
 */
#ifndef ADMIN_KEYS_H
#define ADMIN_KEYS_H

#include <stdio.h>

#include <libpq-fe.h>

#include "util.h"

/* Blocking: start-up and `userpoold admin-key`. */
int	admin_keys_create(PGconn *, const char *, char **, char **, char **)
	    MUST_CHECK;
int	admin_keys_list(PGconn *, FILE *, char **) MUST_CHECK;
int	admin_keys_delete(PGconn *, const char *, char **) MUST_CHECK;
int	admin_keys_count(PGconn *, int *, char **) MUST_CHECK;
int	admin_keys_write_credentials(const char *, const char *, const char *,
	    const char *, char **) MUST_CHECK;

/* Asynchronous lookup on the loop; the secret passed to cb is wiped after. */
typedef void	(*admin_key_cb)(void *, const char *secret, int found,
		    int failed);
void	admin_keys_lookup(const char *, admin_key_cb, void *);

#endif
