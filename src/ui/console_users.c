/*
 * console_users.c: Users and groups of a pool: the user list with search
 * and paging, Create user, the user page, groups. A placeholder of
 * console-core (issue 12): its owner replaces this file with the pages.
 */
#include "config.h"

#include "ui/console.h"

const struct console_page console_user_pages[] = {
	{ 0, NULL, NULL }
};
