/*
 * mfa.c: the rules of second factors (see mfa.h for the data).
 *
 * Which factors a sign-in may challenge with (mfa_usable):
 *   - none while the pool's MfaConfiguration is OFF;
 *   - SMS and e-mail while the pool offers them and the user has the
 *     means (phone_number, email) and turned them on, or, in an ON
 *     pool, without turning them on: Cognito sends an SMS code to a
 *     user with a phone number in a pool that requires MFA and offers
 *     SMS. E-mail is treated the same way; Cognito's documentation
 *     does not say (our choice);
 *   - TOTP while the user has a verified secret and turned TOTP on
 *     (even when the pool stopped offering TOTP: Cognito documents
 *     that such users keep using their token), or, in an ON pool that
 *     offers TOTP, without turning it on (a token verified during
 *     MFA_SETUP or with an access token makes the user able to sign
 *     in, and Cognito then offers it beside SMS).
 * In an ON pool a user cannot turn a factor off for sign-in that way:
 * the settings still change, but the factor still applies, which is
 * how Cognito documents "you can't turn off TOTP MFA when MFA is
 * required".
 *
 * What a sign-in does (mfa_decide): nothing usable: MFA_SETUP with the
 * factors the pool offers in an ON pool, no MFA otherwise; the user's
 * preferred factor when it is usable; the only usable factor; else
 * SELECT_MFA_TYPE with the usable ones. A preference for a factor that
 * is no longer usable is ignored (our choice; Cognito does not say).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/mfa.h"
#include "crypto/keys.h"
#include "crypto/totp.h"
#include "util.h"

/* Per factor: challenge name, users.mfa key, settings input member. */
static const struct {
	const char	*name;
	const char	*key;
	const char	*input;
} mfa_factors[MFA_NFACTORS] = {
	[MFA_SMS] = { "SMS_MFA", "sms", "SMSMfaSettings" },
	[MFA_TOTP] = { "SOFTWARE_TOKEN_MFA", "totp",
	    "SoftwareTokenMfaSettings" },
	[MFA_EMAIL] = { "EMAIL_OTP", "email", "EmailMfaSettings" },
};

const char *
mfa_factor_name(enum mfa_factor f)
{
	return f < MFA_NFACTORS ? mfa_factors[f].name : NULL;
}

int
mfa_factor_from_name(const char *name, int answer)
{
	int	f;

	if (name == NULL)
		return -1;
	for (f = 0; f < MFA_NFACTORS; f++)
		if (strcmp(name, mfa_factors[f].name) == 0)
			return f;
	if (answer && strcmp(name, "EMAIL_MFA") == 0)
		return MFA_EMAIL;
	return -1;
}

json_t *
mfa_factor_list(unsigned set)
{
	json_t	*a = json_array();
	int	 f;

	for (f = 0; f < MFA_NFACTORS; f++)
		if (set & MFA_BIT(f))
			json_array_append_new(a,
			    json_string(mfa_factors[f].name));
	return a;
}

char *
mfa_factor_list_text(unsigned set)
{
	json_t	*a = mfa_factor_list(set);
	char	*s;

	if ((s = json_dumps(a, JSON_COMPACT)) == NULL)
		fatalx("mfa_factor_list_text: json");
	json_decref(a);
	return s;
}

enum mfa_mode
mfa_pool_mode(json_t *pool)
{
	const char	*m = json_string_value(json_object_get(pool,
			    "MfaConfiguration"));

	if (m != NULL && strcmp(m, "ON") == 0)
		return MFA_ON;
	if (m != NULL && strcmp(m, "OPTIONAL") == 0)
		return MFA_OPTIONAL;
	return MFA_OFF;
}

unsigned
mfa_pool_factors(json_t *pool)
{
	unsigned	 set = 0;
	json_t		*totp;

	if (mfa_pool_mode(pool) == MFA_OFF)
		return 0;
	if (json_is_object(json_object_get(pool, "SmsMfaConfiguration")))
		set |= MFA_BIT(MFA_SMS);
	if (json_is_object(json_object_get(pool, "EmailMfaConfiguration")))
		set |= MFA_BIT(MFA_EMAIL);
	totp = json_object_get(pool, "SoftwareTokenMfaConfiguration");
	if (json_is_true(json_object_get(totp, "Enabled")))
		set |= MFA_BIT(MFA_TOTP);
	return set;
}

