/*
 * signin.c: the app client side of signing in: the client and its pool
 * decoded from SIGNIN_CLIENT_SQL, SECRET_HASH, and the client's
 * PreventUserExistenceErrors setting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "core/codes.h"
#include "core/json_cache.h"
#include "core/signin.h"
#include "crypto/b64.h"
#include "crypto/keys.h"
#include "db/pg.h"
#include "util.h"

int
signin_client_from_row(struct signin_client *sc, const char *client_id,
    const PGresult *res, int row, int col)
{
	const char	*sealed = pg_val(res, row, col + 2);
	unsigned char	*secret;
	size_t		 len;

	memset(sc, 0, sizeof *sc);
	sc->client_id = xstrdup(client_id);
	sc->pool_id = xstrdup(pg_val(res, row, col));
	sc->config = json_cache_load(JSON_CACHE_CLIENT, client_id,
	    pg_val(res, row, col + 1));
	sc->pool_config = json_cache_load(JSON_CACHE_POOL, sc->pool_id,
	    pg_val(res, row, col + 3));
	sc->pool_mfa = json_cache_load(JSON_CACHE_POOL_MFA, sc->pool_id,
	    pg_val(res, row, col + 4));
	if (sc->config == NULL || sc->pool_config == NULL ||
	    sc->pool_mfa == NULL)
		return -1;
	if (sealed == NULL)
		return 0;
	if (keys_open(sealed, &secret, &len) != 0)
		return -1;
	sc->secret = xstrndup((const char *)secret, len);
	wipe(secret, len);
	free(secret);
	return 0;
}

void
signin_client_clear(struct signin_client *sc)
{
	free(sc->client_id);
	free(sc->pool_id);
	json_decref(sc->config);
	json_decref(sc->pool_config);
	json_decref(sc->pool_mfa);
	if (sc->secret != NULL)
		wipe_free(sc->secret);
	memset(sc, 0, sizeof *sc);
}

/* Base64(HMAC-SHA256(secret, username | client id)), malloc'd. */
static char *
signin_secret_hash(const struct signin_client *sc, const char *username)
{
	const mbedtls_md_info_t	*md;
	mbedtls_md_context_t	 ctx;
	unsigned char		 mac[32];

	md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_init(&ctx);
	if (mbedtls_md_setup(&ctx, md, 1) != 0)
		fatalx("signin_secret_hash: md setup");
	mbedtls_md_hmac_starts(&ctx, (const unsigned char *)sc->secret,
	    strlen(sc->secret));
	mbedtls_md_hmac_update(&ctx, (const unsigned char *)username,
	    strlen(username));
	mbedtls_md_hmac_update(&ctx, (const unsigned char *)sc->client_id,
	    strlen(sc->client_id));
	mbedtls_md_hmac_finish(&ctx, mac);
	mbedtls_md_free(&ctx);
	return b64_encode(mac, sizeof mac);
}

int
signin_check_secret_hash(const struct signin_client *sc, const char *username,
    const char *given, const char **etype, char **emsg)
{
	char	*want;
	int	 ok;

	*etype = "NotAuthorizedException";
	if (sc->secret == NULL) {
		if (given == NULL)
			return 0;
		*etype = "InvalidParameterException";
		*emsg = xasprintf("App client %s is not configured for secret "
		    "but secret hash was received", sc->client_id);
		return -1;
	}
	if (given == NULL) {
		*emsg = xasprintf("Client %s is configured for secret but "
		    "secret was not received", sc->client_id);
		return -1;
	}
	want = signin_secret_hash(sc, username != NULL ? username : "");
	ok = codes_equal_str(want, given);
	free(want);
	if (ok)
		return 0;
	*emsg = xasprintf("Unable to verify secret hash for client %s",
	    sc->client_id);
	return -1;
}

int
signin_hide_existence(const struct signin_client *sc)
{
	const char	*v = json_string_value(json_object_get(sc->config,
			    "PreventUserExistenceErrors"));

	return v != NULL && strcmp(v, "ENABLED") == 0;
}
