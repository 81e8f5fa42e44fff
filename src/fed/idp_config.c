/*
 * idp_config.c: ProviderDetails by provider type (see idp_config.h).
 *
 * One row per provider type says what its details need and allow and
 * which endpoints its preset fills in; one table of keys says which
 * values a key takes. Secret keys (client_secret, SignInWithApple's
 * private_key) are taken out of the details into their own object,
 * which the caller seals; Describe shows client_secret again, as
 * Cognito does, but never private_key (fed/apple.c signs Apple's
 * client secrets with it; a key that cannot sign fails the sign-in). Every endpoint may be given by
 * hand, which is how a deployment (or a test) points a preset at a
 * stand-in; each must be https, or http to a loopback host.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "fed/discovery.h"
#include "fed/fetch.h"
#include "fed/idp_config.h"
#include "util.h"

#define IDP_FACEBOOK_VERSION	"v17.0"

struct idp_kv {
	const char	*key;
	const char	*value;		/* "{v}" stands for api_version */
};

struct idp_type {
	const char		*name;
	int			 social;	/* named after its type */
	const char *const	*required;
	const char *const	*optional;
	const struct idp_kv	*presets;
	const char		*username;	/* default mapping source */
};

static const char *const idp_oidc_required[] = { "client_id",
	"authorize_scopes", "oidc_issuer", "attributes_request_method", NULL };
static const char *const idp_oidc_optional[] = { "client_secret",
	"authorize_url", "token_url", "attributes_url", "jwks_uri", NULL };
static const char *const idp_social_required[] = { "client_id",
	"client_secret", "authorize_scopes", NULL };
static const char *const idp_social_optional[] = { "authorize_url",
	"token_url", "attributes_url", "oidc_issuer", "jwks_uri",
	"token_request_method", NULL };
static const char *const idp_facebook_optional[] = { "api_version",
	"authorize_url", "token_url", "attributes_url", "token_request_method",
	NULL };
static const char *const idp_apple_required[] = { "client_id", "team_id",
	"key_id", "private_key", "authorize_scopes", NULL };
static const char *const idp_saml_optional[] = { "MetadataURL",
	"MetadataFile", "IDPSignout", "EncryptedResponses",
	"RequestSigningAlgorithm", "IDPInit", NULL };
static const char *const idp_none[] = { NULL };

static const struct idp_kv idp_google_presets[] = {
	{ "authorize_url", "https://accounts.google.com/o/oauth2/v2/auth" },
	{ "token_url", "https://www.googleapis.com/oauth2/v4/token" },
	{ "attributes_url",
	    "https://people.googleapis.com/v1/people/me?personFields=" },
	{ "attributes_url_add_attributes", "true" },
	{ "oidc_issuer", "https://accounts.google.com" },
	{ "token_request_method", "POST" },
	{ NULL, NULL }
};
static const struct idp_kv idp_facebook_presets[] = {
	{ "api_version", IDP_FACEBOOK_VERSION },
	{ "authorize_url", "https://www.facebook.com/{v}/dialog/oauth" },
	{ "token_url", "https://graph.facebook.com/{v}/oauth/access_token" },
	{ "attributes_url", "https://graph.facebook.com/{v}/me?fields=" },
	{ "attributes_url_add_attributes", "true" },
	{ "token_request_method", "GET" },
	{ NULL, NULL }
};
static const struct idp_kv idp_amazon_presets[] = {
	{ "authorize_url", "https://www.amazon.com/ap/oa" },
	{ "token_url", "https://api.amazon.com/auth/o2/token" },
	{ "attributes_url", "https://api.amazon.com/user/profile" },
	{ "attributes_url_add_attributes", "false" },
	{ "token_request_method", "POST" },
	{ NULL, NULL }
};
static const struct idp_kv idp_apple_presets[] = {
	{ "authorize_url", "https://appleid.apple.com/auth/authorize" },
	{ "token_url", "https://appleid.apple.com/auth/token" },
	{ "oidc_issuer", "https://appleid.apple.com" },
	{ "jwks_uri", "https://appleid.apple.com/auth/keys" },
	{ "attributes_url_add_attributes", "false" },
	{ "token_request_method", "POST" },
	{ NULL, NULL }
};
static const struct idp_kv idp_oidc_presets[] = {
	{ "attributes_url_add_attributes", "false" },
	{ NULL, NULL }
};
static const struct idp_kv idp_no_presets[] = { { NULL, NULL } };

static const struct idp_type idp_types[] = {
	{ "OIDC", 0, idp_oidc_required, idp_oidc_optional, idp_oidc_presets,
	  "sub" },
	{ "Google", 1, idp_social_required, idp_social_optional,
	  idp_google_presets, "sub" },
	{ "Facebook", 1, idp_social_required, idp_facebook_optional,
	  idp_facebook_presets, "id" },
	{ "LoginWithAmazon", 1, idp_social_required, idp_social_optional,
	  idp_amazon_presets, "user_id" },
	{ "SignInWithApple", 1, idp_apple_required, idp_social_optional,
	  idp_apple_presets, "sub" },
	{ "SAML", 0, idp_none, idp_saml_optional, idp_no_presets, NULL },
};

