/* suites.h: the Check suites of the unit test binary. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

Suite	*b64_suite(void);
Suite	*conf_suite(void);
Suite	*keys_suite(void);
Suite	*shape_suite(void);
Suite	*sigv4_suite(void);

#endif
