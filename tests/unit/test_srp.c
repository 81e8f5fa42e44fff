/* test_srp.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
srp_suite(void)
{
	return suite_create("srp");
}
