/*
 * test_mfa.c: the MFA rules of core/mfa.c, table-driven: which factors
 * a pool offers and a user may use, the challenge a sign-in answers in
 * every branch, the settings GetUser shows, SetUserMFAPreference's
 * changes and refusals, and sealed TOTP secrets (new, checked, replayed,
 * tampered with).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/mfa.h"
#include "crypto/keys.h"
#include "crypto/totp.h"
#include "suites.h"
#include "util.h"

#define MASTER	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"

/* Pools as DB_MFA_POOL_SQL gives them. */
#define P_OFF		"{\"MfaConfiguration\": \"OFF\"}"
#define P_OPT_TOTP	"{\"MfaConfiguration\": \"OPTIONAL\", " \
	"\"SoftwareTokenMfaConfiguration\": {\"Enabled\": true}}"
#define P_OPT_ALL	"{\"MfaConfiguration\": \"OPTIONAL\", " \
	"\"SmsMfaConfiguration\": " \
	"{\"SmsAuthenticationMessage\": \"{####}\"}, " \
	"\"EmailMfaConfiguration\": {\"Subject\": \"Code\"}, " \
	"\"SoftwareTokenMfaConfiguration\": {\"Enabled\": true}}"
#define P_OPT_SMS	"{\"MfaConfiguration\": \"OPTIONAL\", " \
	"\"SmsMfaConfiguration\": {}, " \
	"\"SoftwareTokenMfaConfiguration\": {\"Enabled\": false}}"
#define P_ON_TOTP	"{\"MfaConfiguration\": \"ON\", " \
	"\"SoftwareTokenMfaConfiguration\": {\"Enabled\": true}}"
#define P_ON_SMS	"{\"MfaConfiguration\": \"ON\", " \
	"\"SmsMfaConfiguration\": {}}"
#define P_ON_SMS_TOTP	"{\"MfaConfiguration\": \"ON\", " \
	"\"SmsMfaConfiguration\": {}, " \
	"\"SoftwareTokenMfaConfiguration\": {\"Enabled\": true}}"
#define P_ON_ALL	"{\"MfaConfiguration\": \"ON\", " \
	"\"SmsMfaConfiguration\": {}, \"EmailMfaConfiguration\": {}, " \
	"\"SoftwareTokenMfaConfiguration\": {\"Enabled\": true}}"
/* OFF with a factor left behind by UpdateUserPool: still nothing. */
#define P_OFF_TOTP	"{\"MfaConfiguration\": \"OFF\", " \
	"\"SoftwareTokenMfaConfiguration\": {\"Enabled\": true}}"

#define A_NONE		"{}"
#define A_PHONE		"{\"phone_number\": \"+15550100\"}"
#define A_EMAIL		"{\"email\": \"a@example.com\"}"
#define A_BOTH		"{\"phone_number\": \"+15550100\", " \
	"\"email\": \"a@example.com\"}"
#define A_EMPTY		"{\"phone_number\": \"\", \"email\": \"\"}"

static json_t *
J(const char *text)
{
	json_t	*j;

	if (text == NULL)
		return NULL;
	j = json_loads(text, 0, NULL);
	ck_assert_msg(j != NULL, "bad JSON in test: %s", text);
	return j;
}

/* --- names and lists --- */

START_TEST(test_names)
{
	char	*s;
	json_t	*a;

	ck_assert_str_eq(mfa_factor_name(MFA_SMS), "SMS_MFA");
	ck_assert_str_eq(mfa_factor_name(MFA_TOTP), "SOFTWARE_TOKEN_MFA");
	ck_assert_str_eq(mfa_factor_name(MFA_EMAIL), "EMAIL_OTP");
	ck_assert_ptr_null(mfa_factor_name(MFA_NFACTORS));
	ck_assert_int_eq(mfa_factor_from_name("SMS_MFA", 0), MFA_SMS);
	ck_assert_int_eq(mfa_factor_from_name("SOFTWARE_TOKEN_MFA", 0),
	    MFA_TOTP);
	ck_assert_int_eq(mfa_factor_from_name("EMAIL_OTP", 0), MFA_EMAIL);
	ck_assert_int_eq(mfa_factor_from_name("EMAIL_MFA", 0), -1);
	ck_assert_int_eq(mfa_factor_from_name("EMAIL_MFA", 1), MFA_EMAIL);
	ck_assert_int_eq(mfa_factor_from_name("sms_mfa", 1), -1);
	ck_assert_int_eq(mfa_factor_from_name(NULL, 1), -1);
	s = mfa_factor_list_text(MFA_ALL);
	ck_assert_str_eq(s,
	    "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]");
	free(s);
	s = mfa_factor_list_text(MFA_BIT(MFA_EMAIL) | MFA_BIT(MFA_SMS));
	ck_assert_str_eq(s, "[\"SMS_MFA\",\"EMAIL_OTP\"]");
	free(s);
	s = mfa_factor_list_text(0);
	ck_assert_str_eq(s, "[]");
	free(s);
	a = mfa_factor_list(MFA_BIT(MFA_TOTP));
	ck_assert_uint_eq(json_array_size(a), 1);
	ck_assert_str_eq(json_string_value(json_array_get(a, 0)),
	    "SOFTWARE_TOKEN_MFA");
	json_decref(a);
}
END_TEST

