/*
 * pool_ops.c: the user pool operations of the JSON API: CreateUserPool,
 * DescribeUserPool, UpdateUserPool, DeleteUserPool, ListUserPools,
 * AddCustomAttributes, SetUserPoolMfaConfig and GetUserPoolMfaConfig.
 *
 * A pool is stored as its configured UserPoolType members (pools.config),
 * its MFA settings (pools.mfa_config), its tags and its two RS256 signing
 * keys (pool_keys, one for ID tokens and one for access tokens). Cognito's
 * defaults are written into the configuration when the pool is created,
 * so what DescribeUserPool returns is exactly what was stored plus the
 * computed members (Id, Arn, dates, domains, user count); one function,
 * pool_ops_describe(), builds that answer for Create and Describe.
 *
 * UpdateUserPool has AWS's replacement semantics: a member it does not
 * name goes back to its default, except those that cannot change after
 * creation (schema, sign-in attributes, username case sensitivity) and
 * the tier. Read-modify-write operations load the row, change it in C and
 * write it back only if modified_at still holds the value they loaded, so
 * two concurrent updates cannot silently lose one another: the loser gets
 * ConcurrentModificationException and may retry.
 *
 * CreateUserPool builds the configuration here (pool_ops_config_new,
 * which the demo pool also uses) and has core/pools.c make the pool:
 * its signing keys on the crypto threads (RSA key generation is slow),
 * then the pool and both keys in one transaction.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/pool_ops.h"
#include "api/shape.h"
#include "conf.h"
#include "core/pools.h"
#include "core/task.h"
#include "db/pg.h"
#include "db/pools.h"
#include "hooks/triggers.h"
#include "http/request.h"
#include "log.h"
#include "util.h"

#define POOL_MAX_CUSTOM		50	/* custom attributes per pool */
#define POOL_MAX_ATTR_LEN	2048	/* StringAttributeConstraints bound */

/* ---------------------------------------------------------------- */
/* Input shapes, from the service model (botocore cognito-idp).      */

#define S_INT(lo, hi)	{ .kind = SHAPE_INT, .min = (lo), .max = (hi), \
	.has_min = 1, .has_max = 1 }
#define S_ENUM(e)	{ .kind = SHAPE_STRING, .enums = (e) }
#define S_STRUCT(m)	{ .kind = SHAPE_STRUCT, .members = (m) }
#define S_LIST(it)	{ .kind = SHAPE_LIST, .item = (it) }
#define S_LIST_N(it, lo, hi) { .kind = SHAPE_LIST, .item = (it), \
	.min = (lo), .max = (hi), .has_min = 1, .has_max = 1 }
#define S_PAT(lo, hi, fn, pat) { .kind = SHAPE_STRING, .min = (lo), \
	.max = (hi), .has_min = 1, .has_max = 1, .check = (fn), \
	.pattern = (pat) }

#define P_TEXT	"\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}"
#define P_ARN	"arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:" \
	"[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?"

static int	pool_check_trigger(const char *);
static int	pool_check_text(const char *);
static int	pool_check_code(const char *);
static int	pool_check_sms_code(const char *);
static int	pool_check_link(const char *);
static int	pool_check_email(const char *);
static int	pool_check_ses_set(const char *);

static const char *const pool_e_deletion[] = { "ACTIVE", "INACTIVE", NULL };
static const char *const pool_e_mfa[] = { "OFF", "ON", "OPTIONAL", NULL };
static const char *const pool_e_verified[] = {
	"phone_number", "email", NULL };
static const char *const pool_e_alias[] = {
	"phone_number", "email", "preferred_username", NULL };
static const char *const pool_e_email_option[] = {
	"CONFIRM_WITH_LINK", "CONFIRM_WITH_CODE", NULL };
static const char *const pool_e_sending[] = {
	"COGNITO_DEFAULT", "DEVELOPER", NULL };
static const char *const pool_e_datatype[] = {
	"String", "Number", "DateTime", "Boolean", NULL };
static const char *const pool_e_security[] = {
	"OFF", "AUDIT", "ENFORCED", NULL };
static const char *const pool_e_security_on[] = { "AUDIT", "ENFORCED", NULL };
static const char *const pool_e_recovery[] = {
	"verified_email", "verified_phone_number", "admin_only", NULL };
static const char *const pool_e_tier[] = {
	"LITE", "ESSENTIALS", "PLUS", NULL };
static const char *const pool_e_factor[] = {
	"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN", NULL };
static const char *const pool_e_v1[] = { "V1_0", NULL };
static const char *const pool_e_pretoken[] = {
	"V1_0", "V2_0", "V3_0", NULL };
static const char *const pool_e_uv[] = { "required", "preferred", NULL };
static const char *const pool_e_webauthn[] = {
	"SINGLE_FACTOR", "MULTI_FACTOR_WITH_USER_VERIFICATION", NULL };

static const struct shape pool_s_bool = { .kind = SHAPE_BOOL };
static const struct shape pool_s_string = {
	.kind = SHAPE_STRING, .max = 131072, .has_max = 1 };
static const struct shape pool_s_name = S_PAT(1, 128,
    shape_check_pool_name, "[\\w\\s+=,.@-]+");
static const struct shape pool_s_arn = S_PAT(20, 2048, shape_check_arn,
    P_ARN);
static const struct shape pool_s_sms_msg = S_PAT(6, 140,
    pool_check_sms_code, ".*\\{####\\}.*");
static const struct shape pool_s_email_msg = S_PAT(6, 20000,
    pool_check_code, "[" P_TEXT "\\s*]*\\{####\\}[" P_TEXT "\\s*]*");
static const struct shape pool_s_link_msg = S_PAT(6, 20000,
    pool_check_link, "[" P_TEXT "\\s*]*\\{##[" P_TEXT "\\s*]*##\\}["
    P_TEXT "\\s*]*");
static const struct shape pool_s_subject = S_PAT(1, 140, pool_check_text,
    "[" P_TEXT "\\s]+");
static const struct shape pool_s_invite_sms = SHAPE_STR(6, 140);
static const struct shape pool_s_invite_email = S_PAT(6, 20000,
    pool_check_text, "[" P_TEXT "\\s*]*");
static const struct shape pool_s_mfa = S_ENUM(pool_e_mfa);
static const struct shape pool_s_tier = S_ENUM(pool_e_tier);

