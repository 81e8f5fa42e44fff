/*
 * fuzz_api.c: the JSON API input path. The first line of the input
 * names the operation (as after "AWSCognitoIdentityProviderService."),
 * the rest is the body: it is parsed within the nesting limit and
 * checked against the operation's input shape, as api.c does before any
 * handler sees it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/shape.h"
#include "conf.h"
#include "http/request.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const	ops[] = {
	"CreateUserPool", "UpdateUserPool", "DescribeUserPool",
	"ListUserPools", "AddCustomAttributes", "SetUserPoolMfaConfig",
	"CreateUserPoolClient", "UpdateUserPoolClient",
	"ListUserPoolClients", "CreateUserPoolDomain",
	"CreateResourceServer", "UpdateResourceServer", "TagResource",
	"UntagResource", "SetUICustomization", "AdminCreateUser",
	"AdminUpdateUserAttributes", "ListUsers", "SignUp", "ConfirmSignUp",
	"InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge",
	"GetTokensFromRefreshToken", "RevokeToken", "UpdateUserAttributes",
	"CreateGroup", "ListUsersInGroup", "ChangePassword",
	"CreateIdentityProvider", "UpdateIdentityProvider",
	"AdminLinkProviderForUser",
};

static void
fuzz_check(const struct api_op *op, const uint8_t *body, size_t len)
{
	const char	*type;
	char		*msg = NULL;
	json_t		*in;

	if ((in = req_parse_json(body, len, 32, &msg)) == NULL) {
		free(msg);
		return;
	}
	if (op != NULL && op->input != NULL &&
	    shape_check(op->input, in, &type, &msg) != 0)
		free(msg);
	json_decref(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t		*nl = memchr(data, '\n', size);
	const struct api_op	*op;
	char			*name;
	size_t			 i;

	if (nl == NULL) {
		/* no name: try the body against every operation */
		for (i = 0; i < nitems(ops); i++)
			fuzz_check(api_find(ops[i]), data, size);
		return 0;
	}
	name = xstrndup((const char *)data, nl - data);
	op = api_find(name);
	free(name);
	fuzz_check(op, nl + 1, size - (nl + 1 - data));
	return 0;
}
