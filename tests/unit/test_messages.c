/*
 * test_messages.c: message texts and their envelopes: rendering of
 * {####} and {username}, the masked destinations Cognito shows, which
 * template a pool's configuration selects for each kind and medium, the
 * SMTP message (headers, RFC 2047 subjects, refused line breaks, HTML
 * detection) and the SMS webhook payload.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/pg.h"
#include "notify/messages.h"
#include "notify/sms.h"
#include "notify/smtp.h"
#include "suites.h"
#include "util.h"

static const struct {
	const char	*tmpl, *code, *username, *want;
} render_cases[] = {
	{ "Your code is {####}.", "123456", NULL, "Your code is 123456." },
	{ "{####}{####}", "12", "u", "1212" },
	{ "Hi {username}, password {####}", "Tmp!1", "alice",
	  "Hi alice, password Tmp!1" },
	{ "no placeholders", "1", "u", "no placeholders" },
	{ "", "1", "u", "" },
	{ "{username}", "1", "{####}", "{####}" },	/* one pass only */
	{ "{###}{####", "9", "u", "{###}{####" },
	{ "{####}", NULL, NULL, "" },
	{ "caf\xc3\xa9 {####} \xe2\x9c\x93", "42", NULL,
	  "caf\xc3\xa9 42 \xe2\x9c\x93" },
};

START_TEST(test_render)
{
	char	*got;

	got = messages_render(render_cases[_i].tmpl, render_cases[_i].code,
	    render_cases[_i].username);
	ck_assert_str_eq(got, render_cases[_i].want);
	free(got);
}
END_TEST

static const struct {
	const char	*medium, *dest, *want;
} mask_cases[] = {
	{ "EMAIL", "alice@example.com", "a***@e***" },
	{ "email", "bob.smith@mail.example.org", "b***@m***" },
	{ "EMAIL", "x@y", "x***@y***" },
	{ "EMAIL", "\xc3\xa9lodie@\xc3\xa9t\xc3\xa9.fr",
	  "\xc3\xa9***@\xc3\xa9***" },
	{ "EMAIL", "a@b@c.com", "a***@c***" },
	{ "EMAIL", "nobody", "n***" },
	{ "SMS", "+12065550100", "+*******0100" },
	{ "phone_number", "+447700900123", "+********0123" },
	{ "SMS", "+123", "+123" },
	{ "SMS", "", "" },
};

START_TEST(test_mask)
{
	char	*got;

	got = messages_mask(mask_cases[_i].medium, mask_cases[_i].dest);
	ck_assert_str_eq(got, mask_cases[_i].want);
	free(got);
}
END_TEST

/* A pool with every template member set, or with legacy members only. */
#define FULL_POOL \
	"{\"VerificationMessageTemplate\": {\"EmailMessage\": \"em {####}\"," \
	"\"EmailSubject\": \"es\", \"SmsMessage\": \"sm {####}\"}," \
	"\"EmailVerificationMessage\": \"legacy em {####}\"," \
	"\"EmailVerificationSubject\": \"legacy es\"," \
	"\"SmsVerificationMessage\": \"legacy sm {####}\"," \
	"\"SmsAuthenticationMessage\": \"auth {####}\"," \
	"\"AdminCreateUserConfig\": {\"InviteMessageTemplate\": {" \
	"\"EmailMessage\": \"inv {username} {####}\"," \
	"\"EmailSubject\": \"inv subj\"," \
	"\"SMSMessage\": \"sms inv {username} {####}\"}}}"
#define LEGACY_POOL \
	"{\"VerificationMessageTemplate\": {\"DefaultEmailOption\": " \
	"\"CONFIRM_WITH_CODE\", \"EmailMessage\": \"\"}," \
	"\"EmailVerificationMessage\": \"legacy em {####}\"," \
	"\"EmailVerificationSubject\": \"legacy es\"," \
	"\"SmsVerificationMessage\": \"legacy sm {####}\"," \
	"\"AdminCreateUserConfig\": {\"AllowAdminCreateUserOnly\": false}}"

