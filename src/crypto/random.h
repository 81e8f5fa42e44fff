/* random.h: the OS CSPRNG, and identifiers drawn from it. */
#ifndef RANDOM_H
#define RANDOM_H

#include <stddef.h>

#include "util.h"

#define RANDOM_ALNUM	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define RANDOM_LOWER	"abcdefghijklmnopqrstuvwxyz0123456789"

void	 random_bytes(void *, size_t);
/* Fill out[0..len-1] uniformly from the alphabet and NUL-terminate. */
void	 random_string(char *, size_t, const char *);
/* A UUID v4 in its 36-character text form (out must hold 37). */
void	 random_uuid(char *);
/* The mbedTLS RNG callback, for key generation and TLS. */
int	 random_mbedtls(void *, unsigned char *, size_t);

#endif
