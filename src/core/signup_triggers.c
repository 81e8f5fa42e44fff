/*
 * signup_triggers.c: the pool's sign-up triggers as steps of the
 * sign-up operations (signup.c, recovery.c), so that the JSON API and
 * the hosted pages run them alike: PreSignUp before a new user is
 * written (a refusal writes nothing), PostConfirmation once a user is
 * confirmed (by a code, by PreSignUp's autoConfirmUser, or by a new
 * password after a forgotten one).
 *
 * Cognito's rules: autoVerifyEmail and autoVerifyPhone count only
 * where the attribute was given; an auto-confirmed user gets no
 * confirmation code; a PostConfirmation failure fails the operation
 * but the user stays confirmed (the trigger runs after the write).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/signup.h"
#include "core/signup_int.h"
#include "core/task.h"
#include "hooks/triggers.h"
#include "log.h"
#include "util.h"

/* ValidationData's [{Name, Value}] as the event's object, or null. */
static json_t *
signup_triggers_pairs(json_t *list)
{
	json_t		*out, *item;
	const char	*name, *value;
	size_t		 i;

	if (!json_is_array(list))
		return json_null();
	out = json_object();
	json_array_foreach(list, i, item) {
		name = json_string_value(json_object_get(item, "Name"));
		value = json_string_value(json_object_get(item, "Value"));
		if (name != NULL)
			json_object_set_new(out, name,
			    json_string(value != NULL ? value : ""));
	}
	return out;
}

/* The username the events name: the sub where e-mail or phone is it. */
static const char *
signup_triggers_username(struct signup *s)
{
	return s->rules.username_email || s->rules.username_phone ? s->sub :
	    s->req->username;
}

static void
signup_triggers_verify(struct signup *s, json_t *resp, const char *flag,
    const char *attr)
{
	char	 name[32];

	if (!json_is_true(json_object_get(resp, flag)) ||
	    signup_attr(s->attrs, attr) == NULL)
		return;
	snprintf(name, sizeof name, "%s_verified", attr);
	json_object_set_new(s->attrs, name, json_string("true"));
}

static void
signup_pre_sign_up_done(struct task *t, json_t *resp)
{
	struct signup	*s = t->data;

	s->out.confirmed = json_is_true(json_object_get(resp,
	    "autoConfirmUser"));
	signup_triggers_verify(s, resp, "autoVerifyEmail", "email");
	signup_triggers_verify(s, resp, "autoVerifyPhone", "phone_number");
	s->next(t);
}

void
signup_pre_sign_up(struct task *t, task_fn next)
{
	struct signup		*s = t->data;
	struct triggers_call	 c;

	s->next = next;
	if (!triggers_has(s->pool_config, "PreSignUp")) {
		next(t);
		return;
	}
	memset(&c, 0, sizeof c);
	c.trigger = "PreSignUp";
	c.source = "PreSignUp_SignUp";
	c.pool_id = s->pool_id;
	c.pool_config = s->pool_config;
	c.username = signup_triggers_username(s);
	c.client_id = s->req->client_id;
	c.request = json_pack("{s:O, s:o}", "userAttributes", s->attrs,
	    "validationData", signup_triggers_pairs(s->req->validation));
	if (json_is_object(s->req->metadata))
		json_object_set(c.request, "clientMetadata", s->req->metadata);
	c.response = json_pack("{s:b, s:b, s:b}", "autoConfirmUser", 0,
	    "autoVerifyEmail", 0, "autoVerifyPhone", 0);
	triggers_call(t, &c, signup_pre_sign_up_done);
	json_decref(c.request);
	json_decref(c.response);
}

static void
signup_post_confirmation_done(struct task *t, json_t *resp)
{
	(void)resp;
	task_ok(t);
}

void
signup_post_confirmation(struct task *t, const char *source,
    const char *username, const char *sub, json_t *attrs)
{
	struct signup		*s = t->data;
	struct triggers_call	 c;
	json_t			*ua;

	if (!triggers_has(s->pool_config, "PostConfirmation")) {
		task_ok(t);
		return;
	}
	ua = json_deep_copy(attrs);
	json_object_set_new(ua, "sub", json_string(sub));
	json_object_set_new(ua, "cognito:user_status",
	    json_string("CONFIRMED"));
	memset(&c, 0, sizeof c);
	c.trigger = "PostConfirmation";
	c.source = source;
	c.pool_id = s->pool_id;
	c.pool_config = s->pool_config;
	c.username = username;
	c.client_id = s->req->client_id;
	c.request = json_pack("{s:o}", "userAttributes", ua);
	if (json_is_object(s->req->metadata))
		json_object_set(c.request, "clientMetadata", s->req->metadata);
	c.response = json_object();
	triggers_call(t, &c, signup_post_confirmation_done);
	json_decref(c.request);
	json_decref(c.response);
}