unsigned
mfa_user_enabled(json_t *mfa)
{
	unsigned	set = 0;
	int		f;

	for (f = 0; f < MFA_NFACTORS; f++)
		if (json_is_true(json_object_get(mfa, mfa_factors[f].key)))
			set |= MFA_BIT(f);
	return set;
}

int
mfa_user_preferred(json_t *mfa)
{
	return mfa_factor_from_name(json_string_value(json_object_get(mfa,
	    "preferred")), 0);
}

/* A present, non-empty attribute. */
static int
mfa_has_attr(json_t *attrs, const char *name)
{
	const char	*v = json_string_value(json_object_get(attrs, name));

	return v != NULL && *v != '\0';
}

unsigned
mfa_user_means(json_t *attrs, int has_totp)
{
	unsigned	set = 0;

	if (mfa_has_attr(attrs, "phone_number"))
		set |= MFA_BIT(MFA_SMS);
	if (mfa_has_attr(attrs, "email"))
		set |= MFA_BIT(MFA_EMAIL);
	if (has_totp)
		set |= MFA_BIT(MFA_TOTP);
	return set;
}

unsigned
mfa_usable(json_t *pool, json_t *mfa, json_t *attrs, int has_totp)
{
	enum mfa_mode	mode = mfa_pool_mode(pool);
	unsigned	offered = mfa_pool_factors(pool);
	unsigned	means = mfa_user_means(attrs, has_totp);
	unsigned	on = mfa_user_enabled(mfa), set;
	const unsigned	messages = MFA_BIT(MFA_SMS) | MFA_BIT(MFA_EMAIL);

	if (mode == MFA_OFF)
		return 0;
	if (mode == MFA_ON)
		on |= offered;
	/* Messages need the pool's delivery settings. */
	set = on & offered & means & messages;
	/* A verified token outlives the pool's TOTP setting. */
	if ((on & means & MFA_BIT(MFA_TOTP)) != 0)
		set |= MFA_BIT(MFA_TOTP);
	return set;
}

/* The only factor of a set with one member, else -1. */
static int
mfa_single(unsigned set)
{
	int	f, found = -1;

	for (f = 0; f < MFA_NFACTORS; f++) {
		if ((set & MFA_BIT(f)) == 0)
			continue;
		if (found >= 0)
			return -1;
		found = f;
	}
	return found;
}

void
mfa_decide(json_t *pool, json_t *mfa, json_t *attrs, int has_totp,
    struct mfa_decision *d)
{
	enum mfa_mode	mode = mfa_pool_mode(pool);
	unsigned	usable = mfa_usable(pool, mfa, attrs, has_totp);
	int		f = mfa_user_preferred(mfa);

	memset(d, 0, sizeof *d);
	d->step = MFA_STEP_NONE;
	if (usable == 0) {
		if (mode == MFA_ON) {
			d->step = MFA_STEP_SETUP;
			d->challenge = "MFA_SETUP";
			d->factors = mfa_pool_factors(pool);
		}
		return;
	}
	if (f < 0 || (usable & MFA_BIT(f)) == 0)
		f = mfa_single(usable);
	if (f >= 0) {
		d->step = MFA_STEP_CHALLENGE;
		d->factor = f;
		d->challenge = mfa_factors[f].name;
		d->factors = MFA_BIT(f);
		return;
	}
	d->step = MFA_STEP_SELECT;
	d->challenge = "SELECT_MFA_TYPE";
	d->factors = usable;
}

json_t *
mfa_user_settings(json_t *pool, json_t *mfa, json_t *attrs)
{
	json_t		*out = json_object();
	unsigned	 on = mfa_user_enabled(mfa);
	int		 f = mfa_user_preferred(mfa);
	int		 sms;

	if (on != 0)
		json_object_set_new(out, "UserMFASettingList",
		    mfa_factor_list(on));
	if (f >= 0 && (on & MFA_BIT(f)) != 0)
		json_object_set_new(out, "PreferredMfaSetting",
		    json_string(mfa_factors[f].name));
	sms = (on & MFA_BIT(MFA_SMS)) != 0 || (mfa_pool_mode(pool) ==
	    MFA_ON && (mfa_pool_factors(pool) & MFA_BIT(MFA_SMS)) != 0);
	if (sms && mfa_has_attr(attrs, "phone_number"))
		json_object_set_new(out, "MFAOptions", json_pack("[{s:s, s:s}]",
		    "DeliveryMedium", "SMS", "AttributeName", "phone_number"));
	return out;
}

/* A copy of users.mfa that is surely an object. */
static json_t *
mfa_copy(json_t *mfa)
{
	return json_is_object(mfa) ? json_deep_copy(mfa) : json_object();
}

