/*
 * idp_config.h: the ProviderDetails and AttributeMapping of an
 * identity provider as Cognito takes and shows them, by provider type:
 * which keys each type needs and allows, the endpoints the presets
 * (Google, Facebook, LoginWithAmazon, SignInWithApple) fill in, which
 * keys are secrets kept apart (sealed) from the details, and what an
 * OIDC discovery document adds. Wire-neutral: a refusal is -1 with a
 * reason the caller reports as it must (the JSON API: an
 * InvalidParameterException). Functions are prefixed idp_config_.
 */
#ifndef FED_IDP_CONFIG_H
#define FED_IDP_CONFIG_H

#include <jansson.h>

#include "util.h"

/* A provider's configuration being built (owned). */
struct idp_config {
	json_t	*details;	/* as Describe shows them, secrets apart */
	json_t	*secrets;	/* the secret keys, an object (maybe {}) */
};

/* 1 when type is one of Cognito's provider types. */
int	idp_config_type_known(const char *);
/*
 * Build cfg from the given ProviderDetails of a provider named name of
 * type; kept (an update's stored secrets, or NULL) supplies secret keys
 * the input leaves out. Read-only keys are dropped, presets filled in.
 * -1 with *why (malloc'd) when a key is missing, unknown or invalid.
 */
int	idp_config_build(const char *, const char *, json_t *, json_t *,
	    struct idp_config *, char **) MUST_CHECK;
void	idp_config_clear(struct idp_config *);
/* The mapping with Cognito's default for username added (new ref). */
json_t	*idp_config_mapping(const char *, json_t *);
/*
 * The URL of the discovery document an OIDC provider needs (malloc'd),
 * NULL when it is no OIDC provider or every endpoint was given.
 */
char	*idp_config_discovery_url(const char *, json_t *);
/* Fill the endpoints the details lack from a discovery document. */
int	idp_config_discovered(json_t *, json_t *, char **) MUST_CHECK;
/*
 * The secrets of a stored provider (db/idps.h: struct db_idp's sealed)
 * opened: an object with client_secret or private_key, {} when there
 * are none. Wipe what is taken from it once used.
 */
json_t	*idp_config_open_secrets(const char *);
/* A SAML provider's MetadataURL, or NULL (borrowed). */
const char *idp_config_metadata_url(const char *, json_t *);

#endif
