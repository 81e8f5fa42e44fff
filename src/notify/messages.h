/*
 * messages.h: the texts a pool sends, from its configuration
 * (pools.config: VerificationMessageTemplate, EmailVerificationMessage,
 * EmailVerificationSubject, SmsVerificationMessage,
 * AdminCreateUserConfig.InviteMessageTemplate, SmsAuthenticationMessage)
 * with Cognito's defaults, rendered with {####} and {username}; and the
 * masked destinations of CodeDeliveryDetails.
 */
#ifndef MESSAGES_H
#define MESSAGES_H

#include <jansson.h>

struct pg_batch;

enum messages_kind {
	MESSAGES_VERIFY,	/* sign-up, resend, attribute verification */
	MESSAGES_RESET,		/* forgot password (same template as VERIFY) */
	MESSAGES_INVITE,	/* AdminCreateUser: {username} and {####} */
	MESSAGES_MFA,		/* SMS/e-mail MFA code */
};

/* Cognito's defaults. */
#define MESSAGES_DEFAULT_VERIFY		"Your verification code is {####}. "
#define MESSAGES_DEFAULT_VERIFY_SUBJECT	"Your verification code"
#define MESSAGES_DEFAULT_INVITE		"Your username is {username} and " \
					"temporary password is {####}. "
#define MESSAGES_DEFAULT_INVITE_SUBJECT	"Your temporary password"
#define MESSAGES_DEFAULT_MFA		"Your authentication code is {####}. "
#define MESSAGES_DEFAULT_MFA_SUBJECT	"Your authentication code"

/*
 * The template (first argument) with every {####} replaced by the code
 * (second) and every {username} by the username (third); NULL
 * arguments count as "". malloc'd.
 */
char	*messages_render(const char *, const char *, const char *);
/*
 * The masked destination Cognito shows: "a***@e***" for an address,
 * "+*******1234" for a phone number. The first argument is the medium
 * ("EMAIL" or "SMS", or the attribute name "email" or "phone_number"),
 * the second the destination. malloc'd.
 */
char	*messages_mask(const char *, const char *);
/*
 * The pool's template of kind for medium, and in *subject the e-mail
 * subject (NULL for SMS): the pool's own, else the legacy member, else
 * Cognito's default. The strings belong to the configuration or are
 * static. NULL for an unknown medium.
 */
const char *messages_template(json_t *, enum messages_kind, const char *,
	    const char **);
/*
 * Render the pool's message of kind for medium ("EMAIL" or "SMS") with
 * code (or temporary password) and username, queue it in the batch to
 * dest, and return the CodeDeliveryDetails object {Destination (masked),
 * DeliveryMedium, AttributeName ("email" or "phone_number")}. NULL (and
 * nothing queued) for an unknown medium.
 */
json_t	*messages_send(struct pg_batch *, const char *, json_t *,
	    enum messages_kind, const char *, const char *, const char *,
	    const char *);

#endif
