/*
 * qr.c: libqrencode's matrix as SVG: one path of unit squares (each dark
 * module an "h1v1h-1z" run), a four-module quiet zone, scaled by the
 * viewBox so the page decides the size. Error correction M.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "ui/qr.h"
#include "util.h"

#define QR_QUIET	4

/* The path data of the dark modules. */
static char *
qr_path(const QRcode *q)
{
	size_t	 cap = (size_t)q->width * (size_t)q->width * 24 + 1, len = 0;
	char	*d = xmalloc(cap);
	int	 x, y;

	d[0] = '\0';
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				len += (size_t)snprintf(d + len, cap - len,
				    "M%d %dh1v1h-1z", x + QR_QUIET,
				    y + QR_QUIET);
	return d;
}

char *
qr_svg(const char *text)
{
	QRcode	*q;
	char	*path, *svg;
	int	 size;

	q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (q == NULL)
		return NULL;
	size = q->width + 2 * QR_QUIET;
	path = qr_path(q);
	svg = xasprintf("<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"220\" height=\"220\" "
	    "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR "
	    "code for your authenticator app\"><rect width=\"%d\" "
	    "height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"%s\"/>"
	    "</svg>", size, size, size, size, path);
	free(path);
	QRcode_free(q);
	return svg;
}