/* --- pools --- */

static const struct {
	const char	*pool;
	enum mfa_mode	 mode;
	unsigned	 factors;
} pools[] = {
	{ NULL, MFA_OFF, 0 },
	{ "{}", MFA_OFF, 0 },
	{ P_OFF, MFA_OFF, 0 },
	{ P_OFF_TOTP, MFA_OFF, 0 },
	{ "{\"MfaConfiguration\": \"on\"}", MFA_OFF, 0 },
	{ "{\"MfaConfiguration\": 1}", MFA_OFF, 0 },
	{ P_OPT_TOTP, MFA_OPTIONAL, MFA_BIT(MFA_TOTP) },
	{ P_OPT_SMS, MFA_OPTIONAL, MFA_BIT(MFA_SMS) },
	{ P_OPT_ALL, MFA_OPTIONAL, MFA_ALL },
	{ P_ON_SMS_TOTP, MFA_ON, MFA_BIT(MFA_SMS) | MFA_BIT(MFA_TOTP) },
	/* A member that is not an object offers nothing. */
	{ "{\"MfaConfiguration\": \"ON\", \"SmsMfaConfiguration\": null, "
	    "\"EmailMfaConfiguration\": true, "
	    "\"SoftwareTokenMfaConfiguration\": {\"Enabled\": \"true\"}}",
	    MFA_ON, 0 },
};

START_TEST(test_pool)
{
	json_t	*p = J(pools[_i].pool);

	ck_assert_int_eq(mfa_pool_mode(p), pools[_i].mode);
	ck_assert_uint_eq(mfa_pool_factors(p), pools[_i].factors);
	json_decref(p);
}
END_TEST

/* --- users --- */

START_TEST(test_user)
{
	json_t	*m, *a;

	m = J("{\"sms\": true, \"email\": false, \"totp\": true, "
	    "\"preferred\": \"SOFTWARE_TOKEN_MFA\"}");
	ck_assert_uint_eq(mfa_user_enabled(m),
	    MFA_BIT(MFA_SMS) | MFA_BIT(MFA_TOTP));
	ck_assert_int_eq(mfa_user_preferred(m), MFA_TOTP);
	json_decref(m);
	m = J("{\"sms\": \"true\", \"preferred\": \"NONE\"}");
	ck_assert_uint_eq(mfa_user_enabled(m), 0);
	ck_assert_int_eq(mfa_user_preferred(m), -1);
	json_decref(m);
	ck_assert_uint_eq(mfa_user_enabled(NULL), 0);
	ck_assert_int_eq(mfa_user_preferred(NULL), -1);

	a = J(A_BOTH);
	ck_assert_uint_eq(mfa_user_means(a, 0),
	    MFA_BIT(MFA_SMS) | MFA_BIT(MFA_EMAIL));
	ck_assert_uint_eq(mfa_user_means(a, 1), MFA_ALL);
	json_decref(a);
	a = J(A_EMPTY);
	ck_assert_uint_eq(mfa_user_means(a, 0), 0);
	json_decref(a);
	ck_assert_uint_eq(mfa_user_means(NULL, 1), MFA_BIT(MFA_TOTP));
}
END_TEST

/* --- mfa_decide, every branch --- */

#define SMS	MFA_BIT(MFA_SMS)
#define TOTP	MFA_BIT(MFA_TOTP)
#define EMAIL	MFA_BIT(MFA_EMAIL)

