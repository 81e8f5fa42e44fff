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

/* EstimatedNumberOfUsers of the pool aliased p. */
#define POOL_ESTIMATED_USERS_SQL					\
	"(SELECT count(*) FROM users u WHERE u.pool_id = p.id)"

/* The select list pool_ops_describe() reads, over "pools p". */
#define POOL_COLUMNS							\
	"p.id, p.name, p.config, p.tags, p.mfa_config, p.created_at, "	\
	"p.modified_at, (SELECT d.domain FROM domains d WHERE "		\
	"d.pool_id = p.id AND d.kind = 'prefix') AS domain, "		\
	"(SELECT d.domain FROM domains d WHERE d.pool_id = p.id AND "	\
	"d.kind = 'custom') AS custom_domain, "				\
	POOL_ESTIMATED_USERS_SQL " AS estimated_users"

/* The full UserPoolType of a row selected with POOL_COLUMNS. */
json_t	*pool_ops_describe(const PGresult *, int);

#endif
