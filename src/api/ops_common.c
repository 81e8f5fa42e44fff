/*
 * ops_common.c: helpers shared by the operation families.
 *
 * NextToken values are base64url of a small JSON array holding the
 * keyset position of the last item returned (for example the creation
 * time and id of a client). Paging by keyset rather than by offset
 * means a page never repeats or skips an item when others are created
 * or deleted meanwhile, and the AWS CLI's automatic paging always ends.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "conf.h"
#include "core/policy.h"
#include "core/users.h"
#include "crypto/b64.h"
#include "db/pools.h"
#include "util.h"

#define OPS_TOKEN_MAX	2048

const struct shape ops_shape_pool_id = {
	.kind = SHAPE_STRING, .min = 1, .max = 55, .has_min = 1,
	.has_max = 1, .check = shape_check_pool_id,
	.pattern = "[\\w-]+_[0-9a-zA-Z]+",
};

const struct shape ops_shape_client_id = {
	.kind = SHAPE_STRING, .min = 1, .max = 128, .has_min = 1,
	.has_max = 1, .check = shape_check_word, .pattern = "[\\w+]+",
	.sensitive = 1,
};

const struct shape ops_shape_username = {
	.kind = SHAPE_STRING, .min = 1, .max = 128, .has_min = 1,
	.has_max = 1, .check = shape_check_name,
	.pattern = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+", .sensitive = 1,
};

const struct shape ops_shape_next_token = {
	.kind = SHAPE_STRING, .min = 1, .has_min = 1,
	.check = shape_check_no_space, .pattern = "[\\S]+",
};

const struct shape ops_shape_password = {
	.kind = SHAPE_STRING, .max = 256, .has_max = 1,
	.check = policy_check_pattern, .pattern = POLICY_PASSWORD_PATTERN,
	.sensitive = 1,
};

const struct shape ops_shape_attribute_name = {
	.kind = SHAPE_STRING, .min = 1, .max = 32, .has_min = 1,
	.has_max = 1, .check = shape_check_name,
	.pattern = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
};

static const struct shape ops_shape_attribute_value = {
	.kind = SHAPE_STRING, .max = 2048, .has_max = 1, .sensitive = 1,
};

static const struct shape_member ops_attribute_members[] = {
	{ "Name", &ops_shape_attribute_name, 1 },
	{ "Value", &ops_shape_attribute_value, 0 },
	{ NULL, NULL, 0 }
};

static const struct shape ops_shape_attribute = {
	.kind = SHAPE_STRUCT, .members = ops_attribute_members,
};

const struct shape ops_shape_attributes = {
	.kind = SHAPE_LIST, .item = &ops_shape_attribute,
};

const struct shape ops_shape_attribute_names = {
	.kind = SHAPE_LIST, .item = &ops_shape_attribute_name,
};

void
ops_fail_no_pool(struct api_call *call, const char *pool_id)
{
	api_fail(call, "ResourceNotFoundException",
	    "User pool %s does not exist.", pool_id);
}

void
ops_fail_no_client(struct api_call *call, const char *client_id)
{
	api_fail(call, "ResourceNotFoundException",
	    "User pool client %s does not exist.", client_id);
}

void
ops_fail_no_user(struct api_call *call)
{
	api_fail(call, "UserNotFoundException", "User does not exist.");
}

int
ops_check_password(struct api_call *call, json_t *config, const char *pw)
{
	const char	*why;

	if ((why = policy_check_password(policy_of(config), pw)) == NULL)
		return 0;
	api_fail(call, api_exception(policy_err_kind(why)), "%s", why);
	return -1;
}

int
ops_hashed(struct api_call *call, const char *hash)
{
	if (hash != NULL)
		return 0;
	api_fail(call, "InternalErrorException",
	    "The password could not be hashed.");
	return -1;
}

int
ops_true(const PGresult *r, int row, int col)
{
	const char	*v = pg_val(r, row, col);

	return v != NULL && strcmp(v, "t") == 0;
}

long long
ops_count(const PGresult *r, int row, int col)
{
	const char	*v = pg_val(r, row, col);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

char *
ops_json_text(json_t *j)
{
	char	*s;

	if ((s = json_dumps(j, JSON_COMPACT)) == NULL)
		fatalx("json_dumps");
	return s;
}

const PGresult *
ops_pool_result(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return NULL;
	}
	if (pg_rows(reply->res[0]) == 0) {
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
		return NULL;
	}
	return reply->res[0];
}

int
ops_pool_changed(struct api_call *call, struct pg_reply *reply,
    void (*missing)(struct api_call *))
{
	const PGresult	*r;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return 0;
	}
	r = reply->res[0];
	if (!ops_true(r, 0, 0))
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
	else if (ops_count(r, 0, 1) == 0)
		missing(call);
	else
		return 1;
	return 0;
}

void
ops_pool_query(struct api_call *call,
    void (*done)(struct api_call *, struct pg_reply *))
{
	struct pg_batch	*b = pg_batch_new();

	db_pools_config(b, api_str(call->in, "UserPoolId"));
	api_query(call, b, done);
}

int
ops_pool_read(struct api_call *call, struct pg_reply *reply,
    struct ops_pool *p)
{
	const PGresult	*r;
	const char	*name = api_str(call->in, "Username");

	memset(p, 0, sizeof *p);
	if ((r = ops_pool_result(call, reply)) == NULL)
		return -1;
	p->config = json_loads(pg_val(r, 0, DB_POOLS_CONFIG), 0, NULL);
	if (!json_is_object(p->config)) {
		json_decref(p->config);
		p->config = json_object();
	}
	users_rules_init(&p->rules, p->config);
	if (name != NULL)
		p->key = users_key(&p->rules, name);
	return 0;
}

void
ops_pool_clear(struct ops_pool *p)
{
	json_decref(p->config);
	free(p->key);
	memset(p, 0, sizeof *p);
}

char *
ops_token_make(const char *a, const char *b)
{
	json_t	*j;
	char	*text, *tok;

	j = b != NULL ? json_pack("[ss]", a, b) : json_pack("[s]", a);
	if (j == NULL || (text = json_dumps(j, JSON_COMPACT)) == NULL)
		fatalx("ops_token_make: json");
	json_decref(j);
	tok = b64url_encode(text, strlen(text));
	free(text);
	return tok;
}

/* A string item of the token array, or NULL. */
static char *
ops_token_item(json_t *j, size_t i)
{
	json_t	*v = json_array_get(j, i);

	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return xstrdup(json_string_value(v));
}

