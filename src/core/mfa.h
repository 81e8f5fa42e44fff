/*
 * mfa.h: multi-factor authentication, independent of the wire: which
 * second factors a user has and may use in a pool, which challenge a
 * sign-in answers after the first factor, the user's MFA settings as
 * GetUser and AdminGetUser show them and as SetUserMFAPreference
 * changes them, and TOTP secrets sealed at rest.
 *
 * A pool's MFA settings are the object GetUserPoolMfaConfig answers:
 * {MfaConfiguration: OFF|OPTIONAL|ON, SmsMfaConfiguration{...},
 * SoftwareTokenMfaConfiguration{Enabled}, EmailMfaConfiguration{...}};
 * a factor is offered when its member is present (for TOTP: with
 * Enabled true), and none is when MfaConfiguration is OFF. DB_MFA_POOL_SQL
 * (db/mfa.h) selects exactly that from a pools row.
 *
 * A user's settings are users.mfa: {"sms": bool, "email": bool,
 * "totp": bool, "preferred": "SMS_MFA"|"EMAIL_OTP"|"SOFTWARE_TOKEN_MFA",
 * "totp_name": FriendlyDeviceName of the verified token}; absent means
 * false / none. A factor the user turned on counts only while the user
 * has its means: a phone_number for SMS (verified or not, as on
 * Cognito), an email for e-mail, a verified TOTP secret
 * (users.totp_secret_sealed) for TOTP.
 *
 * Every function here is pure and thread-safe, but those that seal or
 * open a secret need the master key loaded.
 */
#ifndef MFA_H
#define MFA_H

#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "util.h"

enum mfa_factor {
	MFA_SMS,	/* SMS_MFA */
	MFA_TOTP,	/* SOFTWARE_TOKEN_MFA */
	MFA_EMAIL,	/* EMAIL_OTP */
	MFA_NFACTORS
};

/* Sets of factors, in this order wherever Cognito lists them. */
#define MFA_BIT(f)	(1U << (f))
#define MFA_ALL		(MFA_BIT(MFA_SMS) | MFA_BIT(MFA_TOTP) | \
			    MFA_BIT(MFA_EMAIL))

enum mfa_mode {
	MFA_OFF,
	MFA_OPTIONAL,
	MFA_ON,
};

/* The challenge and factor names: "SMS_MFA", "SOFTWARE_TOKEN_MFA"... */
const char	*mfa_factor_name(enum mfa_factor);
/*
 * The factor a name means, or -1; with answer set, also the spelling
 * "EMAIL_MFA" that SELECT_MFA_TYPE answers may use.
 */
int		 mfa_factor_from_name(const char *, int);
/* ["SMS_MFA", ...] of a set, in canonical order; new reference. */
json_t		*mfa_factor_list(unsigned);
/* The same as compact JSON text (MFAS_CAN_CHOOSE...), malloc'd. */
char		*mfa_factor_list_text(unsigned);

/* The pool's mode and the factors it offers (none when OFF). */
enum mfa_mode	 mfa_pool_mode(json_t *);
unsigned	 mfa_pool_factors(json_t *);

/* The factors the user turned on (users.mfa), and the preferred one or -1. */
unsigned	 mfa_user_enabled(json_t *);
int		 mfa_user_preferred(json_t *);
/* The factors whose means the user has: phone_number, email, a TOTP secret. */
unsigned	 mfa_user_means(json_t *, int);

/*
 * The factors a sign-in may challenge with (see mfa.c for the rules):
 * arguments as mfa_decide's.
 */
unsigned	 mfa_usable(json_t *, json_t *, json_t *, int);

enum mfa_step {
	MFA_STEP_NONE,		/* no MFA: issue tokens */
	MFA_STEP_CHALLENGE,	/* one factor: challenge names it */
	MFA_STEP_SELECT,	/* SELECT_MFA_TYPE: factors can be chosen */
	MFA_STEP_SETUP,		/* MFA_SETUP: factors can be set up */
};

struct mfa_decision {
	enum mfa_step	 step;
	/* The ChallengeName to answer; NULL for MFA_STEP_NONE. */
	const char	*challenge;
	/* MFA_STEP_CHALLENGE: the factor. */
	enum mfa_factor	 factor;
	/* SELECT: MFAS_CAN_CHOOSE; SETUP: MFAS_CAN_SETUP (mfa_factor_list). */
	unsigned	 factors;
};

/*
 * What a sign-in does after the first factor, from the pool's MFA
 * settings (DB_MFA_POOL_SQL), the user's users.mfa, the user's attributes
 * (name -> string, as users.attributes) and whether the user has a
 * verified TOTP secret (users.totp_secret_sealed IS NOT NULL). Any of
 * the JSON arguments may be NULL (as {}).
 */
void		 mfa_decide(json_t *, json_t *, json_t *, int,
		    struct mfa_decision *);

/*
 * The members GetUser and AdminGetUser add for a user, from the same
 * arguments (the TOTP secret flag is not needed): UserMFASettingList
 * (the factors the user turned on), PreferredMfaSetting and the legacy
 * MFAOptions ([{DeliveryMedium SMS, AttributeName phone_number}] while
 * SMS MFA applies), each only when not empty. A new object to merge
 * into the answer (json_object_update).
 */
json_t		*mfa_user_settings(json_t *, json_t *, json_t *);

/*
 * Apply SetUserMFAPreference or AdminSetUserMFAPreference input (the
 * call's input object: SMSMfaSettings, SoftwareTokenMfaSettings,
 * EmailMfaSettings, each {Enabled, PreferredMfa}, absent members
 * unchanged) to the user's users.mfa, given the user's attributes and
 * whether a verified TOTP secret exists. Returns the new users.mfa (a
 * new reference), or NULL with *ekind (CORE_ERR_INVALID) and *emsg
 * (malloc'd) set.
 */
json_t		*mfa_apply_settings(json_t *, json_t *, json_t *, int,
		    enum core_err_kind *, char **) MUST_CHECK;

/*
 * users.mfa after VerifySoftwareToken succeeded: the device name kept
 * (NULL or "": none), and with enable set TOTP turned on and made
 * preferred unless another factor is. New reference.
 */
json_t		*mfa_totp_verified(json_t *, const char *, int);
/* The FriendlyDeviceName of the user's verified token, or NULL. */
const char	*mfa_totp_name(json_t *);

/*
 * A new TOTP secret: *sealed for the database (keys_seal of the raw
 * TOTP_SECRET_BYTES) and *code, its base32 text for
 * AssociateSoftwareToken's SecretCode (wipe_free it). Both malloc'd.
 */
void		 mfa_totp_new(char **, char **);
/*
 * Check a 6-digit code against a sealed secret at epoch time now (one
 * step of drift either side), refusing steps at or before last_step.
 * The step to record (with DB_MFA_TOTP_USE_SQL or the like), or -1 for a
 * wrong, replayed or malformed code or a secret that does not open.
 */
int64_t		 mfa_totp_check(const char *, const char *, int64_t, int64_t)
		    MUST_CHECK;

#endif
