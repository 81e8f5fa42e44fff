/* test_mfa.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
mfa_suite(void)
{
	return suite_create("mfa");
}
