/*
 * console_home.c: the console's home page, "/": the heading User Pools,
 * the links Create a user pool (the classic wizard) and Create a user
 * pool (new wizard), and a table of the pools from ListUserPools, each
 * name linking to its pool page, CONSOLE_HOME_PAGE pools a page with a
 * link to the next (ListUserPools' NextToken).
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include <event2/http.h>

#include "ui/console.h"
#include "util.h"

#define CONSOLE_HOME_PAGE	60	/* ListUserPools' largest page */

static void	home_list(struct console_req *);

const struct console_page console_home_pages[] = {
	{ EVHTTP_REQ_GET, "/", home_list },
	{ 0, NULL, NULL }
};

/* An epoch time of the API as "YYYY-MM-DD HH:MM UTC". */
static json_t *
home_date(json_t *t)
{
	char		 buf[32];
	time_t		 s = (time_t)json_number_value(t);
	struct tm	 tm;

	if (!json_is_number(t) || gmtime_r(&s, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		return json_string("");
	return json_string(buf);
}

static void
home_ok(struct console_req *cr, json_t *out)
{
	json_t		*pools = json_array(), *p, *next;
	size_t		 i;

	json_array_foreach(json_object_get(out, "UserPools"), i, p)
		json_array_append_new(pools, json_pack("{s:O?, s:O?, s:o}",
		    "id", json_object_get(p, "Id"),
		    "name", json_object_get(p, "Name"),
		    "created", home_date(json_object_get(p, "CreationDate"))));
	next = json_object_get(out, "NextToken");
	console_render(cr, 200, "home", json_pack("{s:s, s:o, s:b, s:O?}",
	    "title", "User Pools", "pools", pools,
	    "has_pools", json_array_size(pools) > 0, "next", next));
}

static void
home_fail(struct console_req *cr, const char *msg)
{
	console_render(cr, 400, "home", json_pack("{s:s, s:[], s:s}",
	    "title", "User Pools", "pools", "error", msg));
}

static void
home_list(struct console_req *cr)
{
	json_t		*in = json_pack("{s:i}", "MaxResults",
	    CONSOLE_HOME_PAGE);
	const char	*next = console_param(cr, "next");

	if (next != NULL && *next != '\0')
		json_object_set_new(in, "NextToken", json_string(next));
	console_op(cr, "ListUserPools", in, home_ok, home_fail);
}
