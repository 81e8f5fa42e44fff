/* suites.h: the Check suites of the unit test binary. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

Suite	*b64_suite(void);
Suite	*conf_suite(void);
Suite	*triggers_suite(void);
Suite	*keys_suite(void);
Suite	*shape_suite(void);
Suite	*sigv4_suite(void);
Suite	*password_suite(void);
Suite	*policy_suite(void);
Suite	*jwt_suite(void);
Suite	*codes_suite(void);
Suite	*messages_suite(void);
Suite	*users_suite(void);
Suite	*filter_suite(void);
Suite	*srp_suite(void);
Suite	*totp_suite(void);
Suite	*mfa_suite(void);
Suite	*template_suite(void);
Suite	*task_suite(void);
Suite	*css_suite(void);
Suite	*addr_suite(void);
Suite	*saml_meta_suite(void);
Suite	*federation_suite(void);
Suite	*fed_suite(void);
Suite	*saml_response_suite(void);
Suite	*saml_request_suite(void);
Suite	*oidc_idp_suite(void);
Suite	*saml_keys_suite(void);

#endif
