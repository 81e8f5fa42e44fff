/* test_users.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
users_suite(void)
{
	return suite_create("users");
}
