/*
 * policy.h: a pool's password policy (Policies.PasswordPolicy of the
 * pool configuration: MinimumLength, RequireUppercase, RequireLowercase,
 * RequireNumbers, RequireSymbols, TemporaryPasswordValidityDays).
 */
#ifndef POLICY_H
#define POLICY_H

#include <jansson.h>

#include "util.h"

/*
 * NULL when the password satisfies the policy (a NULL policy means
 * Cognito's default: 8 characters, all four classes), else Cognito's
 * InvalidPasswordException message, e.g. "Password did not conform
 * with policy: Password not long enough" (static string).
 */
const char	*policy_check_password(json_t *, const char *);
/* A random temporary password that satisfies the policy, malloc'd. */
char		*policy_temp_password(json_t *);
/* Seconds a temporary password stays valid (default 7 days). */
long long	 policy_temp_validity(json_t *);

#endif
