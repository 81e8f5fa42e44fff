/*
 * console_audit.c: the Audit log page, "/audit": the newest
 * CONSOLE_AUDIT_PAGE entries of the console's audit log (when, who,
 * from which address, the operation, its target and outcome), with a
 * link to older ones (?before=<id>). The entries are written by
 * console.c (operations that change something) and console_auth.c /
 * console_settings.c (sign-ins, refusals, sign-outs, settings).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "db/console.h"
#include "db/pg.h"
#include "ui/console.h"
#include "ui/console_int.h"
#include "util.h"

#define CONSOLE_AUDIT_PAGE	100

static void	audit_list(struct console_req *);

const struct console_page console_audit_pages[] = {
	{ EVHTTP_REQ_GET, "/audit", audit_list },
	{ 0, NULL, NULL }
};

static const char *const audit_columns[] = {
	"id", "at", "user", "address", "operation", "target", "outcome",
};

static void
audit_rows(struct console_req *cr, const PGresult *res)
{
	json_t		*rows = json_array(), *row;
	int		 i, n = pg_rows(res);
	size_t		 c;

	for (i = 0; i < n; i++) {
		row = json_object();
		for (c = 0; c < nitems(audit_columns); c++)
			json_object_set_new(row, audit_columns[c],
			    json_string(pg_val(res, i, (int)c)));
		json_object_set_new(row, "failed", json_boolean(strcmp(
		    pg_val(res, i, 6), "ok") != 0));
		json_array_append_new(rows, row);
	}
	console_render(cr, 200, "audit", json_pack("{s:s, s:o, s:b, s:s?}",
	    "title", "Audit log", "entries", rows, "has_entries", n > 0,
	    "before", n == CONSOLE_AUDIT_PAGE ? pg_val(res, n - 1, 0) :
	    NULL));
}

static void
audit_list(struct console_req *cr)
{
	const char	*before = console_param(cr, "before");
	struct pg_batch	*b = pg_batch_new();

	db_console_audit_list(b, before != NULL ? strtoll(before, NULL, 10) :
	    0, CONSOLE_AUDIT_PAGE);
	console_query(cr, b, audit_rows);
}
