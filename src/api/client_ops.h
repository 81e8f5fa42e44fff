/*
 * client_ops.h: what the app client operations share outside the API
 * (the demo pool's client is built by the same rules).
 */
#ifndef CLIENT_OPS_H
#define CLIENT_OPS_H

#include <jansson.h>

#include "util.h"

/*
 * CreateUserPoolClient's input (validated by its shape) as the stored
 * configuration and the custom scopes it names, with Cognito's
 * defaults: 0 (*cfg, *scopes new references), or -1 with the Cognito
 * exception in *etype and its message in *msg (malloc'd).
 */
int	client_ops_config(json_t *, json_t **, json_t **, const char **,
	    char **) MUST_CHECK;

#endif
