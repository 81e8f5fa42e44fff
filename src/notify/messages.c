/*
 * messages.c: what a pool says when it sends a code.
 *
 * The template comes from the pool's stored configuration (the
 * UserPoolType members): VerificationMessageTemplate first, then the
 * legacy members Cognito keeps beside it, then Cognito's own defaults.
 * Rendering replaces every {####} and {username} in one pass, so a
 * username that happens to contain "{####}" is never expanded into the
 * code. The rendered body holds a code or a temporary password: it is
 * wiped once queued and never logged.
 */
#include "config.h"

#include <string.h>

#include "notify/messages.h"
#include "notify/notify.h"
#include "util.h"

#define MESSAGES_CODE		"{####}"
#define MESSAGES_USERNAME	"{username}"
#define MESSAGES_STARS		"***"

char *
messages_render(const char *tmpl, const char *code, const char *username)
{
	struct secbuf		 b = { NULL, 0, 0 };
	const char		*p = tmpl == NULL ? "" : tmpl;

	if (code == NULL)
		code = "";
	if (username == NULL)
		username = "";
	secbuf_add(&b, "", 0);
	while (*p != '\0') {
		if (strncmp(p, MESSAGES_CODE, strlen(MESSAGES_CODE)) == 0) {
			secbuf_puts(&b, code);
			p += strlen(MESSAGES_CODE);
		} else if (strncmp(p, MESSAGES_USERNAME,
		    strlen(MESSAGES_USERNAME)) == 0) {
			secbuf_puts(&b, username);
			p += strlen(MESSAGES_USERNAME);
		} else
			secbuf_add(&b, p++, 1);
	}
	return b.s;
}

