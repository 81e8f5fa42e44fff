/* test_messages.c: unit tests (to be written). */
#include "config.h"

#include "suites.h"

Suite *
messages_suite(void)
{
	return suite_create("messages");
}
