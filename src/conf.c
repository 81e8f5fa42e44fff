/*
 * conf.c: one strict table of configuration keys. A key is set from a
 * file (-c FILE, "key = value" lines), from the environment
 * (USERPOOLD_<KEY>) and from the command line (--key=value); later
 * sources win. An unknown key, a malformed line or a value that fails
 * its validator stops start-up with a message naming it.
 *
 * A file may end with a [triggers] section: "arn = url" lines mapping
 * the Lambda ARNs a pool's LambdaConfig names (configurations copied
 * from AWS) to the webhook URLs that stand for them (hooks/triggers.c).
 * Those are file-only: an ARN holds colons and is no key name.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fed/fetch.h"
#include "http/addr.h"
#include "notify/caps.h"
#include "util.h"

struct conf	*conf;

enum conf_type { CONF_STRING, CONF_INT };

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;
	const char	*def;
	int		 min, max;
	int		(*check)(const char *);
	const char	*help;
};

static int	check_listen(const char *);
static int	check_url(const char *);
static int	check_region(const char *);
static int	check_account(const char *);
static int	check_level(const char *);
static int	check_domain(const char *);
static int	check_proxies(const char *);
static int	check_message_caps(const char *);
static int	check_on_off(const char *);

#define S(f) CONF_STRING, offsetof(struct conf, f)
#define I(f) CONF_INT, offsetof(struct conf, f)
static const struct conf_key conf_keys[] = {
	{ "state_dir", S(state_dir), "/var/lib/userpoold", 0, 0, NULL,
	  "directory for the embedded database, keys and outbox" },
	{ "listen_https", S(listen_https), "0.0.0.0:8443", 0, 0, check_listen,
	  "address:port of the HTTPS listener, empty to disable" },
	{ "listen_http", S(listen_http), "", 0, 0, check_listen,
	  "address:port of a plain-HTTP listener (behind a proxy), empty to "
	  "disable" },
	{ "public_url", S(public_url), "", 0, 0, check_url,
	  "base URL of the API host; the issuer of pool P is <public_url>/P "
	  "(default: https://localhost:<https port>)" },
	{ "auth_domain", S(auth_domain), "", 0, 0, check_domain,
	  "parent domain of pool domains: <prefix>.<auth_domain>; empty "
	  "serves pool domains by path only" },
	{ "region", S(region), "us-east-1", 0, 0, check_region,
	  "region name, the prefix of pool ids" },
	{ "account_id", S(account_id), "000000000000", 0, 0, check_account,
	  "12-digit account id used in ARNs" },
	{ "workers", I(workers), "0", 0, 256, NULL,
	  "worker processes, 0 for one per core" },
	{ "database_url", S(database_url), "", 0, 0, NULL,
	  "libpq connection string; empty runs an embedded PostgreSQL under "
	  "state_dir/pg" },
	{ "master_key_file", S(master_key_file), "", 0, 0, NULL,
	  "file holding the key that encrypts signing keys at rest "
	  "(default: state_dir/master.key, created on first run)" },
	{ "tls_cert_file", S(tls_cert_file), "", 0, 0, NULL,
	  "PEM certificate chain (default: state_dir/tls/cert.pem, "
	  "self-signed on first run)" },
	{ "tls_key_file", S(tls_key_file), "", 0, 0, NULL,
	  "PEM private key (default: state_dir/tls/key.pem)" },
	{ "log_level", S(log_level), "info", 0, 0, check_level,
	  "debug, info, warn or error" },
	{ "trusted_proxies", S(trusted_proxies), "", 0, 0, check_proxies,
	  "comma-separated addresses or networks (address/bits) of proxies "
	  "whose X-Forwarded-For names the client" },
	{ "pg_bindir", S(pg_bindir), "", 0, 0, NULL,
	  "directory of initdb and pg_ctl for the embedded database "
	  "(default: found under /usr/lib/postgresql)" },
	{ "pg_connections", I(pg_connections), "2", 1, 64, NULL,
	  "PostgreSQL connections per worker" },
	{ "crypto_threads", I(crypto_threads), "0", 0, 64, NULL,
	  "threads per worker for scrypt, SRP and signing; 0 for one per "
	  "core" },
	{ "max_body_bytes", I(max_body_bytes), "262144", 1024, 1 << 30, NULL,
	  "largest request body accepted, the JSON API's limit (413 above)" },
	{ "max_form_bytes", I(max_form_bytes), "65536", 1024, 1 << 30, NULL,
	  "largest request body of a pool domain's pages and OAuth2 "
	  "endpoints (413 above)" },
	{ "max_header_bytes", I(max_header_bytes), "16384", 1024, 1 << 20,
	  NULL, "largest request header block accepted (431 above)" },
	{ "max_connections", I(max_connections), "4096", 1, 1 << 20, NULL,
	  "open connections per worker; a new one beyond is closed at "
	  "once" },
	{ "max_json_depth", I(max_json_depth), "32", 2, 512, NULL,
	  "deepest JSON nesting accepted in a request" },
	{ "request_timeout", I(request_timeout), "30", 1, 3600, NULL,
	  "seconds a request may take before it is answered with an error" },
	{ "header_timeout", I(header_timeout), "10", 1, 3600, NULL,
	  "seconds a client has to send a request's headers, from its first "
	  "byte (or from the connection's start); the connection is closed "
	  "after" },
	{ "body_timeout", I(body_timeout), "30", 1, 3600, NULL,
	  "seconds a client has to send a request's body once the headers "
	  "are in; the connection is closed after" },
	{ "db_timeout", I(db_timeout), "10", 1, 3600, NULL,
	  "seconds a database query may wait before it fails" },
	{ "idle_timeout", I(idle_timeout), "60", 1, 3600, NULL,
	  "seconds an idle connection is kept open" },
	{ "queue_limit", I(queue_limit), "1024", 1, 1 << 20, NULL,
	  "queued database queries or crypto jobs per worker before 503" },
	{ "scrypt_log2_n", I(scrypt_log2_n), "14", 1, 20, NULL,
	  "scrypt cost of new password hashes: N = 2^value" },
	{ "scrypt_r", I(scrypt_r), "8", 1, 255, NULL,
	  "scrypt block size r of new password hashes" },
	{ "scrypt_p", I(scrypt_p), "1", 1, 255, NULL,
	  "scrypt parallelism p of new password hashes" },
	{ "signin_rate_per_address", I(signin_rate_per_address), "30", 1,
	  1 << 20, NULL, "hosted-UI sign-in attempts per client address, "
	  "pool and minute before a \"try again later\" page" },
	{ "address_rate", I(address_rate), "20", 0, 1 << 20, NULL,
	  "requests a second each client address may make, per worker, to "
	  "the JSON API's unsigned operations and a pool domain's pages "
	  "(TooManyRequestsException or 429 above); 0 for no limit" },
	{ "address_burst", I(address_burst), "200", 1, 1 << 20, NULL,
	  "requests a client address may make at once before address_rate "
	  "applies" },
	{ "message_cap_recipient_15min", I(message_cap_recipient_15min), "5",
	  0, 1 << 20, NULL, "codes sent to one e-mail address or phone number "
	  "of a pool in 15 minutes (0: no cap)" },
	{ "message_cap_recipient_day", I(message_cap_recipient_day), "20", 0,
	  1 << 20, NULL, "codes sent to one recipient of a pool in a day "
	  "(0: no cap)" },
	{ "message_cap_pool_hour", I(message_cap_pool_hour), "1000", 0,
	  1 << 20, NULL, "messages one pool sends in an hour, invitations "
	  "included (0: no cap)" },
	{ "message_cap_address_hour", I(message_cap_address_hour), "50", 0,
	  1 << 20, NULL, "codes one client address makes a pool send in an "
	  "hour (0: no cap)" },
	{ "message_caps_pools", S(message_caps_pools), "", 0, 0,
	  check_message_caps, "per-pool caps: POOL_ID:name=value,... entries "
	  "separated by spaces or ';', name one of recipient_15min, "
	  "recipient_day, pool_hour, address_hour" },
	{ "ui_dir", S(ui_dir), "", 0, 0, NULL,
	  "directory holding the hosted UI's templates/ and static/ "
	  "(default: the source tree's)" },
	{ "smtp_url", S(smtp_url), "", 0, 0, NULL,
	  "mail server, smtp://host:port or smtps://host:port; empty writes "
	  "e-mail to state_dir/outbox" },
	{ "smtp_user", S(smtp_user), "", 0, 0, NULL,
	  "user name for SMTP authentication, empty for none" },
	{ "smtp_password", S(smtp_password), "", 0, 0, NULL,
	  "password for SMTP authentication" },
	{ "smtp_from", S(smtp_from), "no-reply@localhost", 0, 0, NULL,
	  "sender address of e-mail" },
	{ "smtp_starttls", I(smtp_starttls), "0", 0, 1, NULL,
	  "1 to require STARTTLS on smtp:// connections" },
	{ "sms_webhook_url", S(sms_webhook_url), "", 0, 0, NULL,
	  "URL that receives each SMS as a JSON POST; empty writes SMS to "
	  "state_dir/outbox" },
	{ "sms_webhook_token", S(sms_webhook_token), "", 0, 0, NULL,
	  "bearer token sent to the SMS webhook, empty for none" },
	{ "fetch_ca_file", S(fetch_ca_file), "", 0, 0, NULL,
	  "PEM file of the CAs trusted for outbound https to identity "
	  "providers (discovery, keys, tokens, SAML metadata); empty for the "
	  "system's" },
	{ "console", S(console), "on", 0, 0, check_on_off,
	  "on: the admin console at <public_url>/console/ (account admin, "
	  "password in state_dir/console-password); off: not served (404)" },
	{ "console_listen", S(console_listen), "", 0, 0, check_listen,
	  "address:port of an HTTPS listener that serves the console alone "
	  "(e.g. 127.0.0.1:8444); the other listeners then do not; empty: "
	  "the console is on the API host's listeners" },
	{ "idp_keys_refresh_min", I(idp_keys_refresh_min), "30", 0, 3600,
	  NULL, "seconds at least between two fetches of an identity "
	  "provider's JWKS that ID tokens of an unknown kid force (a forged "
	  "kid cannot make the daemon hammer the provider)" },
	{ "trigger_breaker_failures", I(trigger_breaker_failures), "5", 1,
	  1000, NULL, "failed calls in a row (no answer, or 5xx without "
	  "Lambda's error JSON) after which a trigger URL's circuit opens: "
	  "calls fail at once without reaching it" },
	{ "trigger_breaker_seconds", I(trigger_breaker_seconds), "30", 1,
	  3600, NULL, "seconds a trigger URL's open circuit refuses calls "
	  "before one call tries it again" },
};
#undef S
#undef I

static const struct conf_key *
conf_find(const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < nitems(conf_keys); i++) {
		if (strlen(conf_keys[i].name) == len &&
		    strncmp(conf_keys[i].name, name, len) == 0)
			return &conf_keys[i];
	}
	return NULL;
}

static int
conf_apply(struct conf *c, const struct conf_key *k, const char *value,
    char **cause)
{
	char	**sp;
	long	  n;
	char	 *end;

	if (k->type == CONF_INT) {
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || *value == '\0' || *end != '\0' ||
		    n < k->min || n > k->max) {
			*cause = xasprintf("%s: must be a number from %d to %d",
			    k->name, k->min, k->max);
			return -1;
		}
		*(int *)((char *)c + k->offset) = (int)n;
		return 0;
	}
	if (k->check != NULL && *value != '\0' && k->check(value) != 0) {
		*cause = xasprintf("%s: invalid value \"%s\"", k->name, value);
		return -1;
	}
	sp = (char **)((char *)c + k->offset);
	free(*sp);
	*sp = xstrdup(value);
	return 0;
}

int
conf_set(struct conf *c, const char *name, const char *value, char **cause)
{
	const struct conf_key	*k;

	if ((k = conf_find(name, strlen(name))) == NULL) {
		*cause = xasprintf("unknown configuration key \"%s\"", name);
		return -1;
	}
	return conf_apply(c, k, value, cause);
}

struct conf *
conf_new(void)
{
	struct conf	*c = xcalloc(1, sizeof *c);
	char		*cause;
	size_t		 i;

	for (i = 0; i < nitems(conf_keys); i++)
		if (conf_apply(c, &conf_keys[i], conf_keys[i].def, &cause) != 0)
			fatalx("default of %s", conf_keys[i].name);
	return c;
}

void
conf_free(struct conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < nitems(conf_keys); i++)
		if (conf_keys[i].type == CONF_STRING)
			free(*(char **)((char *)c + conf_keys[i].offset));
	for (i = 0; i < c->ntriggers; i++) {
		free(c->triggers[i].arn);
		free(c->triggers[i].url);
	}
	free(c->triggers);
	free(c);
}

const char *
conf_trigger_url(const struct conf *c, const char *arn)
{
	size_t	i;

	for (i = 0; c != NULL && i < c->ntriggers; i++)
		if (strcmp(c->triggers[i].arn, arn) == 0)
			return c->triggers[i].url;
	return NULL;
}

/*
 * One "arn = url" line of [triggers]: a Lambda function's ARN (with or
 * without a version or alias) and an http(s) URL; a later line for the
 * same ARN replaces the earlier.
 */