int
ops_token_parse(const char *tok, char **a, char **b)
{
	unsigned char	*buf;
	size_t		 len, want = b != NULL ? 2 : 1;
	json_t		*j;

	*a = NULL;
	if (b != NULL)
		*b = NULL;
	if (strlen(tok) > OPS_TOKEN_MAX || b64url_decode(tok, &buf, &len) != 0)
		return -1;
	j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	free(buf);
	if (!json_is_array(j) || json_array_size(j) != want) {
		json_decref(j);
		return -1;
	}
	*a = ops_token_item(j, 0);
	if (b != NULL)
		*b = ops_token_item(j, 1);
	json_decref(j);
	if (*a == NULL || (b != NULL && *b == NULL)) {
		free(*a);
		if (b != NULL)
			free(*b);
		return -1;
	}
	return 0;
}

int
ops_page_after(struct api_call *call, char **a, char **b)
{
	const char	*tok = api_str(call->in, "NextToken");

	*a = NULL;
	if (b != NULL)
		*b = NULL;
	if (tok != NULL && ops_token_parse(tok, a, b) != 0) {
		api_fail(call, "InvalidParameterException",
		    "Invalid NextToken.");
		return -1;
	}
	return 0;
}

void
ops_page_next(json_t *out, const char *member, const char *a, const char *b)
{
	char	*tok = ops_token_make(a, b);

	json_object_set_new(out, member, json_string(tok));
	free(tok);
}

/* Length of a URI scheme at the start of s ([A-Za-z][A-Za-z0-9+.-]*:). */
static size_t
ops_scheme_len(const char *s)
{
	size_t	n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' ||
	    s[n] == '.')
		n++;
	return s[n] == ':' ? n : 0;
}