static const struct {
	const char	*why;
	const char	*pool;
	const char	*mfa;
	const char	*attrs;
	int		 totp;		/* has a verified secret */
	enum mfa_step	 step;
	const char	*challenge;
	unsigned	 factors;
} decisions[] = {
	/* OFF: never, whatever the user turned on. */
	{ "off", P_OFF, "{\"totp\": true, \"sms\": true}", A_BOTH, 1,
	    MFA_STEP_NONE, NULL, 0 },
	{ "off with a factor left", P_OFF_TOTP, "{\"totp\": true}", A_NONE,
	    1, MFA_STEP_NONE, NULL, 0 },
	{ "no pool settings", NULL, NULL, NULL, 0, MFA_STEP_NONE, NULL, 0 },
	/* OPTIONAL: only what the user turned on and can use. */
	{ "optional, nothing on", P_OPT_ALL, "{}", A_BOTH, 1,
	    MFA_STEP_NONE, NULL, 0 },
	{ "optional, token verified but not on", P_OPT_TOTP, "{}", A_NONE,
	    1, MFA_STEP_NONE, NULL, 0 },
	{ "optional, totp on", P_OPT_TOTP, "{\"totp\": true}", A_NONE, 1,
	    MFA_STEP_CHALLENGE, "SOFTWARE_TOKEN_MFA", TOTP },
	{ "optional, totp on without a secret", P_OPT_TOTP,
	    "{\"totp\": true}", A_NONE, 0, MFA_STEP_NONE, NULL, 0 },
	{ "optional, sms on", P_OPT_ALL, "{\"sms\": true}", A_PHONE, 0,
	    MFA_STEP_CHALLENGE, "SMS_MFA", SMS },
	{ "optional, sms on, no phone", P_OPT_ALL, "{\"sms\": true}",
	    A_EMAIL, 0, MFA_STEP_NONE, NULL, 0 },
	{ "optional, sms on, empty phone", P_OPT_ALL, "{\"sms\": true}",
	    A_EMPTY, 0, MFA_STEP_NONE, NULL, 0 },
	{ "optional, sms on, pool without sms", P_OPT_TOTP,
	    "{\"sms\": true}", A_PHONE, 0, MFA_STEP_NONE, NULL, 0 },
	{ "optional, email on", P_OPT_ALL, "{\"email\": true}", A_EMAIL, 0,
	    MFA_STEP_CHALLENGE, "EMAIL_OTP", EMAIL },
	{ "optional, email on, no email", P_OPT_ALL, "{\"email\": true}",
	    A_PHONE, 0, MFA_STEP_NONE, NULL, 0 },
	/* A verified token outlives the pool's TOTP setting. */
	{ "optional, totp on, pool stopped totp", P_OPT_SMS,
	    "{\"totp\": true}", A_NONE, 1, MFA_STEP_CHALLENGE,
	    "SOFTWARE_TOKEN_MFA", TOTP },
	/* Several: the preferred one, else a choice. */
	{ "optional, two on, none preferred", P_OPT_ALL,
	    "{\"sms\": true, \"email\": true}", A_BOTH, 0,
	    MFA_STEP_SELECT, "SELECT_MFA_TYPE", SMS | EMAIL },
	{ "optional, three on, none preferred", P_OPT_ALL,
	    "{\"sms\": true, \"email\": true, \"totp\": true}", A_BOTH, 1,
	    MFA_STEP_SELECT, "SELECT_MFA_TYPE", SMS | EMAIL | TOTP },
	{ "optional, two on, email preferred", P_OPT_ALL,
	    "{\"sms\": true, \"email\": true, \"preferred\": \"EMAIL_OTP\"}",
	    A_BOTH, 0, MFA_STEP_CHALLENGE, "EMAIL_OTP", EMAIL },
	{ "optional, two on, totp preferred", P_OPT_ALL,
	    "{\"sms\": true, \"totp\": true, "
	    "\"preferred\": \"SOFTWARE_TOKEN_MFA\"}", A_PHONE, 1,
	    MFA_STEP_CHALLENGE, "SOFTWARE_TOKEN_MFA", TOTP },
	/* A preference for a factor no longer usable is ignored. */
	{ "optional, preferred unusable, one left", P_OPT_ALL,
	    "{\"sms\": true, \"totp\": true, \"preferred\": \"SMS_MFA\"}",
	    A_NONE, 1, MFA_STEP_CHALLENGE, "SOFTWARE_TOKEN_MFA", TOTP },
	{ "optional, preferred unusable, two left", P_OPT_ALL,
	    "{\"sms\": true, \"totp\": true, \"email\": true, "
	    "\"preferred\": \"SMS_MFA\"}", A_EMAIL, 1, MFA_STEP_SELECT,
	    "SELECT_MFA_TYPE", TOTP | EMAIL },
	{ "optional, preferred not on", P_OPT_ALL,
	    "{\"sms\": true, \"preferred\": \"EMAIL_OTP\"}", A_BOTH, 0,
	    MFA_STEP_CHALLENGE, "SMS_MFA", SMS },
	/* ON: SMS to a phone number without turning it on. */
	{ "on, sms pool, phone", P_ON_SMS, "{}", A_PHONE, 0,
	    MFA_STEP_CHALLENGE, "SMS_MFA", SMS },
	{ "on, sms pool, no phone", P_ON_SMS, "{}", A_EMAIL, 0,
	    MFA_STEP_SETUP, "MFA_SETUP", SMS },
	{ "on, sms+totp, phone", P_ON_SMS_TOTP, "{}", A_PHONE, 0,
	    MFA_STEP_CHALLENGE, "SMS_MFA", SMS },
	{ "on, sms+totp, no phone: set up", P_ON_SMS_TOTP, "{}", A_NONE, 0,
	    MFA_STEP_SETUP, "MFA_SETUP", SMS | TOTP },
	{ "on, totp pool, nothing yet", P_ON_TOTP, "{}", A_BOTH, 0,
	    MFA_STEP_SETUP, "MFA_SETUP", TOTP },
	{ "on, all, nothing at all", P_ON_ALL, "{}", A_NONE, 0,
	    MFA_STEP_SETUP, "MFA_SETUP", SMS | TOTP | EMAIL },
	/* ON: a verified token counts without being turned on. */
	{ "on, totp pool, token verified", P_ON_TOTP, "{}", A_NONE, 1,
	    MFA_STEP_CHALLENGE, "SOFTWARE_TOKEN_MFA", TOTP },
	{ "on, token turned off still counts", P_ON_TOTP,
	    "{\"totp\": false}", A_NONE, 1, MFA_STEP_CHALLENGE,
	    "SOFTWARE_TOKEN_MFA", TOTP },
	{ "on, phone and token: choose", P_ON_SMS_TOTP, "{}", A_PHONE, 1,
	    MFA_STEP_SELECT, "SELECT_MFA_TYPE", SMS | TOTP },
	{ "on, phone and token, totp preferred", P_ON_SMS_TOTP,
	    "{\"totp\": true, \"preferred\": \"SOFTWARE_TOKEN_MFA\"}",
	    A_PHONE, 1, MFA_STEP_CHALLENGE, "SOFTWARE_TOKEN_MFA", TOTP },
	{ "on, phone and email", P_ON_ALL, "{}", A_BOTH, 0,
	    MFA_STEP_SELECT, "SELECT_MFA_TYPE", SMS | EMAIL },
	{ "on, email only", P_ON_ALL, "{}", A_EMAIL, 0,
	    MFA_STEP_CHALLENGE, "EMAIL_OTP", EMAIL },
	{ "on, sms pool, sms on without phone", P_ON_SMS,
	    "{\"sms\": true}", A_NONE, 0, MFA_STEP_SETUP, "MFA_SETUP", SMS },
};