static int
conf_trigger_add(struct conf *c, const char *arn, const char *url,
    char **cause)
{
	struct conf_trigger	*t;
	size_t			 i;

	if (strncmp(arn, "arn:", 4) != 0 || strstr(arn, ":lambda:") == NULL ||
	    strpbrk(arn, " \t") != NULL) {
		*cause = xasprintf("[triggers]: \"%s\" is not a Lambda "
		    "function ARN", arn);
		return -1;
	}
	if (strpbrk(url, " \t") != NULL || fetch_url_allowed(url) != 0) {
		*cause = xasprintf("[triggers]: \"%s\" is not an https URL "
		    "(or http to a loopback address)", url);
		return -1;
	}
	for (i = 0; i < c->ntriggers; i++)
		if (strcmp(c->triggers[i].arn, arn) == 0)
			break;
	if (i == c->ntriggers) {
		c->triggers = xrealloc(c->triggers, (c->ntriggers + 1) *
		    sizeof *c->triggers);
		t = &c->triggers[c->ntriggers++];
		t->arn = xstrdup(arn);
	} else {
		t = &c->triggers[i];
		free(t->url);
	}
	t->url = xstrdup(url);
	return 0;
}

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* The sections of a file; the keys of the table come before any. */
enum conf_section { CONF_MAIN, CONF_TRIGGERS };

