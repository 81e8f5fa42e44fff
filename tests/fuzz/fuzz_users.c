/*
 * fuzz_users.c: the parsers of issue 3 that read untrusted input. The
 * first byte picks one: a ListUsers Filter, a bearer token (header and
 * claims peeked, then verified against a fixed key), or a UserAttributes
 * list validated against a pool schema with custom attributes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/filter.h"
#include "core/users.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char	*fuzz_schema =
	"{\"UsernameAttributes\": [\"email\"],"
	" \"AliasAttributes\": [],"
	" \"SchemaAttributes\": ["
	"  {\"Name\": \"sub\", \"AttributeDataType\": \"String\","
	"   \"Mutable\": false, \"Required\": true},"
	"  {\"Name\": \"email\", \"AttributeDataType\": \"String\","
	"   \"Mutable\": true, \"Required\": true},"
	"  {\"Name\": \"email_verified\", \"AttributeDataType\": \"Boolean\","
	"   \"Mutable\": true},"
	"  {\"Name\": \"phone_number\", \"AttributeDataType\": \"String\","
	"   \"Mutable\": true},"
	"  {\"Name\": \"updated_at\", \"AttributeDataType\": \"Number\","
	"   \"Mutable\": true, \"NumberAttributeConstraints\":"
	"   {\"MinValue\": \"0\"}},"
	"  {\"Name\": \"custom:plan\", \"AttributeDataType\": \"String\","
	"   \"Mutable\": true, \"StringAttributeConstraints\":"
	"   {\"MinLength\": \"1\", \"MaxLength\": \"8\"}},"
	"  {\"Name\": \"custom:age\", \"AttributeDataType\": \"Number\","
	"   \"Mutable\": false, \"NumberAttributeConstraints\":"
	"   {\"MinValue\": \"0\", \"MaxValue\": \"150\"}}]}";

static json_t		*fuzz_pool;
static struct pool_key	 fuzz_key;

static void
fuzz_filter(const char *s)
{
	struct filter	 f;
	char		*msg = NULL;

	memset(&f, 0, sizeof f);
	if (filter_parse_pool(s, 2, 0, &f, &msg) == 0)
		filter_clear(&f);
	free(msg);
}

static void
fuzz_token(const char *s)
{
	json_t	*claims;
	char	*cause = NULL;

	free(jwt_peek_kid(s));
	if ((claims = jwt_verify(s, fuzz_key.public_pem, &cause)) != NULL)
		json_decref(claims);
	free(cause);
}

static void
fuzz_attributes(const char *s)
{
	struct users_rules	 rules;
	json_t			*list, *attrs;
	enum core_err_kind	 kind;
	char			*msg = NULL;

	if ((list = json_loads(s, 0, NULL)) == NULL)
		return;
	users_rules_init(&rules, fuzz_pool);
	attrs = json_pack("{s:s}", "email", "a@example.com");
	if (users_apply_attributes(&rules, attrs, list, USERS_CREATE_SELF,
	    NULL, &kind, &msg) != 0)
		free(msg);
	msg = NULL;
	if (users_apply_attributes(&rules, attrs, list, USERS_UPDATE_SELF,
	    NULL, &kind, &msg) != 0)
		free(msg);
	msg = NULL;
	if (users_check_required(&rules, attrs, &kind, &msg) != 0)
		free(msg);
	json_decref(attrs);
	json_decref(list);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *cause = NULL;

	if (fuzz_pool == NULL) {
		fuzz_pool = json_loads(fuzz_schema, 0, NULL);
		if (fuzz_pool == NULL || keys_generate(&fuzz_key, &cause) != 0)
			abort();
	}
	if (size < 1)
		return 0;
	s = xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		fuzz_filter(s);
		break;
	case 1:
		fuzz_token(s);
		break;
	default:
		fuzz_attributes(s);
		break;
	}
	free(s);
	return 0;
}