START_TEST(test_decide)
{
	json_t			*p = J(decisions[_i].pool);
	json_t			*m = J(decisions[_i].mfa);
	json_t			*a = J(decisions[_i].attrs);
	struct mfa_decision	 d;

	mfa_decide(p, m, a, decisions[_i].totp, &d);
	ck_assert_msg(d.step == decisions[_i].step, "%s: step %d",
	    decisions[_i].why, d.step);
	if (decisions[_i].challenge == NULL)
		ck_assert_ptr_null(d.challenge);
	else
		ck_assert_str_eq(d.challenge, decisions[_i].challenge);
	ck_assert_msg(d.factors == decisions[_i].factors, "%s: factors %x",
	    decisions[_i].why, d.factors);
	if (d.step == MFA_STEP_CHALLENGE)
		ck_assert_str_eq(mfa_factor_name(d.factor), d.challenge);
	/* What may be challenged agrees with the decision. */
	if (d.step == MFA_STEP_CHALLENGE || d.step == MFA_STEP_SELECT)
		ck_assert((mfa_usable(p, m, a, decisions[_i].totp) &
		    d.factors) == d.factors);
	else
		ck_assert_uint_eq(mfa_usable(p, m, a, decisions[_i].totp), 0);
	json_decref(p);
	json_decref(m);
	json_decref(a);
}
END_TEST

