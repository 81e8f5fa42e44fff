/*
 * branding.h: the hosted UI's customization (CSS and logo) served.
 */
#ifndef BRANDING_H
#define BRANDING_H

struct domain_req;
struct req;

/* GET <base>/ui/custom.css and <base>/ui/logo on a pool domain. */
void	 branding_css(struct domain_req *);
void	 branding_logo(struct domain_req *);
/*
 * GET /<pool>/ui/<client or ALL>/logo on the API host (ImageUrl): 1 when
 * the path is one (and the request is being answered), else 0.
 */
int	 branding_api_logo(struct req *);

#endif