/* A "[name]" line: the section it starts, or -1 (unknown). */
static int
conf_section_line(const char *line)
{
	if (strcmp(line, "[triggers]") == 0)
		return CONF_TRIGGERS;
	return -1;
}

/* Parse one "key = value" line of a configuration file. */
static int
conf_line(struct conf *c, const char *path, int lineno, char *line,
    int *section, char **cause)
{
	char	*eq, *key, *value, *why;
	size_t	 vlen;
	int	 rc;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	if (*line == '[') {
		if ((*section = conf_section_line(line)) != -1)
			return 0;
		*cause = xasprintf("%s:%d: unknown section %s", path, lineno,
		    line);
		return -1;
	}
	if ((eq = strchr(line, '=')) == NULL) {
		*cause = xasprintf("%s:%d: expected \"key = value\"", path,
		    lineno);
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	vlen = strlen(value);
	if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
		value[vlen - 1] = '\0';
		value++;
	}
	if (*section == CONF_TRIGGERS)
		rc = conf_trigger_add(c, key, value, &why);
	else
		rc = conf_set(c, key, value, &why);
	if (rc != 0) {
		*cause = xasprintf("%s:%d: %s", path, lineno, why);
		free(why);
		return -1;
	}
	return 0;
}

int
conf_load_file(struct conf *c, const char *path, char **cause)
{
	char	*buf, *line, *next;
	int	 lineno = 0, section = CONF_MAIN;

	if (read_file(path, &buf, NULL, cause) != 0)
		return -1;
	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (conf_line(c, path, ++lineno, line, &section,
		    cause) != 0) {
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}

/* Apply USERPOOLD_<KEY> variables; an unknown one is an error. */
int
conf_load_env(struct conf *c, char *const *env, char **cause)
{
	const struct conf_key	*k;
	const char		*e, *name, *eq;
	char			 lower[64];
	size_t			 i, len;

	for (; *env != NULL; env++) {
		e = *env;
		if (strncmp(e, "USERPOOLD_", 10) != 0)
			continue;
		name = e + 10;
		if ((eq = strchr(name, '=')) == NULL)
			continue;
		len = (size_t)(eq - name);
		if (len >= sizeof lower)
			len = sizeof lower - 1;
		for (i = 0; i < len; i++)
			lower[i] = (char)tolower((unsigned char)name[i]);
		lower[len] = '\0';
		if ((k = conf_find(lower, len)) == NULL) {
			*cause = xasprintf("unknown configuration variable "
			    "USERPOOLD_%.*s", (int)len, name);
			return -1;
		}
		if (conf_apply(c, k, eq + 1, cause) != 0)
			return -1;
	}
	return 0;
}

/* Join a name to the state directory. */
char *
conf_path(const struct conf *c, const char *name)
{
	return xasprintf("%s/%s", c->state_dir, name);
}

static void
conf_default_path(char **field, const struct conf *c, const char *name)
{
	if (**field != '\0')
		return;
	free(*field);
	*field = conf_path(c, name);
}

/* A relative state_dir is taken from the working directory. */
static int
conf_absolute_state_dir(struct conf *c, char **cause)
{
	char	*cwd, *abs;

	if (c->state_dir[0] == '/')
		return 0;
	if (*c->state_dir == '\0') {
		*cause = xstrdup("state_dir is empty");
		return -1;
	}
	if ((cwd = getcwd(NULL, 0)) == NULL) {
		*cause = xasprintf("getcwd: %s", strerror(errno));
		return -1;
	}
	abs = xasprintf("%s/%s", cwd, c->state_dir);
	free(cwd);
	free(c->state_dir);
	c->state_dir = abs;
	return 0;
}

/* Fill the defaults that depend on other keys. */
int
conf_finish(struct conf *c, char **cause)
{
	const char	*port;
	long		 n;

	if (*c->listen_https == '\0' && *c->listen_http == '\0') {
		*cause = xstrdup("listen_https and listen_http are both empty");
		return -1;
	}
	if (conf_absolute_state_dir(c, cause) != 0)
		return -1;
	conf_default_path(&c->master_key_file, c, "master.key");
	conf_default_path(&c->tls_cert_file, c, "tls/cert.pem");
	conf_default_path(&c->tls_key_file, c, "tls/key.pem");
	if (*c->public_url == '\0') {
		port = strrchr(*c->listen_https != '\0' ? c->listen_https :
		    c->listen_http, ':') + 1;
		free(c->public_url);
		c->public_url = xasprintf("%s://localhost:%s",
		    *c->listen_https != '\0' ? "https" : "http", port);
	}
	n = strlen(c->public_url);
	if (n > 0 && c->public_url[n - 1] == '/')
		c->public_url[n - 1] = '\0';
	if (c->workers == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		c->workers = n < 1 ? 1 : (int)n;
	}
	if (*c->ui_dir == '\0') {
		free(c->ui_dir);
		c->ui_dir = xstrdup(USERPOOLD_UI_DIR);
	}
	if (c->crypto_threads == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		c->crypto_threads = n < 1 ? 1 : (int)n;
	}
	return 0;
}

void
conf_dump(const struct conf *c, FILE *f)
{
	size_t	i;

	for (i = 0; i < nitems(conf_keys); i++) {
		const struct conf_key	*k = &conf_keys[i];

		if (k->type == CONF_INT)
			fprintf(f, "%s = %d\n", k->name,
			    *(int *)((char *)c + k->offset));
		else
			fprintf(f, "%s = \"%s\"\n", k->name,
			    *(char **)((char *)c + k->offset));
	}
}

/* host:port with a port from 1 to 65535; [v6]:port allowed. */
static int
check_listen(const char *v)
{
	const char	*colon = strrchr(v, ':');
	char		*end;
	long		 port;

	if (colon == NULL || colon == v)
		return -1;
	port = strtol(colon + 1, &end, 10);
	return (*end != '\0' || port < 1 || port > 65535) ? -1 : 0;
}

static int
check_on_off(const char *v)
{
	return strcmp(v, "on") == 0 || strcmp(v, "off") == 0 ? 0 : -1;
}

static int
check_url(const char *v)
{
	if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
		return -1;
	return strpbrk(v, " \t\r\n?#") != NULL ? -1 : 0;
}

static int
check_region(const char *v)
{
	for (; *v != '\0'; v++)
		if (!islower((unsigned char)*v) && !isdigit((unsigned char)*v)
		    && *v != '-')
			return -1;
	return 0;
}

static int
check_account(const char *v)
{
	size_t	n = 0;

	for (; *v != '\0'; v++, n++)
		if (!isdigit((unsigned char)*v))
			return -1;
	return n == 12 ? 0 : -1;
}

static int
check_level(const char *v)
{
	return strcmp(v, "debug") == 0 || strcmp(v, "info") == 0 ||
	    strcmp(v, "warn") == 0 || strcmp(v, "error") == 0 ? 0 : -1;
}

static int
check_domain(const char *v)
{
	for (; *v != '\0'; v++)
		if (!isalnum((unsigned char)*v) && *v != '-' && *v != '.')
			return -1;
	return 0;
}

static int
check_proxies(const char *v)
{
	struct addr_set	*set;
	char		*cause = NULL;

	if ((set = addr_set_parse(v, &cause)) == NULL) {
		free(cause);
		return -1;
	}
	addr_set_free(set);
	return 0;
}

/* The documentation of every key, for -h and the example file. */
void
conf_help(FILE *f)
{
	size_t	i;

	for (i = 0; i < nitems(conf_keys); i++)
		fprintf(f, "# %s\n#%s = %s\n\n", conf_keys[i].help,
		    conf_keys[i].name, conf_keys[i].def);
}

static int
check_message_caps(const char *v)
{
	return caps_check(v);
}
