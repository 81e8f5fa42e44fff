/* test_password.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
password_suite(void)
{
	return suite_create("password");
}
