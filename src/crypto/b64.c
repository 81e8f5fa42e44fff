/*
 * b64.c: base64 (RFC 4648 §4) and base64url without padding (§5, as JOSE
 * uses it) over mbedTLS, and lowercase hex. Decoding is strict: the
 * input is checked against its alphabet before mbedTLS sees it, because
 * mbedTLS skips line breaks and spaces, which an API value must not
 * carry. Padding is optional on input for both alphabets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "b64.h"
#include "util.h"

char *
b64_encode(const void *src, size_t len)
{
	size_t	 cap = 4 * ((len + 2) / 3) + 1, olen;
	char	*out = xmalloc(cap);

	if (mbedtls_base64_encode((unsigned char *)out, cap, &olen, src,
	    len) != 0)
		fatalx("mbedtls_base64_encode");
	out[olen] = '\0';
	return out;
}

char *
b64url_encode(const void *src, size_t len)
{
	char	*out = b64_encode(src, len), *p;

	for (p = out; *p != '\0'; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=') {
			*p = '\0';
			break;
		}
	}
	return out;
}

static int
b64_letter(char c, int url)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	if (url)
		return c == '-' || c == '_';
	return c == '+' || c == '/';
}

/*
 * Copy src into a standard-alphabet, padded buffer, or return NULL if
 * it holds a letter outside the alphabet, misplaced padding, or a
 * length no encoding can produce.
 */
static char *
b64_normalise(const char *src, int url)
{
	size_t	 len = strlen(src), data, i;
	char	*buf;

	for (data = 0; data < len && b64_letter(src[data], url); data++)
		;
	for (i = data; i < len; i++)
		if (src[i] != '=')
			return NULL;
	if (data % 4 == 1 || len - data > 2 ||
	    (len != data && len % 4 != 0))
		return NULL;
	buf = xmalloc(data + 4);
	for (i = 0; i < data; i++) {
		buf[i] = src[i];
		if (url && buf[i] == '-')
			buf[i] = '+';
		else if (url && buf[i] == '_')
			buf[i] = '/';
	}
	while (i % 4 != 0)
		buf[i++] = '=';
	buf[i] = '\0';
	return buf;
}

static int
b64_decode_common(const char *src, int url, unsigned char **out,
    size_t *outlen)
{
	char		*norm;
	unsigned char	*buf;
	size_t		 len, cap, olen;

	if ((norm = b64_normalise(src, url)) == NULL)
		return -1;
	len = strlen(norm);
	cap = 3 * (len / 4) + 1;
	buf = xmalloc(cap);
	if (mbedtls_base64_decode(buf, cap, &olen, (unsigned char *)norm,
	    len) != 0) {
		free(norm);
		free(buf);
		return -1;
	}
	free(norm);
	buf[olen] = '\0';
	*out = buf;
	*outlen = olen;
	return 0;
}

int
b64_decode(const char *src, unsigned char **out, size_t *outlen)
{
	return b64_decode_common(src, 0, out, outlen);
}

int
b64url_decode(const char *src, unsigned char **out, size_t *outlen)
{
	return b64_decode_common(src, 1, out, outlen);
}

/* The value of a base64url letter (checked by the caller). */
static int
b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '-' ? 62 : 63;
}

int
b64url_canonical(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (!b64_letter(s[i], 1))
			return 0;
	switch (len % 4) {
	case 0:
		return 1;
	case 2:	/* one byte: the last letter's low 4 bits are padding */
		return (b64url_value(s[len - 1]) & 0x0f) == 0;
	case 3:	/* two bytes: its low 2 bits are */
		return (b64url_value(s[len - 1]) & 0x03) == 0;
	default:
		return 0;
	}
}

/* Lowercase hex of len bytes; out must hold 2 * len + 1. */
void
hex_encode(const void *src, size_t len, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	const unsigned char	*p = src;
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}
