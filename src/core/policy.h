/*
 * policy.h: a pool's password policy (Policies.PasswordPolicy of the
 * pool configuration: MinimumLength, RequireUppercase, RequireLowercase,
 * RequireNumbers, RequireSymbols, TemporaryPasswordValidityDays).
 */
#ifndef POLICY_H
#define POLICY_H

#include <jansson.h>

#include "core/err.h"
#include "util.h"

/* The password policy of a pool configuration (borrowed; NULL if none). */
json_t		*policy_of(json_t *);
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

/*
 * Cognito checks the shape of a password before its policy: one with
 * leading or trailing whitespace (or shorter than two characters) is an
 * InvalidParameterException, "1 validation error detected: Value at
 * 'password' failed to satisfy constraint: Member must satisfy regular
 * expression pattern: ^[\S]+.*[\S]+$" (the member named as the
 * operation names it: password, proposedPassword...). For a shape table:
 * { .check = policy_check_pattern, .pattern = POLICY_PASSWORD_PATTERN }.
 * 0 when the password matches.
 */
#define POLICY_PASSWORD_PATTERN	"^[\\S]+.*[\\S]+$"
int		 policy_check_pattern(const char *);
/*
 * The kind (core/err.h) of a message of policy_check_password: it
 * refuses a password that fails the pattern too (so no path stores
 * one), with POLICY_PATTERN_MESSAGE, CORE_ERR_INVALID (Cognito's
 * InvalidParameterException); any other message is CORE_ERR_BAD_PASSWORD.
 */
#define POLICY_PATTERN_MESSAGE	"1 validation error detected: Value at " \
	"'password' failed to satisfy constraint: Member must satisfy " \
	"regular expression pattern: " POLICY_PASSWORD_PATTERN
enum core_err_kind policy_err_kind(const char *);

#endif