/* --- GetUser's members --- */

static const struct {
	const char	*pool;
	const char	*mfa;
	const char	*attrs;
	const char	*want;
} settings[] = {
	{ P_OPT_ALL, "{}", A_BOTH, "{}" },
	{ P_OPT_ALL, NULL, NULL, "{}" },
	{ P_OPT_TOTP, "{\"totp\": true, \"preferred\": \"SOFTWARE_TOKEN_MFA\", "
	    "\"totp_name\": \"phone\"}", A_NONE,
	    "{\"UserMFASettingList\": [\"SOFTWARE_TOKEN_MFA\"], "
	    "\"PreferredMfaSetting\": \"SOFTWARE_TOKEN_MFA\"}" },
	/* Turned on, not preferred: no PreferredMfaSetting. */
	{ P_OPT_ALL, "{\"email\": true, \"totp\": true}", A_EMAIL,
	    "{\"UserMFASettingList\": [\"SOFTWARE_TOKEN_MFA\", "
	    "\"EMAIL_OTP\"]}" },
	/* A preference for a factor not on is not shown. */
	{ P_OPT_ALL, "{\"email\": true, \"preferred\": \"SMS_MFA\"}", A_EMAIL,
	    "{\"UserMFASettingList\": [\"EMAIL_OTP\"]}" },
	/* SMS on: the legacy MFAOptions too. */
	{ P_OPT_ALL, "{\"sms\": true, \"preferred\": \"SMS_MFA\"}", A_PHONE,
	    "{\"UserMFASettingList\": [\"SMS_MFA\"], "
	    "\"PreferredMfaSetting\": \"SMS_MFA\", \"MFAOptions\": "
	    "[{\"DeliveryMedium\": \"SMS\", "
	    "\"AttributeName\": \"phone_number\"}]}" },
	{ P_OPT_ALL, "{\"sms\": true}", A_NONE,
	    "{\"UserMFASettingList\": [\"SMS_MFA\"]}" },
	/* ON with SMS: applies to a phone number without a setting. */
	{ P_ON_SMS, "{}", A_PHONE, "{\"MFAOptions\": "
	    "[{\"DeliveryMedium\": \"SMS\", "
	    "\"AttributeName\": \"phone_number\"}]}" },
	{ P_ON_TOTP, "{}", A_PHONE, "{}" },
	{ P_OFF, "{}", A_PHONE, "{}" },
};

START_TEST(test_settings)
{
	json_t	*p = J(settings[_i].pool), *m = J(settings[_i].mfa);
	json_t	*a = J(settings[_i].attrs), *want = J(settings[_i].want);
	json_t	*got = mfa_user_settings(p, m, a);
	char	*text = json_dumps(got, JSON_SORT_KEYS);

	ck_assert_msg(json_equal(got, want), "case %d: %s", _i, text);
	free(text);
	json_decref(got);
	json_decref(want);
	json_decref(p);
	json_decref(m);
	json_decref(a);
}
END_TEST

/* --- SetUserMFAPreference --- */

