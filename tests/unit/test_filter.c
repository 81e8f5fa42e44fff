/* test_filter.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
filter_suite(void)
{
	return suite_create("filter");
}
