/*
 * ui.c: the ui_customizations table (see ui.h). Set checks that the
 * client exists and writes in one statement; a client's own row wins
 * over the pool's (client_id '' sorts last).
 */
#include "config.h"

#include "db/pg.h"
#include "db/ui.h"

/* The customization row that applies: the client's, else the pool's. */
#define UI_SERVE_SQL(POOL)						\
	"SELECT css, image FROM ui_customizations WHERE pool_id = " POOL \
	" AND client_id IN ($2, '') ORDER BY client_id DESC LIMIT 1"

void
db_ui_set(struct pg_batch *b, const char *pool_id, const char *client,
    const char *css, const char *image)
{
	pg_batch_add(b, "WITH chk AS (SELECT p.id AS pool_id, "
	    "  ($2::text = '' OR EXISTS (SELECT 1 FROM clients c "
	    "    WHERE c.pool_id = p.id AND c.id = $2::text)) AS client_ok "
	    "  FROM pools p WHERE p.id = $1::text), "
	    "up AS (INSERT INTO ui_customizations (pool_id, client_id, css, "
	    "    image) "
	    "  SELECT pool_id, $2::text, $3::text, decode($4::text, 'base64') "
	    "  FROM chk WHERE client_ok "
	    "  ON CONFLICT (pool_id, client_id) DO UPDATE SET "
	    "    css = EXCLUDED.css, image = EXCLUDED.image, "
	    "    modified_at = extract(epoch FROM clock_timestamp()) "
	    "  RETURNING client_id, css, image IS NOT NULL AS has_image, "
	    "    created_at, modified_at, "
	    "    ((modified_at * 1000)::bigint)::text AS version) "
	    "SELECT chk.client_ok, up.* FROM chk LEFT JOIN up ON true", 4,
	    pool_id, client, css, image);
}

void
db_ui_get(struct pg_batch *b, const char *pool_id, const char *client)
{
	pg_batch_add(b, "SELECT ($2::text = '' OR EXISTS (SELECT 1 "
	    "  FROM clients c WHERE c.pool_id = p.id AND c.id = $2::text)), "
	    "  u.client_id, u.css, u.image IS NOT NULL, u.created_at, "
	    "  u.modified_at, ((u.modified_at * 1000)::bigint)::text "
	    "FROM pools p LEFT JOIN LATERAL (SELECT * FROM ui_customizations "
	    "  WHERE pool_id = p.id AND client_id IN ($2::text, '') "
	    "  ORDER BY client_id DESC LIMIT 1) AS u ON true "
	    "WHERE p.id = $1::text", 2, pool_id, client);
}

void
db_ui_of_domain(struct pg_batch *b, const char *domain, const char *client)
{
	pg_batch_add(b, UI_SERVE_SQL("(SELECT pool_id FROM domains "
	    "WHERE domain = $1)"), 2, domain, client);
}

void
db_ui_of_pool(struct pg_batch *b, const char *pool_id, const char *client)
{
	pg_batch_add(b, UI_SERVE_SQL("$1"), 2, pool_id, client);
}
