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

/* The template with {####} and {username} replaced, malloc'd. */
char	*messages_render(const char *, const char *, const char *);
/*
 * The masked destination Cognito shows: "a***@e***" for an address,
 * "+*******1234" for a phone number. malloc'd.
 */
char	*messages_mask(const char *, const char *);
/*
 * Render the pool's message of kind for medium ("EMAIL" or "SMS") with
 * code (or temporary password) and username, queue it in the batch to
 * dest, and return the CodeDeliveryDetails object {Destination (masked),
 * DeliveryMedium, AttributeName ("email" or "phone_number")}.
 */
json_t	*messages_send(struct pg_batch *, const char *, json_t *,
	    enum messages_kind, const char *, const char *, const char *,
	    const char *);

#endif
