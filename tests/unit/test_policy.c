/* test_policy.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
policy_suite(void)
{
	return suite_create("policy");
}