/*
 * The host of an authority "host[:port]" or "[v6][:port]" between p and
 * the first '/', '?' or end; -1 when there is none, when the port is
 * not numeric, or when the authority carries user information (which
 * only serves to make "https://bank.example@evil.example" look like
 * the bank's address).
 */
static int
ops_authority(const char *p, char *host, size_t hostsz)
{
	size_t		 n = strcspn(p, "/?"), hl;
	const char	*port;

	if (n == 0 || memchr(p, '@', n) != NULL)
		return -1;
	if (p[0] == '[') {
		port = memchr(p, ']', n);
		if (port == NULL)
			return -1;
		port++;
	} else if ((port = memchr(p, ':', n)) == NULL)
		port = p + n;
	hl = (size_t)(port - p);
	if (hl == 0 || hl >= hostsz)
		return -1;
	memcpy(host, p, hl);
	host[hl] = '\0';
	if (port < p + n) {
		if (*port != ':' || port + 1 == p + n)
			return -1;
		for (port++; port < p + n; port++)
			if (!isdigit((unsigned char)*port))
				return -1;
	}
	return 0;
}

static int
ops_is_loopback(const char *host)
{
	return strcasecmp(host, "localhost") == 0 ||
	    strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0;
}

/*
 * Schemes that run or embed content instead of navigating. A redirect
 * URI is echoed into Location headers and links of the hosted pages, so
 * these would turn a client registration into script execution on our
 * origin.
 */
static const char *const ops_bad_schemes[] = {
	"javascript", "data", "vbscript", "file", "blob", "about", NULL
};

int
ops_check_redirect_url(const char *url, const char **why)
{
	size_t		 sl = ops_scheme_len(url), i;
	char		 host[256];
	const char	*p;

	*why = NULL;
	if (sl == 0)
		*why = "must be an absolute URL";
	else if (strchr(url, '#') != NULL)
		*why = "must not contain a fragment";
	for (p = url; *why == NULL && *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			*why = "must not contain spaces or control characters";
	for (i = 0; *why == NULL && ops_bad_schemes[i] != NULL; i++)
		if (strlen(ops_bad_schemes[i]) == sl &&
		    strncasecmp(url, ops_bad_schemes[i], sl) == 0)
			*why = "uses a scheme that is not allowed";
	if (*why != NULL)
		return -1;
	p = url + sl + 1;
	if (sl == 5 && strncasecmp(url, "https", 5) == 0) {
		if (strncmp(p, "//", 2) != 0 ||
		    ops_authority(p + 2, host, sizeof host) != 0)
			*why = "must name a host";
	} else if (sl == 4 && strncasecmp(url, "http", 4) == 0) {
		if (strncmp(p, "//", 2) != 0 ||
		    ops_authority(p + 2, host, sizeof host) != 0 ||
		    !ops_is_loopback(host))
			*why = "must use https (http is allowed only for "
			    "localhost, 127.0.0.1 and [::1])";
	} else if (*p == '\0')
		*why = "must not be a bare scheme";
	return *why != NULL ? -1 : 0;
}

/* Every byte of a non-empty s is printable ASCII in the set of ok(). */
static int
ops_check_chars(const char *s, int (*ok)(unsigned char))
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (!ok((unsigned char)*s))
			return -1;
	return 0;
}

/* [\x21\x23-\x5B\x5D-\x7E]: printable, no space, '"' or '\'. */
static int
ops_scope_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != 0x22 && c != 0x5c;
}

static int
ops_scope_name_char(unsigned char c)
{
	return ops_scope_char(c) && c != '/';
}

static int
ops_hex_char(unsigned char c)
{
	return isxdigit(c);
}

int
ops_check_scope(const char *s)
{
	return ops_check_chars(s, ops_scope_char);
}

int
ops_check_scope_name(const char *s)
{
	return ops_check_chars(s, ops_scope_name_char);
}

int
ops_check_hex(const char *s)
{
	return ops_check_chars(s, ops_hex_char);
}

char *
ops_public_host(void)
{
	const char	*p = conf->public_url, *s;
	char		 host[256];

	if ((s = strstr(p, "://")) != NULL)
		p = s + 3;
	if (ops_authority(p, host, sizeof host) != 0)
		return xstrdup("localhost");
	return xstrdup(host);
}
