/*
 * render.h: pages of a pool domain as answers (render.c), below both the
 * hosted UI (ui/) and the OAuth2 endpoints (oauth/).
 */
#ifndef RENDER_H
#define RENDER_H

#include <jansson.h>

#include "util.h"

struct domain_req;

/* Load the templates of dir once, at start. */
int	 render_init(const char *, char **) MUST_CHECK;
void	 render_free(void);

/* Answer with template name rendered with ctx (stolen). */
void	 render_page(struct domain_req *, int, const char *, json_t *);
/* The error page with a message. */
void	 render_error(struct domain_req *, int, const char *);

#endif