static const struct {
	const char		*pool;
	enum messages_kind	 kind;
	const char		*medium, *body, *subject;
} template_cases[] = {
	{ FULL_POOL, MESSAGES_VERIFY, "EMAIL", "em {####}", "es" },
	{ FULL_POOL, MESSAGES_RESET, "EMAIL", "em {####}", "es" },
	{ FULL_POOL, MESSAGES_VERIFY, "SMS", "sm {####}", NULL },
	{ FULL_POOL, MESSAGES_INVITE, "EMAIL", "inv {username} {####}",
	  "inv subj" },
	{ FULL_POOL, MESSAGES_INVITE, "SMS", "sms inv {username} {####}",
	  NULL },
	{ FULL_POOL, MESSAGES_MFA, "SMS", "auth {####}", NULL },
	{ LEGACY_POOL, MESSAGES_VERIFY, "EMAIL", "legacy em {####}",
	  "legacy es" },
	{ LEGACY_POOL, MESSAGES_RESET, "SMS", "legacy sm {####}", NULL },
	{ LEGACY_POOL, MESSAGES_INVITE, "EMAIL", MESSAGES_DEFAULT_INVITE,
	  MESSAGES_DEFAULT_INVITE_SUBJECT },
	{ LEGACY_POOL, MESSAGES_MFA, "SMS", MESSAGES_DEFAULT_MFA, NULL },
	{ "{}", MESSAGES_VERIFY, "EMAIL", "Your verification code is {####}. ",
	  "Your verification code" },
	{ "{}", MESSAGES_VERIFY, "SMS", "Your verification code is {####}. ",
	  NULL },
	{ "{}", MESSAGES_INVITE, "EMAIL", "Your username is {username} and "
	  "temporary password is {####}. ", "Your temporary password" },
	{ "{}", MESSAGES_INVITE, "SMS", "Your username is {username} and "
	  "temporary password is {####}. ", NULL },
	{ "{}", MESSAGES_MFA, "SMS", "Your authentication code is {####}. ",
	  NULL },
};

START_TEST(test_template)
{
	json_t		*pool = json_loads(template_cases[_i].pool, 0, NULL);
	const char	*body, *subject = "unset";

	ck_assert_ptr_nonnull(pool);
	body = messages_template(pool, template_cases[_i].kind,
	    template_cases[_i].medium, &subject);
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body, template_cases[_i].body);
	if (template_cases[_i].subject == NULL)
		ck_assert_ptr_null(subject);
	else
		ck_assert_str_eq(subject, template_cases[_i].subject);
	json_decref(pool);
}
END_TEST

START_TEST(test_template_unknown_medium)
{
	json_t		*pool = json_object();
	const char	*subject = "unset";

	ck_assert_ptr_null(messages_template(pool, MESSAGES_VERIFY, "FAX",
	    &subject));
	ck_assert_ptr_null(subject);
	ck_assert_ptr_null(messages_send(NULL, "p", pool, MESSAGES_VERIFY,
	    "FAX", "x", "1", "u"));
	json_decref(pool);
}
END_TEST

START_TEST(test_send_details)
{
	struct pg_batch	*b = pg_batch_new();
	json_t		*pool = json_object(), *d;

	d = messages_send(b, "us-east-1_x", pool, MESSAGES_INVITE, "EMAIL",
	    "alice@example.com", "Tmp-1234", "alice");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(json_string_value(json_object_get(d, "Destination")),
	    "a***@e***");
	ck_assert_str_eq(json_string_value(json_object_get(d,
	    "DeliveryMedium")), "EMAIL");
	ck_assert_str_eq(json_string_value(json_object_get(d,
	    "AttributeName")), "email");
	json_decref(d);
	d = messages_send(b, "us-east-1_x", pool, MESSAGES_VERIFY, "SMS",
	    "+12065550100", "123456", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(d, "Destination")),
	    "+*******0100");
	ck_assert_str_eq(json_string_value(json_object_get(d,
	    "AttributeName")), "phone_number");
	json_decref(d);
	json_decref(pool);
	pg_batch_free(b);
}
END_TEST

#define MSGID	"<1.abc@example.com>"
#define WHEN	1700000000	/* Tue, 14 Nov 2023 22:13:20 +0000 */

START_TEST(test_smtp_build)
{
	const char	*why = NULL;
	char		*m;

	m = smtp_build("Example <no-reply@example.com>", "a@b.example",
	    "Your code", "Code: 123456\nBye.", WHEN, MSGID, &why);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m,
	    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
	    "From: Example <no-reply@example.com>\r\n"
	    "To: a@b.example\r\n"
	    "Subject: Your code\r\n"
	    "Message-ID: " MSGID "\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n"
	    "\r\n"
	    "Code: 123456\r\nBye.\r\n");
	free(m);
}
END_TEST

START_TEST(test_smtp_build_utf8)
{
	const char	*why = NULL;
	char		*m;

	/* "Vérification" and a body outside ASCII: base64 both. */
	m = smtp_build("a@example.com", "b@example.com",
	    "V\xc3\xa9rification", "Code \xe2\x9c\x93 1", WHEN, MSGID, &why);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m,
	    "\r\nSubject: =?UTF-8?B?VsOpcmlmaWNhdGlvbg==?=\r\n"));
	ck_assert_ptr_nonnull(strstr(m,
	    "Content-Transfer-Encoding: base64\r\n\r\nQ29kZSDinJMgMQ==\r\n"));
	free(m);
}
END_TEST

START_TEST(test_smtp_encode_long)
{
	char	 subject[200], *enc, *p;
	size_t	 i;

	/* 60 two-byte characters: several words, none splits a character. */
	for (i = 0; i < 60; i++)
		memcpy(subject + 2 * i, "\xc3\xa9", 2);
	subject[120] = '\0';
	enc = smtp_encode_header(subject);
	ck_assert_ptr_nonnull(strstr(enc, "?=\r\n =?UTF-8?B?"));
	for (p = strtok(enc, "\r\n "); p != NULL; p = strtok(NULL, "\r\n ")) {
		ck_assert_uint_le(strlen(p), 75);
		/* 38 bytes = 19 characters: 52 base64 characters. */
		ck_assert_int_eq(strncmp(p, "=?UTF-8?B?", 10), 0);
	}
	free(enc);
}
END_TEST