/*
 * Check one factor's settings against the user's means and the settings
 * that result; -1 with the message set.
 */
static int
mfa_check_setting(int f, json_t *s, unsigned means, unsigned on,
    char **emsg)
{
	if (json_is_true(json_object_get(s, "Enabled")) &&
	    (means & MFA_BIT(f)) == 0) {
		*emsg = xasprintf("User does not have delivery config set to "
		    "turn on %s", mfa_factors[f].name);
		return -1;
	}
	if (json_is_true(json_object_get(s, "PreferredMfa")) &&
	    (on & MFA_BIT(f)) == 0) {
		*emsg = xasprintf("%s cannot be the preferred MFA method "
		    "because it is not enabled for the user",
		    mfa_factors[f].name);
		return -1;
	}
	return 0;
}

/* Apply one factor's checked settings to the copy of users.mfa. */
static void
mfa_set_factor(json_t *out, int f, json_t *s)
{
	json_t	*en = json_object_get(s, "Enabled");
	json_t	*pr = json_object_get(s, "PreferredMfa");
	int	 preferred = mfa_user_preferred(out) == f;

	if (json_is_boolean(en))
		json_object_set_new(out, mfa_factors[f].key,
		    json_boolean(json_is_true(en)));
	if (json_is_true(pr))
		json_object_set_new(out, "preferred",
		    json_string(mfa_factors[f].name));
	else if (preferred && (json_is_false(pr) || json_is_false(en)))
		json_object_del(out, "preferred");
}

json_t *
mfa_apply_settings(json_t *mfa, json_t *in, json_t *attrs, int has_totp,
    enum core_err_kind *ekind, char **emsg)
{
	json_t		*s[MFA_NFACTORS], *en;
	unsigned	 means = mfa_user_means(attrs, has_totp), on;
	int		 f, npref = 0;

	on = mfa_user_enabled(mfa);
	for (f = 0; f < MFA_NFACTORS; f++) {
		s[f] = json_object_get(in, mfa_factors[f].input);
		if (json_is_true(json_object_get(s[f], "PreferredMfa")))
			npref++;
		/* What the request leaves turned on. */
		en = json_object_get(s[f], "Enabled");
		if (json_is_true(en))
			on |= MFA_BIT(f);
		else if (json_is_false(en))
			on &= ~MFA_BIT(f);
	}
	*ekind = CORE_ERR_INVALID;
	if (npref > 1) {
		*emsg = xstrdup("Only one MFA method can be the preferred "
		    "MFA method");
		return NULL;
	}
	for (f = 0; f < MFA_NFACTORS; f++)
		if (mfa_check_setting(f, s[f], means, on, emsg) != 0)
			return NULL;
	mfa = mfa_copy(mfa);
	for (f = 0; f < MFA_NFACTORS; f++)
		mfa_set_factor(mfa, f, s[f]);
	return mfa;
}

json_t *
mfa_totp_verified(json_t *mfa, const char *name, int enable)
{
	json_t	*out = mfa_copy(mfa);
	int	 f = mfa_user_preferred(out);

	if (name != NULL && *name != '\0')
		json_object_set_new(out, "totp_name", json_string(name));
	else
		json_object_del(out, "totp_name");
	if (!enable)
		return out;
	json_object_set_new(out, "totp", json_true());
	if (f < 0 || (mfa_user_enabled(out) & MFA_BIT(f)) == 0)
		json_object_set_new(out, "preferred",
		    json_string(mfa_factors[MFA_TOTP].name));
	return out;
}

const char *
mfa_totp_name(json_t *mfa)
{
	return json_string_value(json_object_get(mfa, "totp_name"));
}

void
mfa_totp_new(char **sealed, char **code)
{
	unsigned char	key[TOTP_SECRET_BYTES];

	totp_secret_new(key);
	*code = totp_base32_encode(key, sizeof key);
	*sealed = keys_seal(key, sizeof key);
	wipe(key, sizeof key);
}

int64_t
mfa_totp_check(const char *sealed, const char *code, int64_t now,
    int64_t last_step)
{
	unsigned char	*key;
	size_t		 len;
	int64_t		 step;

	if (sealed == NULL || code == NULL ||
	    keys_open(sealed, &key, &len) != 0)
		return -1;
	step = len == TOTP_SECRET_BYTES ?
	    totp_verify(key, len, code, now, last_step) : -1;
	wipe(key, len);
	free(key);
	return step;
}
