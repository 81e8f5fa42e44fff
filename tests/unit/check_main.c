/*
 * check_main.c: runs every unit suite under Check. Tests fork by default
 * (CK_FORK=no runs them in-process, for debuggers and valgrind). Check
 * prints its own summary; the plain "N passed, N failed" line after it
 * is for CI scripts that read test logs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
	SRunner	*sr;
	int	 run, failed;

	sr = srunner_create(sigv4_suite());
	srunner_add_suite(sr, b64_suite());
	srunner_add_suite(sr, keys_suite());
	srunner_add_suite(sr, conf_suite());
	srunner_add_suite(sr, triggers_suite());
	srunner_add_suite(sr, shape_suite());
	srunner_add_suite(sr, password_suite());
	srunner_add_suite(sr, policy_suite());
	srunner_add_suite(sr, jwt_suite());
	srunner_add_suite(sr, codes_suite());
	srunner_add_suite(sr, messages_suite());
	srunner_add_suite(sr, users_suite());
	srunner_add_suite(sr, filter_suite());
	srunner_add_suite(sr, srp_suite());
	srunner_add_suite(sr, totp_suite());
	srunner_add_suite(sr, mfa_suite());
	srunner_add_suite(sr, template_suite());
	srunner_add_suite(sr, task_suite());
	srunner_add_suite(sr, css_suite());
	srunner_add_suite(sr, addr_suite());
	srunner_add_suite(sr, saml_meta_suite());
	srunner_add_suite(sr, federation_suite());
	srunner_add_suite(sr, fed_suite());
	srunner_add_suite(sr, saml_response_suite());
	srunner_add_suite(sr, saml_request_suite());
	srunner_add_suite(sr, saml_keys_suite());
	srunner_add_suite(sr, oidc_idp_suite());
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%d passed, %d failed\n", run - failed, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
