/*
 * ui.h: the ui_customizations table (the classic hosted UI's CSS and
 * logo, for a whole pool under client_id '' or for one app client,
 * which then wins over the pool's): the statements of the JSON API's
 * Set/GetUICustomization (api/ui_ops.c) and of the pages serving them
 * (ui/branding.c), and the columns of their rows. Functions are
 * prefixed db_ui_.
 */
#ifndef DB_UI_H
#define DB_UI_H

struct pg_batch;

/*
 * The rows of db_ui_set and db_ui_get: none when there is no such
 * pool; else one row of whether the client exists (or client is '':
 * the pool's), then the customization's columns from CUSTOM (all NULL
 * when there is none): CLIENT its client id ('' for the pool's),
 * HAS_IMAGE a boolean, the times epoch seconds, VERSION the CSSVersion
 * (modified_at in milliseconds).
 */
#define DB_UI_CLIENT_OK		0
#define DB_UI_CUSTOM		1
#define DB_UI_CLIENT		0
#define DB_UI_CSS		1
#define DB_UI_HAS_IMAGE		2
#define DB_UI_CREATED		3
#define DB_UI_MODIFIED		4
#define DB_UI_VERSION		5
/*
 * Replace the customization of pool, client ('' for the pool's) with
 * css and the image (base64; NULL: none) when the client exists.
 */
void	db_ui_set(struct pg_batch *, const char *, const char *, const char *,
	    const char *);
/* The client's own customization if it has one, else the pool's. */
void	db_ui_get(struct pg_batch *, const char *, const char *);

/*
 * What the pages serve: the customization that applies to client (""
 * for none) of the pool of a domain, or of a pool id: one row of these
 * columns (NULL: none; IMAGE bytea as text), or none.
 */
#define DB_UI_SERVE_CSS		0
#define DB_UI_SERVE_IMAGE	1
void	db_ui_of_domain(struct pg_batch *, const char *, const char *);
void	db_ui_of_pool(struct pg_batch *, const char *, const char *);

#endif
