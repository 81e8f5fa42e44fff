/* test_jwt.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
jwt_suite(void)
{
	return suite_create("jwt");
}