static const struct {
	const char	*mfa;
	const char	*in;
	const char	*attrs;
	int		 totp;
	const char	*want;		/* NULL: refused with msg */
	const char	*msg;
} changes[] = {
	/* Nothing asked: nothing changes. */
	{ "{\"sms\": true}", "{}", A_PHONE, 0, "{\"sms\": true}", NULL },
	{ NULL, "{}", A_NONE, 0, "{}", NULL },
	/* Turn on, with and without preference. */
	{ "{}", "{\"SoftwareTokenMfaSettings\": {\"Enabled\": true, "
	    "\"PreferredMfa\": true}}", A_NONE, 1,
	    "{\"totp\": true, \"preferred\": \"SOFTWARE_TOKEN_MFA\"}", NULL },
	{ "{}", "{\"SMSMfaSettings\": {\"Enabled\": true}}", A_PHONE, 0,
	    "{\"sms\": true}", NULL },
	{ "{}", "{\"EmailMfaSettings\": {\"Enabled\": true, "
	    "\"PreferredMfa\": false}}", A_EMAIL, 0, "{\"email\": true}",
	    NULL },
	/* Preferring a factor already on, alone. */
	{ "{\"sms\": true, \"email\": true}", "{\"SMSMfaSettings\": "
	    "{\"PreferredMfa\": true}}", A_BOTH, 0, "{\"sms\": true, "
	    "\"email\": true, \"preferred\": \"SMS_MFA\"}", NULL },
	/* A new preference replaces the old one. */
	{ "{\"sms\": true, \"totp\": true, \"preferred\": \"SMS_MFA\"}",
	    "{\"SoftwareTokenMfaSettings\": {\"Enabled\": true, "
	    "\"PreferredMfa\": true}, \"SMSMfaSettings\": {\"Enabled\": true, "
	    "\"PreferredMfa\": false}}", A_PHONE, 1, "{\"sms\": true, "
	    "\"totp\": true, \"preferred\": \"SOFTWARE_TOKEN_MFA\"}", NULL },
	{ "{\"sms\": true, \"totp\": true, \"preferred\": \"SMS_MFA\"}",
	    "{\"SoftwareTokenMfaSettings\": {\"PreferredMfa\": true}}",
	    A_PHONE, 1, "{\"sms\": true, \"totp\": true, "
	    "\"preferred\": \"SOFTWARE_TOKEN_MFA\"}", NULL },
	/* Turning the preferred factor off drops the preference. */
	{ "{\"sms\": true, \"totp\": true, \"preferred\": \"SMS_MFA\"}",
	    "{\"SMSMfaSettings\": {\"Enabled\": false}}", A_PHONE, 1,
	    "{\"sms\": false, \"totp\": true}", NULL },
	/* No longer preferred, still on. */
	{ "{\"sms\": true, \"preferred\": \"SMS_MFA\"}",
	    "{\"SMSMfaSettings\": {\"PreferredMfa\": false}}", A_PHONE, 0,
	    "{\"sms\": true}", NULL },
	/* Turning off another factor keeps the preference. */
	{ "{\"sms\": true, \"totp\": true, \"preferred\": \"SMS_MFA\"}",
	    "{\"SoftwareTokenMfaSettings\": {\"Enabled\": false, "
	    "\"PreferredMfa\": false}}", A_PHONE, 1,
	    "{\"sms\": true, \"totp\": false, \"preferred\": \"SMS_MFA\"}",
	    NULL },
	/* Turning off needs no means; other members are kept. */
	{ "{\"totp\": true, \"totp_name\": \"x\"}",
	    "{\"SoftwareTokenMfaSettings\": {\"Enabled\": false}, "
	    "\"SMSMfaSettings\": {\"Enabled\": false}}", A_NONE, 0,
	    "{\"totp\": false, \"sms\": false, \"totp_name\": \"x\"}", NULL },
	/* WebAuthn settings are not MFA here: ignored. */
	{ "{}", "{\"WebAuthnMfaSettings\": {\"Enabled\": true}}", A_NONE, 0,
	    "{}", NULL },
	/* Refusals. */
	{ "{}", "{\"SoftwareTokenMfaSettings\": {\"Enabled\": true, "
	    "\"PreferredMfa\": true}}", A_BOTH, 0, NULL,
	    "User does not have delivery config set to turn on "
	    "SOFTWARE_TOKEN_MFA" },
	{ "{}", "{\"SMSMfaSettings\": {\"Enabled\": true}}", A_EMAIL, 0,
	    NULL, "User does not have delivery config set to turn on "
	    "SMS_MFA" },
	{ "{}", "{\"SMSMfaSettings\": {\"Enabled\": true}}", A_EMPTY, 0,
	    NULL, "User does not have delivery config set to turn on "
	    "SMS_MFA" },
	{ "{}", "{\"EmailMfaSettings\": {\"Enabled\": true}}", A_PHONE, 0,
	    NULL, "User does not have delivery config set to turn on "
	    "EMAIL_OTP" },
	{ "{}", "{\"SMSMfaSettings\": {\"PreferredMfa\": true}}", A_PHONE, 0,
	    NULL, "SMS_MFA cannot be the preferred MFA method because it is "
	    "not enabled for the user" },
	{ "{\"sms\": true}", "{\"SMSMfaSettings\": {\"Enabled\": false, "
	    "\"PreferredMfa\": true}}", A_PHONE, 0, NULL, "SMS_MFA cannot be "
	    "the preferred MFA method because it is not enabled for the "
	    "user" },
	{ "{\"sms\": true, \"email\": true}", "{\"SMSMfaSettings\": "
	    "{\"PreferredMfa\": true}, \"EmailMfaSettings\": "
	    "{\"PreferredMfa\": true}}", A_BOTH, 0, NULL,
	    "Only one MFA method can be the preferred MFA method" },
};

