/* test_totp.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
totp_suite(void)
{
	return suite_create("totp");
}
