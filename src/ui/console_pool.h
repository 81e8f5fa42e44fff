/*
 * console_pool.h: what the classic wizard's Review and the pool page's
 * General settings share: the summary rows of a pool (console_pool.c).
 */
#ifndef UI_CONSOLE_POOL_H
#define UI_CONSOLE_POOL_H

#include <jansson.h>

/*
 * The summary rows (Pool name, Required attributes, ... Triggers) of a
 * pool given as DescribeUserPool's UserPool or as CreateUserPool's
 * input, with clients the names of its app clients (borrowed), as an
 * array of { label, value } or, where nothing is set, { label, empty:
 * the console's words for it, step: the wizard step that sets it }.
 */
json_t	*console_pool_summary(json_t *, json_t *);

#endif
