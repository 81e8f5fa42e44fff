/*
 * conf.h: the daemon's configuration, filled from one table of keys
 * by a file, the environment and the command line, in that order.
 */
#ifndef CONF_H
#define CONF_H

#include <stdio.h>

#include "util.h"

/* A Lambda ARN of the [triggers] section and the URL it stands for. */
struct conf_trigger {
	char	*arn;
	char	*url;
};

struct conf {
	char	*state_dir;
	char	*listen_https;
	char	*listen_http;
	char	*public_url;
	char	*auth_domain;
	char	*region;
	char	*account_id;
	int	 workers;
	char	*database_url;
	char	*master_key_file;
	char	*tls_cert_file;
	char	*tls_key_file;
	char	*log_level;
	char	*trusted_proxies;
	char	*pg_bindir;
	int	 pg_connections;
	int	 crypto_threads;
	int	 max_body_bytes;
	int	 max_form_bytes;
	int	 max_header_bytes;
	int	 max_connections;
	int	 max_json_depth;
	int	 request_timeout;
	int	 header_timeout;
	int	 body_timeout;
	int	 db_timeout;
	int	 idle_timeout;
	int	 queue_limit;
	int	 scrypt_log2_n;
	int	 scrypt_r;
	int	 scrypt_p;
	char	*ui_dir;
	int	 signin_rate_per_address;
	int	 address_rate;
	int	 address_burst;
	int	 message_cap_recipient_15min;
	int	 message_cap_recipient_day;
	int	 message_cap_pool_hour;
	int	 message_cap_address_hour;
	char	*message_caps_pools;
	char	*smtp_url;
	char	*smtp_user;
	char	*smtp_password;
	char	*smtp_from;
	int	 smtp_starttls;
	char	*sms_webhook_url;
	char	*sms_webhook_token;
	char	*fetch_ca_file;
	int	 idp_keys_refresh_min;
	char	*console;		/* "on" or "off" */
	char	*console_listen;
	int	 trigger_breaker_failures;
	int	 trigger_breaker_seconds;
	/* the [triggers] section of the file */
	struct conf_trigger	*triggers;
	size_t			 ntriggers;
};

extern struct conf	*conf;

struct conf	*conf_new(void);
void		 conf_free(struct conf *);
int		 conf_set(struct conf *, const char *, const char *, char **)
		    MUST_CHECK;
int		 conf_load_file(struct conf *, const char *, char **) MUST_CHECK;
int		 conf_load_env(struct conf *, char *const *, char **) MUST_CHECK;
int		 conf_finish(struct conf *, char **) MUST_CHECK;
char		*conf_path(const struct conf *, const char *);
/* The URL the [triggers] section maps a Lambda ARN to, or NULL. */
const char	*conf_trigger_url(const struct conf *, const char *);
void		 conf_dump(const struct conf *, FILE *);
void		 conf_help(FILE *);

#endif
