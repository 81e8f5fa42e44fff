/* b64.h: base64 and base64url (no padding) over mbedTLS, and hex. */
#ifndef B64_H
#define B64_H

#include <stddef.h>

#include "util.h"

char	*b64_encode(const void *, size_t);
char	*b64url_encode(const void *, size_t);
/* Decode into a malloc'd buffer; -1 on malformed input. */
int	 b64_decode(const char *, unsigned char **, size_t *) MUST_CHECK;
int	 b64url_decode(const char *, unsigned char **, size_t *) MUST_CHECK;
/*
 * 1 when the len bytes at s are base64url without padding in the one
 * spelling that encoding produces (unused trailing bits zero), else 0.
 */
int	 b64url_canonical(const char *, size_t);
void	 hex_encode(const void *, size_t, char *);

#endif
