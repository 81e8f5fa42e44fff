/*
 * test_shape.c: the JSON input validator, table-driven: one input shape
 * shaped like Cognito's, a list of request bodies and the exact error
 * each must produce; and the pattern checkers against their regexes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/shape.h"
#include "suites.h"

static const char *const mfa_values[] = { "OFF", "ON", "OPTIONAL", NULL };
static const char *const flow_values[] = { "ALLOW_A", "ALLOW_B", NULL };

static const struct shape s_pool_id = { .kind = SHAPE_STRING, .min = 1,
	.max = 55, .has_min = 1, .has_max = 1, .check = shape_check_pool_id,
	.pattern = "[\\w-]+_[0-9a-zA-Z]+" };
static const struct shape s_pool_name = { .kind = SHAPE_STRING, .min = 1,
	.max = 128, .has_min = 1, .has_max = 1,
	.check = shape_check_pool_name, .pattern = "[\\w\\s+=,.@-]+" };
static const struct shape s_min_length = { .kind = SHAPE_INT, .min = 6,
	.max = 99, .has_min = 1, .has_max = 1 };
static const struct shape s_bool = { .kind = SHAPE_BOOL };
static const struct shape_member m_password_policy[] = {
	{ "MinimumLength", &s_min_length, 1 },
	{ "RequireUppercase", &s_bool, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_password_policy = { .kind = SHAPE_STRUCT,
	.members = m_password_policy };
static const struct shape_member m_policies[] = {
	{ "PasswordPolicy", &s_password_policy, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_policies = { .kind = SHAPE_STRUCT,
	.members = m_policies };
static const struct shape s_mfa = { .kind = SHAPE_STRING,
	.enums = mfa_values };
static const struct shape s_flow = { .kind = SHAPE_STRING,
	.enums = flow_values };
static const struct shape s_flows = { .kind = SHAPE_LIST, .max = 3,
	.has_max = 1, .item = &s_flow };
static const struct shape s_tag_key = SHAPE_STR(1, 128);
static const struct shape s_tag_value = SHAPE_STR(0, 256);
static const struct shape s_tags = { .kind = SHAPE_MAP, .max = 2,
	.has_max = 1, .key = &s_tag_key, .item = &s_tag_value };
static const struct shape s_password = { .kind = SHAPE_STRING, .min = 6,
	.max = 256, .has_min = 1, .has_max = 1, .check = shape_check_no_space,
	.pattern = "[\\S]+", .sensitive = 1 };
static const struct shape s_blob = { .kind = SHAPE_BLOB, .max = 4,
	.has_max = 1 };
static const struct shape s_ratio = { .kind = SHAPE_NUMBER, .min = 0,
	.max = 10, .has_min = 1, .has_max = 1 };
static const struct shape s_any = { .kind = SHAPE_ANY };
/* No has_ flags: a nonzero bound applies, a zero one does not. */
static const struct shape s_count = { .kind = SHAPE_INT, .max = 5 };
static const struct shape_member m_input[] = {
	{ "UserPoolId", &s_pool_id, 1 },
	{ "PoolName", &s_pool_name, 0 },
	{ "Policies", &s_policies, 0 },
	{ "MfaConfiguration", &s_mfa, 0 },
	{ "ExplicitAuthFlows", &s_flows, 0 },
	{ "UserPoolTags", &s_tags, 0 },
	{ "Password", &s_password, 0 },
	{ "Data", &s_blob, 0 },
	{ "Ratio", &s_ratio, 0 },
	{ "Enabled", &s_bool, 0 },
	{ "Anything", &s_any, 0 },
	{ "Count", &s_count, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_input = { .kind = SHAPE_STRUCT,
	.members = m_input };

#define IPE	"InvalidParameterException"
#define SER	"SerializationException"
#define V1	"1 validation error detected: "
#define POOL	"\"UserPoolId\":\"us-east-1_abc\""

struct shape_case {
	const char	*name;
	const char	*json;
	const char	*type;	/* NULL: valid */
	const char	*msg;
};

static const struct shape_case cases[] = {
	{ "minimal", "{" POOL "}", NULL, NULL },
	{ "full", "{" POOL ",\"PoolName\":\"My pool\",\"Policies\":"
	  "{\"PasswordPolicy\":{\"MinimumLength\":8,"
	  "\"RequireUppercase\":true}},\"MfaConfiguration\":\"OPTIONAL\","
	  "\"ExplicitAuthFlows\":[\"ALLOW_A\",\"ALLOW_B\"],"
	  "\"UserPoolTags\":{\"team\":\"id\",\"env\":\"\"},"
	  "\"Password\":\"Secr3t!!\",\"Data\":\"AAEC\",\"Ratio\":2.5,"
	  "\"Enabled\":false,\"Anything\":{\"x\":[1,null]}}", NULL, NULL },
	{ "undeclared members ignored", "{" POOL ",\"Unknown\":{\"a\":[1,2]},"
	  "\"userPoolId\":5,\"Policies\":{\"Other\":\"x\"}}", NULL, NULL },
	{ "optional null is absent", "{" POOL ",\"PoolName\":null}", NULL,
	  NULL },
	{ "ratio integer", "{" POOL ",\"Ratio\":10}", NULL, NULL },
	{ "missing required", "{}", IPE, V1 "Value null at 'userPoolId' "
	  "failed to satisfy constraint: Member must not be null" },
	{ "null required", "{\"UserPoolId\":null}", IPE, V1 "Value null at "
	  "'userPoolId' failed to satisfy constraint: Member must not be "
	  "null" },
	{ "pattern", "{\"UserPoolId\":\"nope\"}", IPE, V1 "Value 'nope' at "
	  "'userPoolId' failed to satisfy constraint: Member must satisfy "
	  "regular expression pattern: [\\w-]+_[0-9a-zA-Z]+" },
	{ "length max", "{\"UserPoolId\":\"us-east-1_"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", IPE,
	  V1 "Value 'us-east-1_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
	  "at 'userPoolId' failed to satisfy constraint: Member must have "
	  "length less than or equal to 55" },
	{ "length min", "{\"UserPoolId\":\"\"}", IPE, V1 "Value '' at "
	  "'userPoolId' failed to satisfy constraint: Member must have length "
	  "greater than or equal to 1" },
	{ "length counts characters", "{" POOL ",\"UserPoolTags\":{\"k\":\""
	  "\xc3\xa9\xc3\xa9\"}}", NULL, NULL },
	{ "nested range min", "{" POOL ",\"Policies\":{\"PasswordPolicy\":"
	  "{\"MinimumLength\":5}}}", IPE, V1 "Value '5' at "
	  "'policies.passwordPolicy.minimumLength' failed to satisfy "
	  "constraint: Member must have value greater than or equal to 6" },
	{ "nested range max", "{" POOL ",\"Policies\":{\"PasswordPolicy\":"
	  "{\"MinimumLength\":100}}}", IPE, V1 "Value '100' at "
	  "'policies.passwordPolicy.minimumLength' failed to satisfy "
	  "constraint: Member must have value less than or equal to 99" },
	{ "nested required", "{" POOL ",\"Policies\":{\"PasswordPolicy\":{}}}",
	  IPE, V1 "Value null at 'policies.passwordPolicy.minimumLength' "
	  "failed to satisfy constraint: Member must not be null" },
	{ "enum", "{" POOL ",\"MfaConfiguration\":\"MAYBE\"}", IPE,
	  V1 "Value 'MAYBE' at 'mfaConfiguration' failed to satisfy "
	  "constraint: Member must satisfy enum value set: "
	  "[OFF, ON, OPTIONAL]" },
	{ "list item", "{" POOL ",\"ExplicitAuthFlows\":[\"ALLOW_A\",\"BAD\"]}",
	  IPE, V1 "Value 'BAD' at 'explicitAuthFlows.2.member' failed to "
	  "satisfy constraint: Member must satisfy enum value set: "
	  "[ALLOW_A, ALLOW_B]" },
	{ "list null item", "{" POOL ",\"ExplicitAuthFlows\":[null]}", IPE,
	  V1 "Value null at 'explicitAuthFlows.1.member' failed to satisfy "
	  "constraint: Member must not be null" },
	{ "list length", "{" POOL ",\"ExplicitAuthFlows\":[\"ALLOW_A\","
	  "\"ALLOW_A\",\"ALLOW_A\",\"ALLOW_A\"]}", IPE, V1 "Value "
	  "'[\"ALLOW_A\",\"ALLOW_A\",\"ALLOW_A\",\"ALLOW_A\"]' at "
	  "'explicitAuthFlows' failed to satisfy constraint: Member must have "
	  "length less than or equal to 3" },
	{ "list item type", "{" POOL ",\"ExplicitAuthFlows\":[1]}", SER,
	  "NUMBER_VALUE can not be converted to a String" },
	{ "map value", "{" POOL ",\"UserPoolTags\":{\"team\":7}}", SER,
	  "NUMBER_VALUE can not be converted to a String" },
	{ "map key", "{" POOL ",\"UserPoolTags\":{\"\":\"x\"}}", IPE,
	  V1 "Value '' at 'userPoolTags' failed to satisfy constraint: Member "
	  "must have length greater than or equal to 1" },
	{ "map entries", "{" POOL ",\"UserPoolTags\":{\"a\":\"1\",\"b\":\"2\","
	  "\"c\":\"3\"}}", IPE, V1 "Value "
	  "'{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}' at 'userPoolTags' failed "
	  "to satisfy constraint: Member must have length less than or "
	  "equal to 2" },
	{ "sensitive length", "{" POOL ",\"Password\":\"short\"}", IPE,
	  V1 "Value at 'password' failed to satisfy constraint: Member must "
	  "have length greater than or equal to 6" },
	{ "sensitive pattern", "{" POOL ",\"Password\":\"pass word\"}", IPE,
	  V1 "Value at 'password' failed to satisfy constraint: Member must "
	  "satisfy regular expression pattern: [\\S]+" },
	{ "int as string", "{" POOL ",\"Policies\":{\"PasswordPolicy\":"
	  "{\"MinimumLength\":\"8\"}}}", SER,
	  "STRING_VALUE can not be converted to an Integer" },
	{ "int as real", "{" POOL ",\"Policies\":{\"PasswordPolicy\":"
	  "{\"MinimumLength\":8.5}}}", SER,
	  "NUMBER_VALUE can not be converted to an Integer" },
	{ "struct as list", "{" POOL ",\"Policies\":[]}", SER,
	  "Start of list found where not expected." },
	{ "string as struct", "{\"UserPoolId\":{}}", SER,
	  "Start of structure or map found where not expected." },
	{ "bool as string", "{" POOL ",\"Enabled\":\"true\"}", SER,
	  "STRING_VALUE can not be converted to a Boolean" },
	{ "list as string", "{" POOL ",\"ExplicitAuthFlows\":\"ALLOW_A\"}", SER,
	  "STRING_VALUE can not be converted to a List" },
	{ "number as bool", "{" POOL ",\"Ratio\":true}", SER,
	  "BOOLEAN_VALUE can not be converted to a Double" },
	{ "number range", "{" POOL ",\"Ratio\":10.5}", IPE, V1 "Value '10.5' "
	  "at 'ratio' failed to satisfy constraint: Member must have value "
	  "less than or equal to 10" },
	{ "unflagged bounds", "{" POOL ",\"Count\":-3}", NULL, NULL },
	{ "unflagged max", "{" POOL ",\"Count\":6}", IPE, V1 "Value '6' at "
	  "'count' failed to satisfy constraint: Member must have value less "
	  "than or equal to 5" },
	{ "top level list", "[]", SER,
	  "Start of list found where not expected." },
	{ "blob not base64", "{" POOL ",\"Data\":\"a b\"}", SER,
	  "Base64 encoded value at 'data' could not be decoded" },
	{ "blob length", "{" POOL ",\"Data\":\"AAAAAAAA\"}", IPE,
	  V1 "Value 'AAAAAAAA' at 'data' failed to satisfy constraint: Member "
	  "must have length less than or equal to 4" },
	{ "NUL in string", "{\"UserPoolId\":\"us-east-1_a\\u0000b\"}", IPE,
	  V1 "Value 'us-east-1_a' at 'userPoolId' failed to satisfy "
	  "constraint: Member must not contain the NUL character" },
};

START_TEST(test_cases)
{
	const struct shape_case	*t = &cases[_i];
	json_error_t		 err;
	json_t			*j;
	const char		*type = NULL;
	char			*msg = NULL;
	int			 rc;

	j = json_loads(t->json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	ck_assert_msg(j != NULL, "%s: %s", t->name, err.text);
	rc = shape_check(&s_input, j, &type, &msg);
	json_decref(j);
	if (t->type == NULL) {
		ck_assert_msg(rc == 0, "%s: %s", t->name, msg);
		return;
	}
	ck_assert_msg(rc == -1, "%s: accepted", t->name);
	ck_assert_str_eq(type, t->type);
	ck_assert_msg(strcmp(msg, t->msg) == 0, "%s:\n got: %s\nwant: %s",
	    t->name, msg, t->msg);
	free(msg);
}
END_TEST

/* Echoed values stop at 256 bytes, on a character boundary. */
START_TEST(test_echo_truncated)
{
	json_t		*j, *name;
	const char	*type;
	char		*msg, *s, *start, *end;
	size_t		 i;

	s = xmalloc(1 + 2 * 200 + 1);
	s[0] = 'a';
	for (i = 0; i < 200; i++)
		memcpy(s + 1 + 2 * i, "\xc3\xa9", 2);
	s[401] = '\0';
	name = json_string(s);
	free(s);
	j = json_pack("{s:s, s:o}", "UserPoolId", "us-east-1_abc", "PoolName",
	    name);
	ck_assert_int_eq(shape_check(&s_input, j, &type, &msg), -1);
	json_decref(j);
	start = strchr(msg, '\'') + 1;
	end = strstr(start, "' at 'poolName'");
	ck_assert_ptr_nonnull(end);
	ck_assert_int_eq(end - start, 255);	/* 'a' + 127 x 2 bytes */
	ck_assert_ptr_nonnull(strstr(msg, "less than or equal to 128"));
	free(msg);
}
END_TEST

struct pattern_case {
	int		(*fn)(const char *);
	const char	*in;
	int		 ok;
};

static const struct pattern_case patterns[] = {
	{ shape_check_word, "abc_+1", 1 },
	{ shape_check_word, "", 0 },
	{ shape_check_word, "a-b", 0 },
	{ shape_check_word, "\xc3\xa9", 0 },
	{ shape_check_pool_id, "us-east-1_AbC123", 1 },
	{ shape_check_pool_id, "a_b", 1 },
	{ shape_check_pool_id, "us_east_1_abc", 1 },
	{ shape_check_pool_id, "_abc", 0 },
	{ shape_check_pool_id, "abc_", 0 },
	{ shape_check_pool_id, "abc", 0 },
	{ shape_check_pool_id, "us-east-1_ab-c", 0 },
	{ shape_check_pool_id, "us east-1_abc", 0 },
	{ shape_check_pool_id, "us-east-1_abc_", 0 },
	{ shape_check_name, "Google", 1 },
	{ shape_check_name, "h\xc3\xa9llo!", 1 },
	{ shape_check_name, "\xf0\x9f\x98\x80", 1 },
	{ shape_check_name, "a b", 0 },
	{ shape_check_name, "tab\t", 0 },
	{ shape_check_name, "", 0 },
	{ shape_check_name, "\xff", 0 },
	{ shape_check_name, "\xc0\x80", 0 },
	{ shape_check_name, "\xe0\x80\xaf", 0 },
	{ shape_check_name, "\xed\xa0\x80", 0 },
	{ shape_check_name, "\xf4\x90\x80\x80", 0 },
	{ shape_check_name, "\xe2\x82", 0 },
	{ shape_check_name, "a\x7f", 0 },
	{ shape_check_pool_name, "My Pool, v2.0 @home+x=y-z_", 1 },
	{ shape_check_pool_name, "pool\tname", 1 },
	{ shape_check_pool_name, "pool/name", 0 },
	{ shape_check_pool_name, "", 0 },
	{ shape_check_pool_name, "\xc3\xa9", 0 },
	{ shape_check_arn, "arn:aws:iam::123456789012:role/service-role/x", 1 },
	{ shape_check_arn, "arn:aws:lambda:us-east-1:123456789012:function:fn",
	  1 },
	{ shape_check_arn,
	  "arn:aws:lambda:us-east-1:123456789012:function:fn:prod", 1 },
	{ shape_check_arn, "arn:aws:sns:us-east-1:1:t,o.p@i=c+s_-", 1 },
	{ shape_check_arn,
	  "arn:aws:lambda:us-east-1:123456789012:function:fn:prod:x", 0 },
	{ shape_check_arn, "arn:aws:iam::abc:role/x", 0 },
	{ shape_check_arn, "arn:aws:iam:::role/x", 0 },
	{ shape_check_arn, "arn::iam::1:r", 0 },
	{ shape_check_arn, "arn:aws:::1:r", 0 },
	{ shape_check_arn, "arx:aws:iam::1:r", 0 },
	{ shape_check_arn, "arnn:aws:iam::1:r", 0 },
	{ shape_check_arn, "arn:aws:iam::1:", 0 },
	{ shape_check_arn, "arn:aws:iam::1:r:", 0 },
	{ shape_check_arn, "arn:aws:iam::1", 0 },
	{ shape_check_arn, "arn:aws:sns:us-east-1:1:topic name", 0 },
	{ shape_check_arn, "", 0 },
	{ shape_check_no_space, "abc!\xc3\xa9", 1 },
	{ shape_check_no_space, "a b", 0 },
	{ shape_check_no_space, "a\nb", 0 },
	{ shape_check_no_space, "", 0 },
};

START_TEST(test_patterns)
{
	const struct pattern_case	*t = &patterns[_i];

	ck_assert_msg((t->fn(t->in) == 0) == t->ok, "case %d: \"%s\"", _i,
	    t->in);
}
END_TEST

Suite *
shape_suite(void)
{
	Suite	*s = suite_create("shape");
	TCase	*tc = tcase_create("shape");

	tcase_add_loop_test(tc, test_cases, 0, (int)nitems(cases));
	tcase_add_test(tc, test_echo_truncated);
	tcase_add_loop_test(tc, test_patterns, 0, (int)nitems(patterns));
	suite_add_tcase(s, tc);
	return s;
}
