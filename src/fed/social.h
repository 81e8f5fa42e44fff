/*
 * social.h: what differs for the OAuth 2.0 providers that give no ID
 * token (ProviderType Facebook and LoginWithAmazon): their user comes
 * from their attributes_url, read with the access token. Facebook's
 * Graph API (/me?fields=) is asked for the id and the fields the
 * AttributeMapping reads, as Cognito does (attributes_url ending in
 * "fields=" means "append them"); Login with Amazon's profile comes
 * whole. The subject is Facebook's app-scoped id, Amazon's user_id.
 * Functions are prefixed social_.
 */
#ifndef FED_SOCIAL_H
#define FED_SOCIAL_H

#include <jansson.h>

#include "core/federation.h"
#include "util.h"

/* The field names sent to Facebook at most. */
#define SOCIAL_FIELDS_MAX	50

/* The URL of the user's attributes (malloc'd), NULL without one. */
char	*social_attributes_url(enum fed_type, json_t *, json_t *);
/*
 * The subject of the provider's answer (an object) into *subject
 * (malloc'd): 0, or -1 with *why (static) when it names no user.
 */
int	 social_subject(enum fed_type, json_t *, char **, const char **)
	    MUST_CHECK;

#endif