START_TEST(test_apply)
{
	json_t		*m = J(changes[_i].mfa), *in = J(changes[_i].in);
	json_t		*a = J(changes[_i].attrs), *got, *want;
	enum core_err_kind	 kind = CORE_ERR_NKINDS;
	char			*emsg = NULL, *text;

	got = mfa_apply_settings(m, in, a, changes[_i].totp, &kind, &emsg);
	if (changes[_i].want == NULL) {
		ck_assert_ptr_null(got);
		ck_assert_int_eq(kind, CORE_ERR_INVALID);
		ck_assert_str_eq(emsg, changes[_i].msg);
		free(emsg);
	} else {
		ck_assert_ptr_nonnull(got);
		ck_assert_ptr_null(emsg);
		want = J(changes[_i].want);
		text = json_dumps(got, JSON_SORT_KEYS);
		ck_assert_msg(json_equal(got, want), "case %d: %s", _i, text);
		free(text);
		json_decref(want);
		json_decref(got);
	}
	/* The input settings are never modified. */
	if (changes[_i].mfa != NULL) {
		want = J(changes[_i].mfa);
		ck_assert(json_equal(m, want));
		json_decref(want);
	}
	json_decref(m);
	json_decref(in);
	json_decref(a);
}
END_TEST

/* --- after VerifySoftwareToken --- */

static const struct {
	const char	*mfa;
	const char	*name;
	int		 enable;
	const char	*want;
} verified[] = {
	{ "{}", "phone", 0, "{\"totp_name\": \"phone\"}" },
	{ NULL, NULL, 0, "{}" },
	{ "{\"totp_name\": \"old\"}", "", 0, "{}" },
	{ "{\"totp_name\": \"old\", \"totp\": true}", NULL, 0,
	    "{\"totp\": true}" },
	{ "{}", "app", 1, "{\"totp\": true, \"totp_name\": \"app\", "
	    "\"preferred\": \"SOFTWARE_TOKEN_MFA\"}" },
	/* Another preferred factor stays preferred. */
	{ "{\"sms\": true, \"preferred\": \"SMS_MFA\"}", NULL, 1,
	    "{\"sms\": true, \"totp\": true, \"preferred\": \"SMS_MFA\"}" },
	/* A stale preference does not. */
	{ "{\"sms\": false, \"preferred\": \"SMS_MFA\"}", NULL, 1,
	    "{\"sms\": false, \"totp\": true, "
	    "\"preferred\": \"SOFTWARE_TOKEN_MFA\"}" },
};

START_TEST(test_verified)
{
	json_t	*m = J(verified[_i].mfa), *want = J(verified[_i].want);
	json_t	*got = mfa_totp_verified(m, verified[_i].name,
		    verified[_i].enable);

	ck_assert_msg(json_equal(got, want), "case %d", _i);
	if (verified[_i].name != NULL && *verified[_i].name != '\0')
		ck_assert_str_eq(mfa_totp_name(got), verified[_i].name);
	else
		ck_assert_ptr_null(mfa_totp_name(got));
	json_decref(got);
	json_decref(want);
	json_decref(m);
}
END_TEST

/* --- sealed secrets --- */

static char	master_file[64];

static void
master_setup(void)
{
	FILE	*f;
	char	*cause = NULL;
	int	 fd;

	strlcpy(master_file, "/tmp/userpoold-mfa.XXXXXX", sizeof master_file);
	if ((fd = mkstemp(master_file)) == -1)
		abort();
	close(fd);
	if ((f = fopen(master_file, "w")) == NULL)
		abort();
	fputs(MASTER, f);
	fclose(f);
	if (keys_master_load(master_file, 0, &cause) != 0)
		abort();
}