/* Length of the UTF-8 character at s (1 for a stray byte). */
static size_t
messages_char_len(const char *s)
{
	size_t	n = 1;

	if (*s == '\0')
		return 0;
	while (n < 4 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

static int
messages_is_email(const char *medium)
{
	return strcmp(medium, "EMAIL") == 0 || strcmp(medium, "email") == 0;
}

/* "a***@e***": first character, stars, '@', first of the domain, stars. */
static char *
messages_mask_email(const char *addr)
{
	struct secbuf		 b = { NULL, 0, 0 };
	const char		*at = strrchr(addr, '@');

	secbuf_add(&b, addr, messages_char_len(addr));
	secbuf_puts(&b, MESSAGES_STARS);
	if (at != NULL) {
		secbuf_add(&b, "@", 1);
		secbuf_add(&b, at + 1, messages_char_len(at + 1));
		secbuf_puts(&b, MESSAGES_STARS);
	}
	return b.s;
}

/* "+*******1234": every digit but the last four becomes a star. */
static char *
messages_mask_phone(const char *phone)
{
	char	*out = xstrdup(phone), *p;
	size_t	 digits = 0, seen = 0;

	for (p = out; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
	for (p = out; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (seen++ + 4 < digits)
				*p = '*';
		} else if (*p != '+')
			*p = '*';
	}
	return out;
}

char *
messages_mask(const char *medium, const char *dest)
{
	if (dest == NULL)
		dest = "";
	if (medium != NULL && messages_is_email(medium))
		return messages_mask_email(dest);
	return messages_mask_phone(dest);
}

/* A non-empty string member of o, or NULL. */
static const char *
messages_member(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

/* The first non-empty of a, b and the default c. */
static const char *
messages_pick(const char *a, const char *b, const char *c)
{
	return a != NULL ? a : b != NULL ? b : c;
}

static const char *
messages_template_email(json_t *config, enum messages_kind kind,
    const char **subject)
{
	json_t	*vmt = json_object_get(config, "VerificationMessageTemplate");
	json_t	*inv = json_object_get(json_object_get(config,
		    "AdminCreateUserConfig"), "InviteMessageTemplate");
	json_t	*mfa = json_object_get(config, "EmailMfaConfiguration");

	switch (kind) {
	case MESSAGES_INVITE:
		*subject = messages_pick(messages_member(inv, "EmailSubject"),
		    NULL, MESSAGES_DEFAULT_INVITE_SUBJECT);
		return messages_pick(messages_member(inv, "EmailMessage"),
		    NULL, MESSAGES_DEFAULT_INVITE);
	case MESSAGES_MFA:
		*subject = messages_pick(messages_member(mfa, "Subject"),
		    NULL, MESSAGES_DEFAULT_MFA_SUBJECT);
		return messages_pick(messages_member(mfa, "Message"),
		    messages_member(config, "SmsAuthenticationMessage"),
		    MESSAGES_DEFAULT_MFA);
	case MESSAGES_VERIFY:
	case MESSAGES_RESET:
		break;
	}
	*subject = messages_pick(messages_member(vmt, "EmailSubject"),
	    messages_member(config, "EmailVerificationSubject"),
	    MESSAGES_DEFAULT_VERIFY_SUBJECT);
	return messages_pick(messages_member(vmt, "EmailMessage"),
	    messages_member(config, "EmailVerificationMessage"),
	    MESSAGES_DEFAULT_VERIFY);
}

static const char *
messages_template_sms(json_t *config, enum messages_kind kind)
{
	json_t	*vmt = json_object_get(config, "VerificationMessageTemplate");
	json_t	*inv = json_object_get(json_object_get(config,
		    "AdminCreateUserConfig"), "InviteMessageTemplate");

	switch (kind) {
	case MESSAGES_INVITE:
		return messages_pick(messages_member(inv, "SMSMessage"),
		    NULL, MESSAGES_DEFAULT_INVITE);
	case MESSAGES_MFA:
		return messages_pick(messages_member(config,
		    "SmsAuthenticationMessage"), NULL, MESSAGES_DEFAULT_MFA);
	case MESSAGES_VERIFY:
	case MESSAGES_RESET:
		break;
	}
	return messages_pick(messages_member(vmt, "SmsMessage"),
	    messages_member(config, "SmsVerificationMessage"),
	    MESSAGES_DEFAULT_VERIFY);
}

const char *
messages_template(json_t *config, enum messages_kind kind,
    const char *medium, const char **subject)
{
	*subject = NULL;
	if (medium == NULL)
		return NULL;
	if (strcmp(medium, "EMAIL") == 0)
		return messages_template_email(config, kind, subject);
	if (strcmp(medium, "SMS") == 0)
		return messages_template_sms(config, kind);
	return NULL;
}

/*
 * A subject is one header line: a line break in a pool's template
 * becomes a space rather than a way to add headers.
 */
static char *
messages_subject(const char *tmpl, const char *username)
{
	char	*s, *p;

	if (tmpl == NULL)
		return NULL;
	s = messages_render(tmpl, "", username);
	for (p = s; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return s;
}

json_t *
messages_send(struct pg_batch *batch, const char *pool_id, json_t *config,
    enum messages_kind kind, const char *medium, const char *dest,
    const char *code, const char *username)
{
	const char	*tmpl, *subject_tmpl;
	char		*body, *subject, *masked;
	json_t		*out;
	int		 email;

	tmpl = messages_template(config, kind, medium, &subject_tmpl);
	if (tmpl == NULL || dest == NULL)
		return NULL;
	email = strcmp(medium, "EMAIL") == 0;
	body = messages_render(tmpl, code, username);
	subject = messages_subject(subject_tmpl, username);
	notify_queue(batch, pool_id, medium, dest, subject, body);
	wipe_free(body);
	free(subject);
	masked = messages_mask(medium, dest);
	out = json_pack("{s:s, s:s, s:s}", "Destination", masked,
	    "DeliveryMedium", medium, "AttributeName",
	    email ? "email" : "phone_number");
	free(masked);
	return out;
}
