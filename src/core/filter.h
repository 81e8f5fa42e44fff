/*
 * filter.h: the ListUsers Filter grammar (reference §1.11):
 * <attribute> <op> "<value>" with op "=" or "^=", on username, email,
 * phone_number, name, given_name, family_name, preferred_username,
 * cognito:user_status, status and sub.
 */
#ifndef FILTER_H
#define FILTER_H

#include "util.h"

struct filter {
	char		*sql;	/* condition over "users u" using $N, malloc'd */
	char		*value;	/* the parameter, normalised, malloc'd */
	/*
	 * The column the condition ranges over, the first sort key of a
	 * page (static text); NULL when the order is u.username_key alone.
	 * With no filter, sql, value and column are all NULL.
	 */
	const char	*column;
};

/*
 * Parse filter (NULL or empty: every user) into a condition that uses
 * parameter number param for its value; the condition is written so an
 * index on the column serves it (equality, or a byte range for ^=).
 * 0, or -1 with *emsg (malloc'd): "Error while parsing filter" or
 * "Invalid search attribute: <name>".
 */
int	filter_parse(const char *, int, struct filter *, char **) MUST_CHECK;
/*
 * The same for a pool: username is compared with u.username as given in
 * a case-sensitive pool (the third argument set), else lower-cased with
 * u.username_key. filter_parse() is this with a case-sensitive pool.
 */
int	filter_parse_pool(const char *, int, int, struct filter *, char **)
	    MUST_CHECK;
void	filter_clear(struct filter *);

#endif