/* Policies */
static const struct shape pool_s_min_length = S_INT(6, 99);
static const struct shape pool_s_history = S_INT(0, 24);
static const struct shape pool_s_days = S_INT(0, 365);
static const struct shape_member pool_m_password[] = {
	{ "MinimumLength", &pool_s_min_length, 0 },
	{ "RequireUppercase", &pool_s_bool, 0 },
	{ "RequireLowercase", &pool_s_bool, 0 },
	{ "RequireNumbers", &pool_s_bool, 0 },
	{ "RequireSymbols", &pool_s_bool, 0 },
	{ "PasswordHistorySize", &pool_s_history, 0 },
	{ "TemporaryPasswordValidityDays", &pool_s_days, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_password = S_STRUCT(pool_m_password);
static const struct shape pool_s_factor = S_ENUM(pool_e_factor);
static const struct shape pool_s_factors = S_LIST_N(&pool_s_factor, 1, 4);
static const struct shape_member pool_m_sign_in[] = {
	{ "AllowedFirstAuthFactors", &pool_s_factors, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_sign_in = S_STRUCT(pool_m_sign_in);
static const struct shape_member pool_m_policies[] = {
	{ "PasswordPolicy", &pool_s_password, 0 },
	{ "SignInPolicy", &pool_s_sign_in, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_policies = S_STRUCT(pool_m_policies);
static const struct shape pool_s_deletion = S_ENUM(pool_e_deletion);

/*
 * LambdaConfig: a trigger is a Lambda ARN (mapped to a webhook URL by
 * the configuration file) or the webhook's URL itself; which ones
 * resolve is pool_check_lambda's question.
 */
static const struct shape pool_s_trigger = S_PAT(20, 2048,
    pool_check_trigger, P_ARN "|https?://.+");
static const struct shape pool_s_v1 = S_ENUM(pool_e_v1);
static const struct shape pool_s_pretoken_v = S_ENUM(pool_e_pretoken);
static const struct shape_member pool_m_lambda_v1[] = {
	{ "LambdaVersion", &pool_s_v1, 1 },
	{ "LambdaArn", &pool_s_trigger, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_lambda_v1 = S_STRUCT(pool_m_lambda_v1);
static const struct shape_member pool_m_pretoken[] = {
	{ "LambdaVersion", &pool_s_pretoken_v, 1 },
	{ "LambdaArn", &pool_s_trigger, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_pretoken = S_STRUCT(pool_m_pretoken);
static const struct shape_member pool_m_lambda[] = {
	{ "PreSignUp", &pool_s_trigger, 0 },
	{ "CustomMessage", &pool_s_trigger, 0 },
	{ "PostConfirmation", &pool_s_trigger, 0 },
	{ "PreAuthentication", &pool_s_trigger, 0 },
	{ "PostAuthentication", &pool_s_trigger, 0 },
	{ "DefineAuthChallenge", &pool_s_trigger, 0 },
	{ "CreateAuthChallenge", &pool_s_trigger, 0 },
	{ "VerifyAuthChallengeResponse", &pool_s_trigger, 0 },
	{ "PreTokenGeneration", &pool_s_trigger, 0 },
	{ "UserMigration", &pool_s_trigger, 0 },
	{ "PreTokenGenerationConfig", &pool_s_pretoken, 0 },
	{ "CustomSMSSender", &pool_s_lambda_v1, 0 },
	{ "CustomEmailSender", &pool_s_lambda_v1, 0 },
	{ "KMSKeyID", &pool_s_arn, 0 },
	{ "InboundFederation", &pool_s_lambda_v1, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_lambda = S_STRUCT(pool_m_lambda);

/* Sign-in and verification */
static const struct shape pool_s_verified_attr = S_ENUM(pool_e_verified);
static const struct shape pool_s_verified = S_LIST(&pool_s_verified_attr);
static const struct shape pool_s_alias_attr = S_ENUM(pool_e_alias);
static const struct shape pool_s_alias = S_LIST(&pool_s_alias_attr);
static const struct shape pool_s_email_option = S_ENUM(pool_e_email_option);
static const struct shape_member pool_m_template[] = {
	{ "SmsMessage", &pool_s_sms_msg, 0 },
	{ "EmailMessage", &pool_s_email_msg, 0 },
	{ "EmailSubject", &pool_s_subject, 0 },
	{ "EmailMessageByLink", &pool_s_link_msg, 0 },
	{ "EmailSubjectByLink", &pool_s_subject, 0 },
	{ "DefaultEmailOption", &pool_s_email_option, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_template = S_STRUCT(pool_m_template);
static const struct shape_member pool_m_attr_update[] = {
	{ "AttributesRequireVerificationBeforeUpdate", &pool_s_verified, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_attr_update = S_STRUCT(pool_m_attr_update);
static const struct shape_member pool_m_device[] = {
	{ "ChallengeRequiredOnNewDevice", &pool_s_bool, 0 },
	{ "DeviceOnlyRememberedOnUserPrompt", &pool_s_bool, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_device = S_STRUCT(pool_m_device);

/* Email and SMS delivery */
static const struct shape pool_s_email_addr = {
	.kind = SHAPE_STRING, .check = pool_check_email,
	.pattern = "[" P_TEXT "]+@[" P_TEXT "]+" };
static const struct shape pool_s_sending = S_ENUM(pool_e_sending);
static const struct shape pool_s_ses_set = S_PAT(1, 64, pool_check_ses_set,
    "^[a-zA-Z0-9_-]+$");
static const struct shape_member pool_m_email_conf[] = {
	{ "SourceArn", &pool_s_arn, 0 },
	{ "ReplyToEmailAddress", &pool_s_email_addr, 0 },
	{ "EmailSendingAccount", &pool_s_sending, 0 },
	{ "From", &pool_s_string, 0 },
	{ "ConfigurationSet", &pool_s_ses_set, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_email_conf = S_STRUCT(pool_m_email_conf);
static const struct shape pool_s_region = SHAPE_STR(5, 32);
static const struct shape_member pool_m_sms_conf[] = {
	{ "SnsCallerArn", &pool_s_arn, 1 },
	{ "ExternalId", &pool_s_string, 0 },
	{ "SnsRegion", &pool_s_region, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_sms_conf = S_STRUCT(pool_m_sms_conf);

/* Tags, admin creation, schema, add-ons, recovery */
static const struct shape pool_s_tag_key = SHAPE_STR(1, 128);
static const struct shape pool_s_tag_value = SHAPE_STR(0, 256);
static const struct shape pool_s_tags = {
	.kind = SHAPE_MAP, .key = &pool_s_tag_key, .item = &pool_s_tag_value };
static const struct shape_member pool_m_invite[] = {
	{ "SMSMessage", &pool_s_invite_sms, 0 },
	{ "EmailMessage", &pool_s_invite_email, 0 },
	{ "EmailSubject", &pool_s_subject, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_invite = S_STRUCT(pool_m_invite);
static const struct shape_member pool_m_admin_create[] = {
	{ "AllowAdminCreateUserOnly", &pool_s_bool, 0 },
	{ "UnusedAccountValidityDays", &pool_s_days, 0 },
	{ "InviteMessageTemplate", &pool_s_invite, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_admin_create =
    S_STRUCT(pool_m_admin_create);
static const struct shape pool_s_attr_name = S_PAT(1, 20, shape_check_name,
    "[" P_TEXT "]+");
static const struct shape pool_s_datatype = S_ENUM(pool_e_datatype);
static const struct shape_member pool_m_num_cons[] = {
	{ "MinValue", &pool_s_string, 0 },
	{ "MaxValue", &pool_s_string, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_num_cons = S_STRUCT(pool_m_num_cons);
static const struct shape_member pool_m_str_cons[] = {
	{ "MinLength", &pool_s_string, 0 },
	{ "MaxLength", &pool_s_string, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_str_cons = S_STRUCT(pool_m_str_cons);
static const struct shape_member pool_m_attr[] = {
	{ "Name", &pool_s_attr_name, 0 },
	{ "AttributeDataType", &pool_s_datatype, 0 },
	{ "DeveloperOnlyAttribute", &pool_s_bool, 0 },
	{ "Mutable", &pool_s_bool, 0 },
	{ "Required", &pool_s_bool, 0 },
	{ "NumberAttributeConstraints", &pool_s_num_cons, 0 },
	{ "StringAttributeConstraints", &pool_s_str_cons, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_attr = S_STRUCT(pool_m_attr);
static const struct shape pool_s_schema = S_LIST_N(&pool_s_attr, 1, 50);
static const struct shape pool_s_custom_attrs = S_LIST_N(&pool_s_attr, 1, 25);
static const struct shape pool_s_security = S_ENUM(pool_e_security);
static const struct shape pool_s_security_on = S_ENUM(pool_e_security_on);
static const struct shape_member pool_m_flows[] = {
	{ "CustomAuthMode", &pool_s_security_on, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_flows = S_STRUCT(pool_m_flows);
static const struct shape_member pool_m_addons[] = {
	{ "AdvancedSecurityMode", &pool_s_security, 1 },
	{ "AdvancedSecurityAdditionalFlows", &pool_s_flows, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_addons = S_STRUCT(pool_m_addons);
static const struct shape_member pool_m_username_conf[] = {
	{ "CaseSensitive", &pool_s_bool, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_username_conf =
    S_STRUCT(pool_m_username_conf);
static const struct shape pool_s_priority = S_INT(1, 2);
static const struct shape pool_s_recovery_name = S_ENUM(pool_e_recovery);
static const struct shape_member pool_m_recovery_opt[] = {
	{ "Priority", &pool_s_priority, 1 },
	{ "Name", &pool_s_recovery_name, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_recovery_opt = S_STRUCT(pool_m_recovery_opt);
static const struct shape pool_s_mechanisms = S_LIST_N(&pool_s_recovery_opt,
    1, 2);
static const struct shape_member pool_m_recovery[] = {
	{ "RecoveryMechanisms", &pool_s_mechanisms, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_recovery = S_STRUCT(pool_m_recovery);

/* The members CreateUserPool and UpdateUserPool share. */
#define POOL_COMMON_MEMBERS						\
	{ "Policies", &pool_s_policies, 0 },				\
	{ "DeletionProtection", &pool_s_deletion, 0 },			\
	{ "LambdaConfig", &pool_s_lambda, 0 },				\
	{ "AutoVerifiedAttributes", &pool_s_verified, 0 },		\
	{ "SmsVerificationMessage", &pool_s_sms_msg, 0 },		\
	{ "EmailVerificationMessage", &pool_s_email_msg, 0 },		\
	{ "EmailVerificationSubject", &pool_s_subject, 0 },		\
	{ "VerificationMessageTemplate", &pool_s_template, 0 },		\
	{ "SmsAuthenticationMessage", &pool_s_sms_msg, 0 },		\
	{ "MfaConfiguration", &pool_s_mfa, 0 },				\
	{ "UserAttributeUpdateSettings", &pool_s_attr_update, 0 },	\
	{ "DeviceConfiguration", &pool_s_device, 0 },			\
	{ "EmailConfiguration", &pool_s_email_conf, 0 },		\
	{ "SmsConfiguration", &pool_s_sms_conf, 0 },			\
	{ "UserPoolTags", &pool_s_tags, 0 },				\
	{ "AdminCreateUserConfig", &pool_s_admin_create, 0 },		\
	{ "UserPoolAddOns", &pool_s_addons, 0 },			\
	{ "AccountRecoverySetting", &pool_s_recovery, 0 },		\
	{ "UserPoolTier", &pool_s_tier, 0 }

static const struct shape_member pool_m_create[] = {
	{ "PoolName", &pool_s_name, 1 },
	POOL_COMMON_MEMBERS,
	{ "AliasAttributes", &pool_s_alias, 0 },
	{ "UsernameAttributes", &pool_s_verified, 0 },
	{ "Schema", &pool_s_schema, 0 },
	{ "UsernameConfiguration", &pool_s_username_conf, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_create = S_STRUCT(pool_m_create);

static const struct shape_member pool_m_update[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	POOL_COMMON_MEMBERS,
	{ "PoolName", &pool_s_name, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_update = S_STRUCT(pool_m_update);

static const struct shape_member pool_m_pool_id[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_pool_id = S_STRUCT(pool_m_pool_id);

static const struct shape pool_s_max_results = S_INT(1, 60);
static const struct shape_member pool_m_list[] = {
	{ "NextToken", &ops_shape_next_token, 0 },
	{ "MaxResults", &pool_s_max_results, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_list = S_STRUCT(pool_m_list);

static const struct shape_member pool_m_add_attrs[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "CustomAttributes", &pool_s_custom_attrs, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_add_attrs = S_STRUCT(pool_m_add_attrs);

/* SetUserPoolMfaConfig */
static const struct shape_member pool_m_sms_mfa[] = {
	{ "SmsAuthenticationMessage", &pool_s_sms_msg, 0 },
	{ "SmsConfiguration", &pool_s_sms_conf, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_sms_mfa = S_STRUCT(pool_m_sms_mfa);
static const struct shape_member pool_m_totp_mfa[] = {
	{ "Enabled", &pool_s_bool, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_totp_mfa = S_STRUCT(pool_m_totp_mfa);
static const struct shape pool_s_email_mfa_subject = {
	.kind = SHAPE_STRING, .check = pool_check_text,
	.pattern = "[" P_TEXT "\\s]+" };
static const struct shape_member pool_m_email_mfa[] = {
	{ "Message", &pool_s_email_msg, 0 },
	{ "Subject", &pool_s_email_mfa_subject, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_email_mfa = S_STRUCT(pool_m_email_mfa);
static const struct shape pool_s_rp_id = SHAPE_STR(1, 127);
static const struct shape pool_s_uv = S_ENUM(pool_e_uv);
static const struct shape pool_s_webauthn_factor = S_ENUM(pool_e_webauthn);
static const struct shape_member pool_m_webauthn[] = {
	{ "RelyingPartyId", &pool_s_rp_id, 0 },
	{ "UserVerification", &pool_s_uv, 0 },
	{ "FactorConfiguration", &pool_s_webauthn_factor, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_webauthn = S_STRUCT(pool_m_webauthn);
static const struct shape_member pool_m_set_mfa[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "SmsMfaConfiguration", &pool_s_sms_mfa, 0 },
	{ "SoftwareTokenMfaConfiguration", &pool_s_totp_mfa, 0 },
	{ "EmailMfaConfiguration", &pool_s_email_mfa, 0 },
	{ "MfaConfiguration", &pool_s_mfa, 0 },
	{ "WebAuthnConfiguration", &pool_s_webauthn, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape pool_s_set_mfa = S_STRUCT(pool_m_set_mfa);

/* Pattern checkers: 0 when the string matches. */

/* [\p{L}\p{M}\p{S}\p{N}\p{P}\s]: anything but control characters. */
/* An ARN, or an http(s) URL (checked further by hooks/triggers.c). */
static int
pool_check_trigger(const char *s)
{
	if (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0)
		return 0;
	return shape_check_arn(s);
}

static int
pool_check_text(const char *s)
{
	unsigned char	c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c < 0x20 && !isspace(c)) || c == 0x7f)
			return -1;
	}
	return 0;
}

static int
pool_check_code(const char *s)
{
	return pool_check_text(s) == 0 && strstr(s, "{####}") != NULL ? 0 : -1;
}

static int
pool_check_sms_code(const char *s)
{
	return strstr(s, "{####}") != NULL ? 0 : -1;
}

/* A link message: {## label ##} somewhere. */
static int
pool_check_link(const char *s)
{
	const char	*open;

	if (pool_check_text(s) != 0 || (open = strstr(s, "{##")) == NULL)
		return -1;
	return strstr(open + 3, "##}") != NULL ? 0 : -1;
}

/* X+@X+ where X is any visible character (including '@'). */
static int
pool_check_email(const char *s)
{
	size_t	i, len = strlen(s);

	if (shape_check_name(s) != 0)
		return -1;
	for (i = 1; i + 1 < len; i++)
		if (s[i] == '@')
			return 0;
	return -1;
}

static int
pool_check_ses_set(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- */
/* The state of one call.                                            */

struct pool_job;
typedef void	(*pool_next_fn)(struct api_call *, struct pool_job *,
		    const PGresult *);

struct pool_job {
	char		*id;
	char		*name;
	json_t		*config;	/* pools.config */
	json_t		*mfa;		/* pools.mfa_config */
	json_t		*tags;		/* NULL: leave pools.tags alone */
	char		*version;	/* modified_at as loaded */
	json_t		*out;		/* the answer once saved */
	long long	 limit;		/* ListUserPools page size */
	pool_next_fn	 next;		/* after pool_load() */
	char		*secret;	/* trigger signing secret, wiped */
	char		*sealed;	/* the same, sealed */
};

static void
pool_job_free(void *p)
{
	struct pool_job	*j = p;

	if (j == NULL)
		return;
	free(j->id);
	free(j->name);
	free(j->version);
	json_decref(j->config);
	json_decref(j->mfa);
	json_decref(j->tags);
	json_decref(j->out);
	if (j->secret != NULL)
		wipe_free(j->secret);
	free(j->sealed);
	free(j);
}

static struct pool_job *
pool_job_new(struct api_call *call)
{
	struct pool_job	*j = xcalloc(1, sizeof *j);

	api_set_data(call, j, pool_job_free);
	return j;
}

static void
pool_invalid(struct api_call *call, char *msg)
{
	api_fail(call, "InvalidParameterException", "%s", msg);
	free(msg);
}

/* Compact JSON text for a jsonb parameter. */
static char *
pool_dump(json_t *v)
{
	char	*s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		fatalx("pool_dump: json_dumps");
	return s;
}

/* A jsonb column; a broken value (never expected) reads as {}. */
static json_t *
pool_jsonb(const PGresult *r, int row, const char *col)
{
	const char	*text = pg_field(r, row, col);
	json_t		*v;

	if (text == NULL)
		return json_object();
	if ((v = json_loads(text, JSON_DECODE_ANY, NULL)) == NULL) {
		log_error("pool_ops: column %s holds invalid JSON", col);
		return json_object();
	}
	return v;
}

/* Drop JSON nulls, which AWS reads as absent members, at every depth. */
static void
pool_strip_nulls(json_t *v)
{
	const char	*key;
	json_t		*m;
	void		*tmp;
	size_t		 i;

	if (json_is_object(v)) {
		json_object_foreach_safe(v, tmp, key, m) {
			if (json_is_null(m))
				json_object_del(v, key);
			else
				pool_strip_nulls(m);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			pool_strip_nulls(m);
	}
}

/* ---------------------------------------------------------------- */
/* Schema attributes.                                                */

enum pool_cons {
	POOL_CONS_NONE,
	POOL_CONS_STRING,
	POOL_CONS_NUMBER,
};

static const char *const pool_cons_key[] = {
	NULL, "StringAttributeConstraints", "NumberAttributeConstraints"
};
static const char *const pool_cons_names[][2] = {
	{ NULL, NULL },
	{ "MinLength", "MaxLength" },
	{ "MinValue", "MaxValue" },
};

/*
 * The standard schema as Cognito returns it, in its order. Constraint
 * bounds are strings on the wire; NULL means the bound is absent
 * (identities has an empty StringAttributeConstraints). An attribute that
 * is both required and immutable (sub) cannot be changed by Schema.
 */
struct pool_std_attr {
	const char	*name;
	const char	*type;
	int		 mut;
	int		 required;
	enum pool_cons	 cons;
	const char	*lo;
	const char	*hi;
};

static const struct pool_std_attr pool_std_attrs[] = {
	{ "sub", "String", 0, 1, POOL_CONS_STRING, "1", "2048" },
	{ "name", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "given_name", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "family_name", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "middle_name", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "nickname", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "preferred_username", "String", 1, 0, POOL_CONS_STRING, "0",
	    "2048" },
	{ "profile", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "picture", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "website", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "email", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "email_verified", "Boolean", 1, 0, POOL_CONS_NONE, NULL, NULL },
	{ "gender", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "birthdate", "String", 1, 0, POOL_CONS_STRING, "10", "10" },
	{ "zoneinfo", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "locale", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "phone_number", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "phone_number_verified", "Boolean", 1, 0, POOL_CONS_NONE, NULL,
	    NULL },
	{ "address", "String", 1, 0, POOL_CONS_STRING, "0", "2048" },
	{ "updated_at", "Number", 1, 0, POOL_CONS_NUMBER, "0", NULL },
	{ "identities", "String", 1, 0, POOL_CONS_STRING, NULL, NULL },
};

static const struct pool_std_attr *
pool_std_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(pool_std_attrs); i++)
		if (strcmp(pool_std_attrs[i].name, name) == 0)
			return &pool_std_attrs[i];
	return NULL;
}

static enum pool_cons
pool_type_cons(const char *type)
{
	if (strcmp(type, "String") == 0)
		return POOL_CONS_STRING;
	if (strcmp(type, "Number") == 0)
		return POOL_CONS_NUMBER;
	return POOL_CONS_NONE;
}

static json_t *
pool_std_json(const struct pool_std_attr *a)
{
	json_t	*o, *c;

	o = json_pack("{s:s, s:s, s:b, s:b, s:b}", "Name", a->name,
	    "AttributeDataType", a->type, "DeveloperOnlyAttribute", 0,
	    "Mutable", a->mut, "Required", a->required);
	if (a->cons == POOL_CONS_NONE)
		return o;
	c = json_object();
	if (a->lo != NULL)
		json_object_set_new(c, pool_cons_names[a->cons][0],
		    json_string(a->lo));
	if (a->hi != NULL)
		json_object_set_new(c, pool_cons_names[a->cons][1],
		    json_string(a->hi));
	json_object_set_new(o, pool_cons_key[a->cons], c);
	return o;
}

static json_t *
pool_schema_standard(void)
{
	json_t	*attrs = json_array();
	size_t	 i;

	for (i = 0; i < nitems(pool_std_attrs); i++)
		json_array_append_new(attrs, pool_std_json(&pool_std_attrs[i]));
	return attrs;
}

static json_t *
pool_attr_find(json_t *attrs, const char *name)
{
	const char	*n;
	json_t		*a;
	size_t		 i;

	json_array_foreach(attrs, i, a) {
		n = api_str(a, "Name");
		if (n != NULL && strcmp(n, name) == 0)
			return a;
	}
	return NULL;
}

static int
pool_parse_ll(const char *s, long long *v)
{
	char	*end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return (*s == '\0' || *end != '\0' || errno != 0) ? -1 : 0;
}

/* Check one bound: a whole number, within 0..2048 for lengths. */
static int
pool_bound_check(enum pool_cons cons, const char *name, json_t *v,
    long long *out, char **msg)
{
	const char	*s = json_string_value(v);

	if (s == NULL || pool_parse_ll(s, out) != 0 ||
	    (cons == POOL_CONS_STRING && (*out < 0 ||
	    *out > POOL_MAX_ATTR_LEN))) {
		*msg = xasprintf("%s %s must be %s.", pool_cons_key[cons],
		    name, cons == POOL_CONS_STRING ? "a whole number from 0 "
		    "to 2048" : "a whole number");
		return -1;
	}
	return 0;
}

/*
 * Merge the constraints given for an attribute into dst (the current
 * ones), refusing bounds that are not numbers or are out of order.
 */
static int
pool_cons_merge(json_t *dst, json_t *given, enum pool_cons cons,
    char **msg)
{
	const char *const	*names = pool_cons_names[cons];
	json_t			*tmp = json_deep_copy(dst), *v;
	long long		 b[2];
	int			 i, have[2] = { 0, 0 };

	for (i = 0; i < 2; i++)
		if ((v = json_object_get(given, names[i])) != NULL)
			json_object_set(tmp, names[i], v);
	for (i = 0; i < 2; i++) {
		if ((v = json_object_get(tmp, names[i])) == NULL)
			continue;
		if (pool_bound_check(cons, names[i], v, &b[i], msg) != 0)
			goto fail;
		have[i] = 1;
	}
	if (have[0] && have[1] && b[0] > b[1]) {
		*msg = xasprintf("%s %s must not be greater than %s.",
		    pool_cons_key[cons], names[0], names[1]);
		goto fail;
	}
	json_object_update(dst, tmp);
	json_decref(tmp);
	return 0;
fail:
	json_decref(tmp);
	return -1;
}

/*
 * A standard attribute named in Schema may become required, change its
 * mutability or narrow its length, never change its type or become
 * developer-only.
 */
static int
pool_schema_std(json_t *attrs, const struct pool_std_attr *std,
    json_t *given, char **msg)
{
	json_t		*a = pool_attr_find(attrs, std->name), *v;
	const char	*type = api_str(given, "AttributeDataType");
	const char	*key = pool_cons_key[std->cons];

	if ((type != NULL && strcmp(type, std->type) != 0) ||
	    api_bool(given, "DeveloperOnlyAttribute", 0)) {
		*msg = xasprintf("You can not change AttributeDataType or set "
		    "developerOnlyAttribute for standard schema attribute %s",
		    std->name);
		return -1;
	}
	if (std->required && !std->mut)
		return 0;
	if ((v = json_object_get(given, "Mutable")) != NULL)
		json_object_set(a, "Mutable", v);
	if ((v = json_object_get(given, "Required")) != NULL)
		json_object_set(a, "Required", v);
	if (key == NULL || (v = json_object_get(given, key)) == NULL)
		return 0;
	return pool_cons_merge(json_object_get(a, key), v, std->cons, msg);
}

/* A custom attribute: custom:<name>, or dev:custom:<name>. */
static int
pool_schema_custom(json_t *attrs, json_t *given, char **msg)
{
	const char	*type = api_str(given, "AttributeDataType");
	int		 dev = api_bool(given, "DeveloperOnlyAttribute", 0);
	enum pool_cons	 cons;
	json_t		*a, *c;
	char		*full;

	if (api_bool(given, "Required", 0)) {
		*msg = xstrdup("Required custom attributes are not supported "
		    "currently.");
		return -1;
	}
	full = xasprintf("%s%s", dev ? "dev:custom:" : "custom:",
	    api_str(given, "Name"));
	if (pool_attr_find(attrs, full) != NULL) {
		*msg = xasprintf("Existing attribute already has name %s.",
		    full);
		free(full);
		return -1;
	}
	if (type == NULL)
		type = "String";
	a = json_pack("{s:s, s:s, s:b, s:b, s:b}", "Name", full,
	    "AttributeDataType", type, "DeveloperOnlyAttribute", dev,
	    "Mutable", api_bool(given, "Mutable", 1), "Required", 0);
	free(full);
	json_array_append_new(attrs, a);
	if ((cons = pool_type_cons(type)) == POOL_CONS_NONE)
		return 0;
	c = json_object();
	json_object_set_new(a, pool_cons_key[cons], c);
	return pool_cons_merge(c, json_object_get(given, pool_cons_key[cons]),
	    cons, msg);
}

static size_t
pool_custom_count(json_t *attrs)
{
	const char	*n;
	json_t		*a;
	size_t		 i, count = 0;

	json_array_foreach(attrs, i, a) {
		n = api_str(a, "Name");
		if (n != NULL && (strncmp(n, "custom:", 7) == 0 ||
		    strncmp(n, "dev:", 4) == 0))
			count++;
	}
	return count;
}

/*
 * Merge Schema (CreateUserPool, with standard attributes) or
 * CustomAttributes (AddCustomAttributes, every name custom) into attrs.
 */
static int
pool_schema_add(json_t *attrs, json_t *given, int with_std, char **msg)
{
	const struct pool_std_attr	*std;
	const char			*name;
	json_t				*g;
	size_t				 i;
	int				 rc;

	json_array_foreach(given, i, g) {
		if ((name = api_str(g, "Name")) == NULL) {
			*msg = xstrdup("Every schema attribute needs a Name.");
			return -1;
		}
		std = with_std ? pool_std_find(name) : NULL;
		if (std != NULL)
			rc = pool_schema_std(attrs, std, g, msg);
		else
			rc = pool_schema_custom(attrs, g, msg);
		if (rc != 0)
			return -1;
	}
	if (pool_custom_count(attrs) > POOL_MAX_CUSTOM) {
		*msg = xasprintf("A user pool can have at most %d custom "
		    "attributes.", POOL_MAX_CUSTOM);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* The stored configuration.                                         */

/*
 * The UserPoolType members a request configures. UpdateUserPool resets
 * what it does not name, except the members marked keep.
 */
struct pool_member {
	const char	*name;
	int		 create;	/* taken from CreateUserPool */
	int		 update;	/* taken from UpdateUserPool */
	int		 keep;		/* kept by UpdateUserPool if absent */
};

static const struct pool_member pool_members[] = {
	{ "Policies", 1, 1, 0 },
	{ "DeletionProtection", 1, 1, 0 },
	{ "LambdaConfig", 1, 1, 0 },
	{ "AutoVerifiedAttributes", 1, 1, 0 },
	{ "AliasAttributes", 1, 0, 1 },
	{ "UsernameAttributes", 1, 0, 1 },
	{ "SmsVerificationMessage", 1, 1, 0 },
	{ "EmailVerificationMessage", 1, 1, 0 },
	{ "EmailVerificationSubject", 1, 1, 0 },
	{ "VerificationMessageTemplate", 1, 1, 0 },
	{ "SmsAuthenticationMessage", 1, 1, 0 },
	{ "MfaConfiguration", 1, 1, 0 },
	{ "UserAttributeUpdateSettings", 1, 1, 0 },
	{ "DeviceConfiguration", 1, 1, 0 },
	{ "EmailConfiguration", 1, 1, 0 },
	{ "SmsConfiguration", 1, 1, 0 },
	{ "AdminCreateUserConfig", 1, 1, 0 },
	{ "UserPoolAddOns", 1, 1, 0 },
	{ "UsernameConfiguration", 1, 0, 1 },
	{ "AccountRecoverySetting", 1, 1, 0 },
	{ "UserPoolTier", 1, 1, 1 },
	{ "SchemaAttributes", 0, 0, 1 },
};

/*
 * Cognito's defaults (§1.12), set where absent, in this order: a whole
 * default PasswordPolicy when none is given, else the missing members of
 * the given one (absent booleans are false, as in AWS).
 */
static const struct {
	const char	*path;
	const char	*value;
} pool_defaults[] = {
	{ "Policies.PasswordPolicy", "{\"MinimumLength\": 8, "
	    "\"RequireUppercase\": true, \"RequireLowercase\": true, "
	    "\"RequireNumbers\": true, \"RequireSymbols\": true, "
	    "\"TemporaryPasswordValidityDays\": 7}" },
	{ "Policies.PasswordPolicy.MinimumLength", "8" },
	{ "Policies.PasswordPolicy.RequireUppercase", "false" },
	{ "Policies.PasswordPolicy.RequireLowercase", "false" },
	{ "Policies.PasswordPolicy.RequireNumbers", "false" },
	{ "Policies.PasswordPolicy.RequireSymbols", "false" },
	{ "Policies.PasswordPolicy.TemporaryPasswordValidityDays", "7" },
	{ "Policies.SignInPolicy.AllowedFirstAuthFactors", "[\"PASSWORD\"]" },
	{ "DeletionProtection", "\"INACTIVE\"" },
	{ "LambdaConfig", "{}" },
	{ "MfaConfiguration", "\"OFF\"" },
	{ "VerificationMessageTemplate.DefaultEmailOption",
	    "\"CONFIRM_WITH_CODE\"" },
	{ "EmailConfiguration.EmailSendingAccount", "\"COGNITO_DEFAULT\"" },
	{ "AdminCreateUserConfig.AllowAdminCreateUserOnly", "false" },
	{ "AdminCreateUserConfig.UnusedAccountValidityDays", "7" },
	{ "UserPoolTier", "\"ESSENTIALS\"" },
};

/* The legacy message members Cognito keeps equal to the template's. */
static const struct {
	const char	*legacy;
	const char	*member;
} pool_legacy[] = {
	{ "EmailVerificationMessage", "EmailMessage" },
	{ "EmailVerificationSubject", "EmailSubject" },
	{ "SmsVerificationMessage", "SmsMessage" },
};

static json_t *
pool_config_copy(json_t *in, json_t *old)
{
	const struct pool_member	*m;
	json_t				*c = json_object(), *v;
	size_t				 i;

	for (i = 0; i < nitems(pool_members); i++) {
		m = &pool_members[i];
		v = NULL;
		if (old == NULL ? m->create : m->update)
			v = json_object_get(in, m->name);
		if (v == NULL && old != NULL && m->keep)
			v = json_object_get(old, m->name);
		if (v != NULL)
			json_object_set_new(c, m->name, json_deep_copy(v));
	}
	return c;
}

/* Set the member at a dotted path unless present, making parents. */
static void
pool_default(json_t *root, const char *path, const char *value)
{
	char	*p = xstrdup(path), *key, *dot;
	json_t	*o = root, *sub, *v;

	for (key = p; (dot = strchr(key, '.')) != NULL; key = dot + 1) {
		*dot = '\0';
		if ((sub = json_object_get(o, key)) == NULL) {
			sub = json_object();
			json_object_set_new(o, key, sub);
		}
		o = sub;
	}
	if (json_object_get(o, key) == NULL) {
		if ((v = json_loads(value, JSON_DECODE_ANY, NULL)) == NULL)
			fatalx("pool_default: bad default for %s", path);
		json_object_set_new(o, key, v);
	}
	free(p);
}

static int
pool_legacy_sync(json_t *c, char **msg)
{
	json_t	*tmpl = json_object_get(c, "VerificationMessageTemplate");
	json_t	*a, *b;
	size_t	 i;

	for (i = 0; i < nitems(pool_legacy); i++) {
		a = json_object_get(c, pool_legacy[i].legacy);
		b = json_object_get(tmpl, pool_legacy[i].member);
		if (a != NULL && b != NULL && !json_equal(a, b)) {
			*msg = xasprintf("%s and VerificationMessageTemplate."
			    "%s must be the same when both are given.",
			    pool_legacy[i].legacy, pool_legacy[i].member);
			return -1;
		}
		if (a != NULL && b == NULL)
			json_object_set(tmpl, pool_legacy[i].member, a);
		else if (b != NULL && a == NULL)
			json_object_set(c, pool_legacy[i].legacy, b);
	}
	return 0;
}

static int
pool_check_sign_in(json_t *c, char **msg)
{
	if (json_array_size(json_object_get(c, "AliasAttributes")) > 0 &&
	    json_array_size(json_object_get(c, "UsernameAttributes")) > 0) {
		*msg = xstrdup("AliasAttributes and UsernameAttributes cannot "
		    "both be set: choose either sign-in aliases or email/phone "
		    "number as username.");
		return -1;
	}
	return 0;
}

/* Invitations carry the username and the temporary password. */
static int
pool_check_invite(json_t *c, char **msg)
{
	static const char *const	 fields[] = { "EmailMessage",
					    "SMSMessage" };
	json_t				*t;
	const char			*s;
	size_t				 i;

	t = json_object_get(json_object_get(c, "AdminCreateUserConfig"),
	    "InviteMessageTemplate");
	for (i = 0; i < nitems(fields); i++) {
		s = api_str(t, fields[i]);
		if (s != NULL && (strstr(s, "{username}") == NULL ||
		    strstr(s, "{####}") == NULL)) {
			*msg = xasprintf("The invitation message "
			    "InviteMessageTemplate.%s must contain the "
			    "placeholders {username} and {####}.", fields[i]);
			return -1;
		}
	}
	return 0;
}

/* Two recovery mechanisms need distinct names and priorities. */
static int
pool_check_recovery(json_t *c, char **msg)
{
	json_t	*list, *a, *b;

	list = json_object_get(json_object_get(c, "AccountRecoverySetting"),
	    "RecoveryMechanisms");
	if (json_array_size(list) < 2)
		return 0;
	a = json_array_get(list, 0);
	b = json_array_get(list, 1);
	if (api_int(a, "Priority", 0) == api_int(b, "Priority", 0) ||
	    strcmp(api_str(a, "Name"), api_str(b, "Name")) == 0) {
		*msg = xstrdup("RecoveryMechanisms must have distinct names "
		    "and priorities.");
		return -1;
	}
	if (strcmp(api_str(a, "Name"), "admin_only") == 0 ||
	    strcmp(api_str(b, "Name"), "admin_only") == 0) {
		*msg = xstrdup("The admin_only recovery mechanism cannot be "
		    "combined with another one.");
		return -1;
	}
	return 0;
}

/* Every trigger a URL, or an ARN the configuration file maps to one. */
static int
pool_check_lambda(json_t *c, char **msg)
{
	return triggers_check_config(json_object_get(c, "LambdaConfig"), msg);
}

static int (*const pool_checks[])(json_t *, char **) = {
	pool_check_lambda,
	pool_check_sign_in,
	pool_check_invite,
	pool_check_recovery,
};

/*
 * The configuration a CreateUserPool (old NULL) or UpdateUserPool (old
 * the stored one) request makes, defaults filled in; NULL with *msg for
 * an InvalidParameterException.
 */
static json_t *
pool_config_build(json_t *in, json_t *old, char **msg)
{
	json_t	*c = pool_config_copy(in, old), *schema, *given;
	size_t	 i;

	if (old == NULL) {
		schema = pool_schema_standard();
		json_object_set_new(c, "SchemaAttributes", schema);
		given = json_object_get(in, "Schema");
		if (given != NULL &&
		    pool_schema_add(schema, given, 1, msg) != 0)
			goto fail;
	}
	for (i = 0; i < nitems(pool_defaults); i++)
		pool_default(c, pool_defaults[i].path, pool_defaults[i].value);
	if (pool_legacy_sync(c, msg) != 0)
		goto fail;
	for (i = 0; i < nitems(pool_checks); i++)
		if (pool_checks[i](c, msg) != 0)
			goto fail;
	return c;
fail:
	json_decref(c);
	return NULL;
}

/* ---------------------------------------------------------------- */
/* MFA settings.                                                     */

static const char *const pool_mfa_members[] = {
	"SmsMfaConfiguration", "SoftwareTokenMfaConfiguration",
	"EmailMfaConfiguration", "WebAuthnConfiguration",
};

/* The SMS settings a pool shares with its SMS MFA factor. */
static const char *const pool_sms_shared[] = {
	"SmsConfiguration", "SmsAuthenticationMessage",
};

/* Whether an MFA factor (not WebAuthn, which is not MFA) is enabled. */
static int
pool_mfa_factors(json_t *mfa)
{
	return json_object_get(mfa, "SmsMfaConfiguration") != NULL ||
	    json_object_get(mfa, "EmailMfaConfiguration") != NULL ||
	    api_bool(json_object_get(mfa, "SoftwareTokenMfaConfiguration"),
	    "Enabled", 0);
}

static json_t *
pool_sms_mfa(json_t *config)
{
	json_t	*sms = json_object(), *v;
	size_t	 i;

	for (i = 0; i < nitems(pool_sms_shared); i++)
		if ((v = json_object_get(config, pool_sms_shared[i])) != NULL)
			json_object_set_new(sms, pool_sms_shared[i],
			    json_deep_copy(v));
	return sms;
}

/*
 * After CreateUserPool or UpdateUserPool: mfa_config follows the pool's
 * MfaConfiguration, SMS MFA follows its SmsConfiguration (enabled by a
 * configuration given with MFA on, dropped without one), and MFA ON or
 * OPTIONAL needs an enabled factor, as on Cognito.
 */
static int
pool_mfa_sync(json_t *config, json_t *mfa, char **msg)
{
	const char	*mode = api_str(config, "MfaConfiguration");
	int		 on = strcmp(mode, "OFF") != 0;

	json_object_set_new(mfa, "MfaConfiguration", json_string(mode));
	if (json_object_get(config, "SmsConfiguration") == NULL)
		json_object_del(mfa, "SmsMfaConfiguration");
	else if (on || json_object_get(mfa, "SmsMfaConfiguration") != NULL)
		json_object_set_new(mfa, "SmsMfaConfiguration",
		    pool_sms_mfa(config));
	if (on && !pool_mfa_factors(mfa)) {
		*msg = xstrdup("SMS configuration and Auto verification for "
		    "phone_number are required when MFA is required/optional");
		return -1;
	}
	return 0;
}

/* SetUserPoolMfaConfig's rules for the new settings. */
static int
pool_mfa_check(json_t *mfa, char **msg)
{
	int	on = strcmp(api_str(mfa, "MfaConfiguration"), "OFF") != 0;

	if (!on && pool_mfa_factors(mfa)) {
		*msg = xstrdup("Invalid MFA configuration given, can't turn "
		    "off MFA and configure an MFA together.");
		return -1;
	}
	if (on && !pool_mfa_factors(mfa)) {
		*msg = xstrdup("Invalid MFA configuration given, can't disable "
		    "all MFAs with a required or optional configuration.");
		return -1;
	}
	return 0;
}

/* Copy new MFA settings into the pool configuration, and back. */
static void
pool_mfa_to_config(json_t *config, json_t *mfa)
{
	json_t		*sms = json_object_get(mfa, "SmsMfaConfiguration"), *v;
	const char	*key;
	size_t		 i;

	json_object_set_new(config, "MfaConfiguration",
	    json_deep_copy(json_object_get(mfa, "MfaConfiguration")));
	if (sms == NULL)
		return;
	for (i = 0; i < nitems(pool_sms_shared); i++) {
		key = pool_sms_shared[i];
		if ((v = json_object_get(sms, key)) != NULL)
			json_object_set_new(config, key, json_deep_copy(v));
		else if ((v = json_object_get(config, key)) != NULL)
			json_object_set_new(sms, key, json_deep_copy(v));
	}
}

/* ---------------------------------------------------------------- */
/* Reading and writing pool rows.                                    */

json_t *
pool_ops_describe(const PGresult *r, int row)
{
	static const char *const	 domains[][2] = {
		{ "Domain", "domain" }, { "CustomDomain", "custom_domain" } };
	const char			*id = pg_field(r, row, "id"), *dom;
	json_t				*out = json_object(), *config;
	char				*arn = api_pool_arn(id);
	size_t				 i;

	json_object_set_new(out, "Id", json_string(id));
	json_object_set_new(out, "Name", json_string(pg_field(r, row,
	    "name")));
	config = pool_jsonb(r, row, "config");
	json_object_update(out, config);
	json_decref(config);
	json_object_set_new(out, "UserPoolTags", pool_jsonb(r, row, "tags"));
	json_object_set_new(out, "Arn", json_string(arn));
	free(arn);
	json_object_set_new(out, "CreationDate",
	    api_time(pg_field(r, row, "created_at")));
	json_object_set_new(out, "LastModifiedDate",
	    api_time(pg_field(r, row, "modified_at")));
	json_object_set_new(out, "EstimatedNumberOfUsers", json_integer(
	    strtoll(pg_field(r, row, "estimated_users"), NULL, 10)));
	for (i = 0; i < nitems(domains); i++)
		if ((dom = pg_field(r, row, domains[i][1])) != NULL)
			json_object_set_new(out, domains[i][0],
			    json_string(dom));
	return out;
}

static void
pool_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct pool_job	*j = call->data;
	const PGresult	*r;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) == 0) {
		ops_fail_no_pool(call, j->id);
		return;
	}
	j->name = xstrdup(pg_field(r, 0, "name"));
	j->version = xstrdup(pg_field(r, 0, "modified_at"));
	j->config = pool_jsonb(r, 0, "config");
	j->mfa = pool_jsonb(r, 0, "mfa_config");
	j->next(call, j, r);
}

/* Load the pool named by UserPoolId, then run next with its row. */
static void
pool_load(struct api_call *call, pool_next_fn next)
{
	struct pool_job	*j = pool_job_new(call);
	struct pg_batch	*b = pg_batch_new();

	pool_strip_nulls(call->in);
	j->id = xstrdup(api_str(call->in, "UserPoolId"));
	j->next = next;
	db_pools_get(b, j->id);
	api_query(call, b, pool_loaded);
}

static void
pool_saved(struct api_call *call, struct pg_reply *reply)
{
	struct pool_job	*j = call->data;
	json_t		*out = j->out;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		api_fail(call, "ConcurrentModificationException", "User pool "
		    "%s was changed or deleted by another request; try again.",
		    j->id);
		return;
	}
	j->out = NULL;
	api_ok(call, out);
}

/*
 * Write back a loaded pool, only if nobody changed it since it was
 * loaded, then answer j->out ({} when NULL).
 */
static void
pool_save(struct api_call *call, struct pool_job *j)
{
	struct pg_batch	*b = pg_batch_new();
	char		*config = pool_dump(j->config);
	char		*mfa = pool_dump(j->mfa);
	char		*tags = j->tags != NULL ? pool_dump(j->tags) : NULL;

	db_pools_save(b, &(struct db_pools_save){ .id = j->id,
	    .name = j->name, .config = config, .mfa = mfa, .tags = tags,
	    .version = j->version });
	free(config);
	free(mfa);
	free(tags);
	api_query(call, b, pool_saved);
}

/* ---------------------------------------------------------------- */
/* CreateUserPool                                                    */

/*
 * The answer of CreateUserPool is the only one that shows the pool's
 * trigger signing secret (RotateTriggerSigningSecret makes another).
 */
static void
pool_created(struct task *t, const PGresult *r)
{
	struct api_call	*call = t->owner;
	struct pool_job	*j = call->data;
	json_t		*up = pool_ops_describe(r, 0);

	json_object_set_new(up, "TriggerSigningSecret",
	    json_string(j->secret));
	api_ok(call, json_pack("{s:o}", "UserPool", up));
}

int
pool_ops_config_new(json_t *in, json_t **config, json_t **mfa, char **msg)
{
	*mfa = NULL;
	pool_strip_nulls(in);
	if ((*config = pool_config_build(in, NULL, msg)) == NULL)
		return -1;
	*mfa = json_object();
	if (pool_mfa_sync(*config, *mfa, msg) == 0)
		return 0;
	json_decref(*config);
	json_decref(*mfa);
	*config = *mfa = NULL;
	return -1;
}

/* The configuration built, the pool made by core/pools.c. */
static void
pool_create(struct api_call *call)
{
	struct pool_job		*j = pool_job_new(call);
	struct pools_new	 n = { 0 };
	json_t			*tags;
	char			*msg = NULL;

	if (pool_ops_config_new(call->in, &j->config, &j->mfa, &msg) != 0) {
		pool_invalid(call, msg);
		return;
	}
	tags = json_object_get(call->in, "UserPoolTags");
	j->tags = tags != NULL ? json_deep_copy(tags) : json_object();
	n.name = api_str(call->in, "PoolName");
	n.config = j->config;
	n.mfa = j->mfa;
	n.tags = j->tags;
	j->secret = triggers_secret_new(&j->sealed);
	n.trigger_secret = j->sealed;
	pools_create(&call->task, &n, pool_created);
}

/* ---------------------------------------------------------------- */
/* DescribeUserPool, UpdateUserPool, AddCustomAttributes             */

static void
pool_describe_row(struct api_call *call, struct pool_job *j,
    const PGresult *r)
{
	api_ok(call, json_pack("{s:o}", "UserPool", pool_ops_describe(r, 0)));
}

static void
pool_describe(struct api_call *call)
{
	pool_load(call, pool_describe_row);
}

static void
pool_update_row(struct api_call *call, struct pool_job *j,
    const PGresult *r)
{
	json_t		*config, *tags;
	const char	*name;
	char		*msg = NULL;

	config = pool_config_build(call->in, j->config, &msg);
	if (config == NULL || pool_mfa_sync(config, j->mfa, &msg) != 0) {
		json_decref(config);
		pool_invalid(call, msg);
		return;
	}
	json_decref(j->config);
	j->config = config;
	if ((name = api_str(call->in, "PoolName")) != NULL) {
		free(j->name);
		j->name = xstrdup(name);
	}
	if ((tags = json_object_get(call->in, "UserPoolTags")) != NULL)
		j->tags = json_deep_copy(tags);
	pool_save(call, j);
}

static void
pool_update(struct api_call *call)
{
	pool_load(call, pool_update_row);
}

static void
pool_add_attrs_row(struct api_call *call, struct pool_job *j,
    const PGresult *r)
{
	json_t	*attrs = json_object_get(j->config, "SchemaAttributes");
	char	*msg = NULL;

	if (attrs == NULL) {
		attrs = pool_schema_standard();
		json_object_set_new(j->config, "SchemaAttributes", attrs);
	}
	if (pool_schema_add(attrs, json_object_get(call->in,
	    "CustomAttributes"), 0, &msg) != 0) {
		pool_invalid(call, msg);
		return;
	}
	pool_save(call, j);
}

static void
pool_add_attrs(struct api_call *call)
{
	pool_load(call, pool_add_attrs_row);
}

/* ---------------------------------------------------------------- */
/* SetUserPoolMfaConfig, GetUserPoolMfaConfig                        */

/* The new settings replace the factors; MfaConfiguration stays if absent. */
static void
pool_mfa_set_row(struct api_call *call, struct pool_job *j,
    const PGresult *r)
{
	const char	*mode = api_str(call->in, "MfaConfiguration");
	json_t		*mfa = json_object(), *v;
	char		*msg = NULL;
	size_t		 i;

	if (mode == NULL && (mode = api_str(j->config,
	    "MfaConfiguration")) == NULL)
		mode = "OFF";
	json_object_set_new(mfa, "MfaConfiguration", json_string(mode));
	for (i = 0; i < nitems(pool_mfa_members); i++) {
		v = json_object_get(call->in, pool_mfa_members[i]);
		if (v != NULL)
			json_object_set_new(mfa, pool_mfa_members[i],
			    json_deep_copy(v));
	}
	if (pool_mfa_check(mfa, &msg) != 0) {
		json_decref(mfa);
		pool_invalid(call, msg);
		return;
	}
	pool_mfa_to_config(j->config, mfa);
	json_decref(j->mfa);
	j->mfa = mfa;
	j->out = json_deep_copy(mfa);
	pool_save(call, j);
}

static void
pool_mfa_set(struct api_call *call)
{
	pool_load(call, pool_mfa_set_row);
}

static void
pool_mfa_get_row(struct api_call *call, struct pool_job *j,
    const PGresult *r)
{
	json_t		*out = json_deep_copy(j->mfa);
	const char	*mode = api_str(j->config, "MfaConfiguration");

	json_object_set_new(out, "MfaConfiguration",
	    json_string(mode != NULL ? mode : "OFF"));
	api_ok(call, out);
}

static void
pool_mfa_get(struct api_call *call)
{
	pool_load(call, pool_mfa_get_row);
}

/* ---------------------------------------------------------------- */
/* DeleteUserPool                                                    */

/*
 * One statement (db_pools_delete) decides and deletes, so a check and
 * the delete cannot be split by another request: deletion protection
 * and a configured domain refuse, as on Cognito. Keys, clients and
 * everything else of the pool go by ON DELETE CASCADE.
 */
static void
pool_deleted(struct api_call *call, struct pg_reply *reply)
{
	struct pool_job	*j = call->data;
	const PGresult	*r;
	const char	*protection;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) == 0) {
		ops_fail_no_pool(call, j->id);
		return;
	}
	protection = pg_field(r, 0, "protection");
	if (protection != NULL && strcmp(protection, "ACTIVE") == 0)
		api_fail(call, "InvalidParameterException", "The user pool "
		    "cannot be deleted because deletion protection is "
		    "activated. Deletion protection must be inactivated "
		    "first.");
	else if (strcmp(pg_field(r, 0, "has_domain"), "t") == 0)
		api_fail(call, "InvalidParameterException", "User pool cannot "
		    "be deleted. It has a domain configured that should be "
		    "deleted first.");
	else
		api_ok(call, NULL);
}

static void
pool_delete(struct api_call *call)
{
	struct pool_job	*j = pool_job_new(call);
	struct pg_batch	*b = pg_batch_new();

	j->id = xstrdup(api_str(call->in, "UserPoolId"));
	db_pools_delete(b, j->id);
	api_query(call, b, pool_deleted);
}

/* ---------------------------------------------------------------- */
/* ListUserPools                                                     */

/*
 * Pages in (created_at, id) order; NextToken is the position of the
 * last pool returned (ops_token_make), so paging never repeats or skips
 * a pool and always ends. One row more than asked says whether another
 * page exists.
 */
static int
pool_token_parse(const char *token, char **at, char **id)
{
	char	*end;
	double	 v;

	if (ops_token_parse(token, at, id) != 0)
		return -1;
	errno = 0;
	v = strtod(*at, &end);
	if (**at == '\0' || *end != '\0' || errno != 0 || !isfinite(v) ||
	    shape_check_pool_id(*id) != 0) {
		free(*at);
		free(*id);
		return -1;
	}
	return 0;
}

static json_t *
pool_list_item(const PGresult *r, int i)
{
	json_t	*item;

	item = json_pack("{s:s, s:s}", "Id", pg_field(r, i, "id"), "Name",
	    pg_field(r, i, "name"));
	json_object_set_new(item, "LambdaConfig", pool_jsonb(r, i, "lambda"));
	json_object_set_new(item, "LastModifiedDate",
	    api_time(pg_field(r, i, "modified_at")));
	json_object_set_new(item, "CreationDate",
	    api_time(pg_field(r, i, "created_at")));
	return item;
}

static void
pool_listed(struct api_call *call, struct pg_reply *reply)
{
	struct pool_job	*j = call->data;
	const PGresult	*r;
	json_t		*list, *out;
	int		 i, n;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	n = pg_rows(r);
	list = json_array();
	for (i = 0; i < n && i < j->limit; i++)
		json_array_append_new(list, pool_list_item(r, i));
	out = json_pack("{s:o}", "UserPools", list);
	if (n > j->limit)
		ops_page_next(out, "NextToken", pg_field(r, i - 1,
		    "created_at"), pg_field(r, i - 1, "id"));
	api_ok(call, out);
}

static void
pool_list(struct api_call *call)
{
	struct pool_job	*j = pool_job_new(call);
	const char	*token = api_str(call->in, "NextToken");
	struct pg_batch	*b;
	char		*at = NULL, *id = NULL, limit[32];

	if (token != NULL && pool_token_parse(token, &at, &id) != 0) {
		api_fail(call, "InvalidParameterException",
		    "Invalid NextToken.");
		return;
	}
	j->limit = api_int(call->in, "MaxResults", 60);
	snprintf(limit, sizeof limit, "%lld", j->limit + 1);
	b = pg_batch_new();
	db_pools_list(b, at, id, limit);
	free(at);
	free(id);
	api_query(call, b, pool_listed);
}

/* ---------------------------------------------------------------- */
/* RotateTriggerSigningSecret (userpoold's own)                      */

static void
pool_secret_saved(struct api_call *call, struct pg_reply *reply)
{
	struct pool_job	*j = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		ops_fail_no_pool(call, j->id);
		return;
	}
	api_ok(call, json_pack("{s:s, s:s}", "UserPoolId", j->id,
	    "TriggerSigningSecret", j->secret));
}

/*
 * A new trigger signing secret replaces the pool's at once and is
 * shown in this answer only; calls signed with the old one stop.
 */
static void
pool_rotate_secret(struct api_call *call)
{
	struct pool_job	*j = pool_job_new(call);
	struct pg_batch	*b = pg_batch_new();

	j->id = xstrdup(api_str(call->in, "UserPoolId"));
	j->secret = triggers_secret_new(&j->sealed);
	db_pools_set_trigger_secret(b, j->id, j->sealed);
	api_query(call, b, pool_secret_saved);
}

/* ---------------------------------------------------------------- */

const struct api_op pool_ops[] = {
	{ "CreateUserPool", pool_create, API_SIGNED, &pool_s_create },
	{ "DescribeUserPool", pool_describe, API_SIGNED, &pool_s_pool_id },
	{ "UpdateUserPool", pool_update, API_SIGNED, &pool_s_update },
	{ "DeleteUserPool", pool_delete, API_SIGNED, &pool_s_pool_id },
	{ "ListUserPools", pool_list, API_SIGNED, &pool_s_list },
	{ "AddCustomAttributes", pool_add_attrs, API_SIGNED,
	    &pool_s_add_attrs },
	{ "SetUserPoolMfaConfig", pool_mfa_set, API_SIGNED, &pool_s_set_mfa },
	{ "GetUserPoolMfaConfig", pool_mfa_get, API_SIGNED, &pool_s_pool_id },
	{ "RotateTriggerSigningSecret", pool_rotate_secret, API_SIGNED,
	    &pool_s_pool_id },
	{ NULL, NULL, 0, NULL }
};