/* Keys Cognito sets itself: dropped from input (Describe round trips). */
static const char *const idp_read_only[] = { "attributes_url_add_attributes",
	"SSORedirectBindingURI", "SLORedirectBindingURI",
	"ActiveEncryptionCertificate", NULL };
/* Keys kept apart and sealed. */
static const char *const idp_secret_keys[] = { "client_secret",
	"private_key", NULL };
/* Keys whose value is an endpoint URL. */
static const char *const idp_url_keys[] = { "authorize_url", "token_url",
	"attributes_url", "jwks_uri", "oidc_issuer", "MetadataURL", NULL };

static const char *const idp_methods[] = { "GET", "POST", NULL };
static const char *const idp_bools[] = { "true", "false", NULL };
static const char *const idp_algorithms[] = { "rsa-sha256", NULL };

/* The values some keys take. */
static const struct {
	const char		*key;
	const char *const	*values;
} idp_values[] = {
	{ "attributes_request_method", idp_methods },
	{ "token_request_method", idp_methods },
	{ "IDPSignout", idp_bools },
	{ "EncryptedResponses", idp_bools },
	{ "IDPInit", idp_bools },
	{ "RequestSigningAlgorithm", idp_algorithms },
};

/* What discovery fills in: (details key, discovery member). */
static const struct idp_kv idp_discovered[] = {
	{ "authorize_url", "authorization_endpoint" },
	{ "token_url", "token_endpoint" },
	{ "attributes_url", "userinfo_endpoint" },
	{ "jwks_uri", "jwks_uri" },
	{ NULL, NULL }
};
/* Without these an OIDC provider cannot be used. */
static const char *const idp_oidc_needed[] = { "authorize_url", "token_url",
	"jwks_uri", NULL };

static int
idp_in(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static const struct idp_type *
idp_type_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(idp_types); i++)
		if (strcmp(idp_types[i].name, name) == 0)
			return &idp_types[i];
	return NULL;
}

int
idp_config_type_known(const char *name)
{
	return name != NULL && idp_type_find(name) != NULL;
}

static int
idp_fail(char **why, char *msg)
{
	*why = msg;
	return -1;
}

/* 0 when the value of key k is one it may take. */
static int
idp_check_value(const char *k, const char *v, char **why)
{
	size_t	i;

	if (idp_in(idp_url_keys, k) && fetch_url_allowed(v) != 0)
		return idp_fail(why, xasprintf("%s must be an https URL "
		    "(http only to a loopback host): %s", k, v));
	for (i = 0; i < nitems(idp_values); i++)
		if (strcmp(idp_values[i].key, k) == 0 &&
		    !idp_in(idp_values[i].values, v))
			return idp_fail(why, xasprintf("%s cannot be %s.",
			    k, v));
	return 0;
}

/* Sort the input into details and secrets, refusing unknown keys. */
static int
idp_sort(const struct idp_type *t, json_t *given, struct idp_config *c,
    char **why)
{
	const char	*k, *v;
	json_t		*jv;

	json_object_foreach(given, k, jv) {
		if (idp_in(idp_read_only, k))
			continue;
		if (!idp_in(t->required, k) && !idp_in(t->optional, k))
			return idp_fail(why, xasprintf("%s is not a "
			    "ProviderDetails key of a %s provider.", k,
			    t->name));
		if (!json_is_string(jv) || (v = json_string_value(jv)) == NULL)
			return idp_fail(why, xasprintf("%s must be a string.",
			    k));
		if (*v == '\0' || idp_check_value(k, v, why) != 0)
			return *v == '\0' ? idp_fail(why, xasprintf("%s "
			    "cannot be empty.", k)) : -1;
		json_object_set(idp_in(idp_secret_keys, k) ? c->secrets :
		    c->details, k, jv);
	}
	return 0;
}

/* A preset value with {v} replaced by the api_version. */
static json_t *
idp_preset(const char *value, json_t *details)
{
	const char	*v = json_string_value(json_object_get(details,
	    "api_version"));
	const char	*at = strstr(value, "{v}");

	if (at == NULL)
		return json_string(value);
	return json_sprintf("%.*s%s%s", (int)(at - value), value,
	    v != NULL ? v : IDP_FACEBOOK_VERSION, at + 3);
}

