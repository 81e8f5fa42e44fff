/*
 * random.c: every random byte the daemon uses comes from getrandom(2),
 * the kernel CSPRNG, so there is no user-space generator to seed, fork
 * or lock. Identifiers drawn from an alphabet use rejection sampling:
 * a byte that would make some letters likelier than others (the top
 * 256 % n values) is thrown away rather than reduced modulo n.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "random.h"
#include "util.h"

/* Fill buf with len random bytes; a failing kernel RNG is fatal. */
void
random_bytes(void *buf, size_t len)
{
	unsigned char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		p += n;
		len -= (size_t)n;
	}
}

void
random_string(char *out, size_t len, const char *alphabet)
{
	unsigned char	 pool[64];
	size_t		 n = strlen(alphabet), limit, i = 0;
	size_t		 have = 0, used = 0;

	if (n == 0 || n > 256)
		fatalx("random_string: alphabet of %zu letters", n);
	limit = 256 - (256 % n);
	while (i < len) {
		if (used == have) {
			random_bytes(pool, sizeof pool);
			have = sizeof pool;
			used = 0;
		}
		if (pool[used] < limit)
			out[i++] = alphabet[pool[used] % n];
		used++;
	}
	out[len] = '\0';
	wipe(pool, sizeof pool);
}

void
random_uuid(char *out)
{
	unsigned char	b[16];

	random_bytes(b, sizeof b);
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The f_rng callback mbedTLS expects; getrandom cannot fail softly. */
int
random_mbedtls(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	random_bytes(buf, len);
	return 0;
}
