/*
 * console_pool.c: the pool page /console/pools/<id>: its name, Pool Id,
 * Pool ARN, the left navigation and General settings. A placeholder of
 * console-core (issue 12): its owner replaces this file with the pages.
 */
#include "config.h"

#include "ui/console.h"

const struct console_page console_pool_pages[] = {
	{ 0, NULL, NULL }
};
