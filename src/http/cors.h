/* cors.h: CORS headers for browser callers of the JSON API and OAuth2. */
#ifndef CORS_H
#define CORS_H

struct req;

void	cors_add(struct req *);
void	cors_preflight(struct req *);

#endif
