/*
 * pool_ops.h: what the user pool operations share with other families.
 *
 * A pool row keeps the UserPoolType members as configured in pools.config
 * (jsonb; without Id, Name, Arn, dates, Domain, CustomDomain,
 * EstimatedNumberOfUsers and UserPoolTags, which come from columns or are
 * computed) and the MFA settings in pools.mfa_config, shaped like the
 * GetUserPoolMfaConfig answer: MfaConfiguration (always equal to
 * config->MfaConfiguration) and, when enabled, SmsMfaConfiguration,
 * SoftwareTokenMfaConfiguration, EmailMfaConfiguration and
 * WebAuthnConfiguration.
 */
#ifndef POOL_OPS_H
#define POOL_OPS_H

#include <jansson.h>
#include <libpq-fe.h>

#include "util.h"

/* The full UserPoolType of a row selected with DB_POOLS_COLUMNS. */
json_t	*pool_ops_describe(const PGresult *, int);

/*
 * CreateUserPool's input (validated by its shape; null members are
 * dropped from it) as the stored configuration and MFA settings, with
 * Cognito's defaults: 0, or -1 with *msg (malloc'd) for an
 * InvalidParameterException.
 */
int	 pool_ops_config_new(json_t *, json_t **, json_t **, char **)
	    MUST_CHECK;

#endif
