/*
 * mfa_setup.h: a user's second factors changed, for every door: an
 * authenticator (TOTP) associated and verified, with the user's access
 * token (AssociateSoftwareToken, VerifySoftwareToken) or with the
 * Session of an MFA_SETUP challenge (the same operations, and the
 * hosted UI's set-up page), and the MFA preferences set by the user
 * (SetUserMFAPreference) or an administrator (AdminSetUserMFAPreference).
 * The rules are core/mfa.c's; this module reads and writes the user's
 * MFA columns (sql/003_srp_mfa_devices.sql).
 *
 * Each runs on the caller's task: on success cb gets the result (valid
 * while cb runs) and the task goes on being the caller's; on failure
 * the task ends with a core_err: INVALID (a malformed request or
 * settings), NOT_AUTHORIZED (a bad access token or Session), NO_USER,
 * NO_TOTP (the pool offers no TOTP, or the user has no secret to
 * verify), TOTP_MISMATCH (a wrong code), BUSY (the user kept changing
 * under the request), INTERNAL.
 */
#ifndef CORE_MFA_SETUP_H
#define CORE_MFA_SETUP_H

#include <jansson.h>

struct task;

/*
 * Whose settings (exactly one of access_token, session, or pool_id
 * with user_key) and what to do; strings are copied.
 */
struct mfa_setup_req {
	const char	*access_token;
	const char	*session;	/* an MFA_SETUP challenge's */
	const char	*pool_id;	/* an administrator's request... */
	const char	*user_key;	/* ...for this users_key() */
	const char	*code;		/* verify: the authenticator's code */
	const char	*device_name;	/* verify: FriendlyDeviceName */
	json_t		*settings;	/* preference: the request's members */
};

struct mfa_setup_result {
	const char	*secret;	/* associate: SecretCode (base32) */
	const char	*session;	/* with a Session: the next one */
};

typedef void	(*mfa_setup_cb)(struct task *,
		    const struct mfa_setup_result *);

/* A new pending TOTP secret, leaving a verified one in use. */
void	mfa_setup_associate(struct task *, const struct mfa_setup_req *,
	    mfa_setup_cb);
/*
 * The code checked against the pending secret (or, with none pending,
 * the verified one), which becomes the verified secret; with a Session
 * TOTP MFA is also turned on (and preferred unless another factor is).
 */
void	mfa_setup_verify(struct task *, const struct mfa_setup_req *,
	    mfa_setup_cb);
/* SMSMfaSettings, SoftwareTokenMfaSettings, EmailMfaSettings applied. */
void	mfa_setup_preference(struct task *, const struct mfa_setup_req *,
	    mfa_setup_cb);

#endif