static int
idp_complete(const struct idp_type *t, struct idp_config *c, char **why)
{
	const char *const	*k;
	const struct idp_kv	*p;
	int			 url, file;

	for (k = t->required; *k != NULL; k++)
		if (json_object_get(c->details, *k) == NULL &&
		    json_object_get(c->secrets, *k) == NULL)
			return idp_fail(why, xasprintf("%s is required for a "
			    "%s provider.", *k, t->name));
	for (p = t->presets; p->key != NULL; p++)
		if (json_object_get(c->details, p->key) == NULL)
			json_object_set_new(c->details, p->key,
			    idp_preset(p->value, c->details));
	if (strcmp(t->name, "SAML") != 0)
		return 0;
	url = json_object_get(c->details, "MetadataURL") != NULL;
	file = json_object_get(c->details, "MetadataFile") != NULL;
	if (url == file)
		return idp_fail(why, xstrdup(url ? "Give either MetadataURL or "
		    "MetadataFile, not both." : "MetadataURL or MetadataFile "
		    "is required for a SAML provider."));
	return 0;
}

int
idp_config_build(const char *type, const char *name, json_t *given,
    json_t *kept, struct idp_config *c, char **why)
{
	const struct idp_type	*t = idp_type_find(type);
	const char		*k;
	json_t			*v;

	c->details = json_object();
	c->secrets = json_object();
	*why = NULL;
	if (t == NULL)
		return idp_fail(why, xasprintf("Unknown provider type %s.",
		    type));
	if (t->social && strcmp(name, t->name) != 0)
		return idp_fail(why, xasprintf("Provider %s cannot be of type "
		    "%s.", name, t->name));
	if (idp_sort(t, given, c, why) != 0)
		return -1;
	json_object_foreach(kept, k, v)
		if (json_object_get(c->secrets, k) == NULL &&
		    (idp_in(t->required, k) || idp_in(t->optional, k)))
			json_object_set(c->secrets, k, v);
	return idp_complete(t, c, why);
}

void
idp_config_clear(struct idp_config *c)
{
	json_decref(c->details);
	json_decref(c->secrets);
	c->details = c->secrets = NULL;
}

json_t *
idp_config_mapping(const char *type, json_t *given)
{
	const struct idp_type	*t = idp_type_find(type);
	json_t			*m = json_is_object(given) ?
	    json_deep_copy(given) : json_object();

	if (t != NULL && t->username != NULL &&
	    json_object_get(m, "username") == NULL)
		json_object_set_new(m, "username", json_string(t->username));
	return m;
}

char *
idp_config_discovery_url(const char *type, json_t *details)
{
	const char *const	*k;
	const char		*issuer;

	if (strcmp(type, "OIDC") != 0 || (issuer = json_string_value(
	    json_object_get(details, "oidc_issuer"))) == NULL)
		return NULL;
	for (k = idp_oidc_needed; *k != NULL; k++)
		if (json_object_get(details, *k) == NULL)
			return discovery_url(issuer);
	return NULL;
}

/* Two issuers are one when they differ only by a final '/'. */
static int
idp_same_issuer(const char *a, const char *b)
{
	size_t	na = strlen(a), nb = strlen(b);

	while (na > 0 && a[na - 1] == '/')
		na--;
	while (nb > 0 && b[nb - 1] == '/')
		nb--;
	return na == nb && strncmp(a, b, na) == 0;
}

int
idp_config_discovered(json_t *details, json_t *doc, char **why)
{
	const char		*issuer, *found, *v;
	const struct idp_kv	*p;
	const char *const	*k;

	issuer = json_string_value(json_object_get(details, "oidc_issuer"));
	found = json_string_value(json_object_get(doc, "issuer"));
	if (issuer == NULL || found == NULL || !idp_same_issuer(issuer, found))
		return idp_fail(why, xasprintf("The discovery document names "
		    "issuer %s, not %s.", found != NULL ? found : "(none)",
		    issuer != NULL ? issuer : "(none)"));
	for (p = idp_discovered; p->key != NULL; p++) {
		if (json_object_get(details, p->key) != NULL ||
		    (v = json_string_value(json_object_get(doc,
		    p->value))) == NULL)
			continue;
		if (fetch_url_allowed(v) != 0)
			return idp_fail(why, xasprintf("The discovery document "
			    "gives %s %s, which is not https.", p->value, v));
		json_object_set_new(details, p->key, json_string(v));
	}
	for (k = idp_oidc_needed; *k != NULL; k++)
		if (json_object_get(details, *k) == NULL)
			return idp_fail(why, xasprintf("The discovery document "
			    "gives no %s.", *k));
	return 0;
}

const char *
idp_config_metadata_url(const char *type, json_t *details)
{
	if (strcmp(type, "SAML") != 0)
		return NULL;
	return json_string_value(json_object_get(details, "MetadataURL"));
}

json_t *
idp_config_open_secrets(const char *sealed)
{
	unsigned char	*plain;
	size_t		 len;
	json_t		*j = NULL;

	if (sealed != NULL && keys_open(sealed, &plain, &len) == 0) {
		j = json_loadb((const char *)plain, len, 0, NULL);
		wipe(plain, len);
		free(plain);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}