static void
master_teardown(void)
{
	keys_master_clear();
	unlink(master_file);
}

/* The code of a base32 secret at step. */
static void
code_at(const char *b32, int64_t step, char out[TOTP_DIGITS + 1])
{
	unsigned char	*key;
	size_t		 len;

	ck_assert_int_eq(totp_base32_decode(b32, &key, &len), 0);
	ck_assert_uint_eq(len, TOTP_SECRET_BYTES);
	totp_code(key, len, step, TOTP_DIGITS, out);
	free(key);
}

START_TEST(test_totp_secret)
{
	char	*sealed, *b32, *sealed2, *b322, code[TOTP_DIGITS + 1];
	int64_t	 now = 1700000000, step = now / TOTP_STEP;

	mfa_totp_new(&sealed, &b32);
	ck_assert_uint_eq(strlen(b32), 32);
	ck_assert_uint_eq(strspn(b32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
	/* Sealed, not the secret in clear. */
	ck_assert_ptr_null(strstr(sealed, b32));
	ck_assert_int_eq(strncmp(sealed, "v1.", 3), 0);
	mfa_totp_new(&sealed2, &b322);
	ck_assert_str_ne(b32, b322);
	ck_assert_str_ne(sealed, sealed2);

	code_at(b32, step, code);
	ck_assert_int_eq(mfa_totp_check(sealed, code, now, 0), step);
	/* Replay: the step was used. */
	ck_assert_int_eq(mfa_totp_check(sealed, code, now, step), -1);
	/* One step of drift either side, not two. */
	ck_assert_int_eq(mfa_totp_check(sealed, code, now + TOTP_STEP, 0),
	    step);
	ck_assert_int_eq(mfa_totp_check(sealed, code, now - TOTP_STEP, 0),
	    step);
	ck_assert_int_eq(mfa_totp_check(sealed, code, now + 2 * TOTP_STEP,
	    0), -1);
	/* The next step's code after this one was used. */
	code_at(b32, step + 1, code);
	ck_assert_int_eq(mfa_totp_check(sealed, code, now, step), step + 1);
	/* Another user's secret. */
	ck_assert_int_eq(mfa_totp_check(sealed2, code, now, 0), -1);
	/* Malformed codes, secrets that do not open. */
	ck_assert_int_eq(mfa_totp_check(sealed, "12345", now, 0), -1);
	ck_assert_int_eq(mfa_totp_check(sealed, "12345a", now, 0), -1);
	ck_assert_int_eq(mfa_totp_check(sealed, NULL, now, 0), -1);
	ck_assert_int_eq(mfa_totp_check(NULL, code, now, 0), -1);
	ck_assert_int_eq(mfa_totp_check("v1.x.y", code, now, 0), -1);
	sealed[strlen(sealed) - 2] ^= 1;
	ck_assert_int_eq(mfa_totp_check(sealed, code, now, step), -1);
	free(sealed);
	free(sealed2);
	wipe_free(b32);
	wipe_free(b322);
}
END_TEST

/* A sealed secret of another length is refused. */
START_TEST(test_totp_short)
{
	char	*sealed = keys_seal("0123456789", 10);

	ck_assert_int_eq(mfa_totp_check(sealed, "123456", 1700000000, 0), -1);
	free(sealed);
}
END_TEST

Suite *
mfa_suite(void)
{
	Suite	*s = suite_create("mfa");
	TCase	*tc = tcase_create("rules");
	TCase	*tk = tcase_create("totp");

	tcase_add_test(tc, test_names);
	tcase_add_loop_test(tc, test_pool, 0, nitems(pools));
	tcase_add_test(tc, test_user);
	tcase_add_loop_test(tc, test_decide, 0, nitems(decisions));
	tcase_add_loop_test(tc, test_settings, 0, nitems(settings));
	tcase_add_loop_test(tc, test_apply, 0, nitems(changes));
	tcase_add_loop_test(tc, test_verified, 0, nitems(verified));
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tk, master_setup, master_teardown);
	tcase_add_test(tk, test_totp_secret);
	tcase_add_test(tk, test_totp_short);
	suite_add_tcase(s, tk);
	return s;
}