static const struct {
	const char	*to, *subject, *from;
} refused_cases[] = {
	{ "a@b.example\r\nBcc: c@d.example", "s", "f@x.example" },
	{ "a@b.example", "s\r\nBcc: c@d.example", "f@x.example" },
	{ "a@b.example", "s\nX: y", "f@x.example" },
	{ "a@b.example", "s", "f@x.example\nBcc: e@x" },
	{ "not-an-address", "s", "f@x.example" },
	{ "@b.example", "s", "f@x.example" },
	{ "a@", "s", "f@x.example" },
	{ "a b@c.example", "s", "f@x.example" },
	{ "a@c.example>, <d@e.example", "s", "f@x.example" },
};

START_TEST(test_smtp_refuses)
{
	const char	*why = NULL;

	ck_assert_ptr_null(smtp_build(refused_cases[_i].from,
	    refused_cases[_i].to, refused_cases[_i].subject, "body", WHEN,
	    MSGID, &why));
	ck_assert_ptr_nonnull(why);
}
END_TEST

static const struct {
	const char	*body;
	int		 html;
} html_cases[] = {
	{ "<html><body>Code {####}</body></html>", 1 },
	{ "Your code is <b>123456</b>", 1 },
	{ "Hello<br/>world", 1 },
	{ "<P class=\"x\">Hi</P>", 1 },
	{ "<!DOCTYPE html>\n<title>x</title>", 1 },
	{ "Your code is 123456. ", 0 },
	{ "2 < 3 and a<b", 0 },
	{ "<username>", 0 },
	{ "", 0 },
};

START_TEST(test_smtp_is_html)
{
	ck_assert_int_eq(smtp_is_html(html_cases[_i].body),
	    html_cases[_i].html);
}
END_TEST

START_TEST(test_smtp_html_content_type)
{
	const char	*why;
	char		*m;

	m = smtp_build("a@example.com", "b@example.com", "s",
	    "<p>Code 1</p>", WHEN, MSGID, &why);
	ck_assert_ptr_nonnull(strstr(m,
	    "Content-Type: text/html; charset=UTF-8\r\n"));
	free(m);
}
END_TEST

START_TEST(test_smtp_long_line)
{
	const char	*why;
	char		 body[1200], *m;

	/* A line longer than RFC 5322 allows goes in base64. */
	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	m = smtp_build("a@example.com", "b@example.com", "s", body, WHEN,
	    MSGID, &why);
	ck_assert_ptr_nonnull(strstr(m, "Content-Transfer-Encoding: base64"));
	ck_assert_ptr_null(strstr(m, "xxxx"));
	free(m);
}
END_TEST

START_TEST(test_smtp_address)
{
	char	*a;

	a = smtp_address("Example App <no-reply@example.com>");
	ck_assert_str_eq(a, "no-reply@example.com");
	free(a);
	a = smtp_address("  plain@example.com");
	ck_assert_str_eq(a, "plain@example.com");
	free(a);
}
END_TEST

START_TEST(test_sms_payload)
{
	char	*p;
	json_t	*o;

	p = sms_payload("+12065550100", "Code \"1\"\n", "us-east-1_abc");
	ck_assert_ptr_nonnull(p);
	o = json_loads(p, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "to")),
	    "+12065550100");
	ck_assert_str_eq(json_string_value(json_object_get(o, "message")),
	    "Code \"1\"\n");
	ck_assert_str_eq(json_string_value(json_object_get(o, "poolId")),
	    "us-east-1_abc");
	json_decref(o);
	free(p);
	ck_assert_ptr_null(sms_payload("+1", "bad \xff utf-8", "p"));
}
END_TEST

Suite *
messages_suite(void)
{
	Suite	*s = suite_create("messages");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_render, 0, nitems(render_cases));
	tcase_add_loop_test(tc, test_mask, 0, nitems(mask_cases));
	tcase_add_loop_test(tc, test_template, 0, nitems(template_cases));
	tcase_add_test(tc, test_template_unknown_medium);
	tcase_add_test(tc, test_send_details);
	tcase_add_test(tc, test_smtp_build);
	tcase_add_test(tc, test_smtp_build_utf8);
	tcase_add_test(tc, test_smtp_encode_long);
	tcase_add_loop_test(tc, test_smtp_refuses, 0, nitems(refused_cases));
	tcase_add_loop_test(tc, test_smtp_is_html, 0, nitems(html_cases));
	tcase_add_test(tc, test_smtp_html_content_type);
	tcase_add_test(tc, test_smtp_long_line);
	tcase_add_test(tc, test_smtp_address);
	tcase_add_test(tc, test_sms_payload);
	suite_add_tcase(s, tc);
	return s;
}
