/* test_codes.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
codes_suite(void)
{
	return suite_create("codes");
}
