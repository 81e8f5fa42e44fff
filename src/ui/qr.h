/*
 * qr.h: a QR code as inline SVG (libqrencode), for the authenticator
 * app set-up page: the otpauth:// URI, so a phone camera reads it.
 */
#ifndef QR_H
#define QR_H

/* The SVG of text (malloc'd), or NULL when it cannot be encoded. */
char	*qr_svg(const char *);

#endif
