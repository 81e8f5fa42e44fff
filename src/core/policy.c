/*
 * policy.c: a pool's password policy, as Cognito applies it.
 *
 * The policy is the Policies.PasswordPolicy object of the pool. Members
 * absent from a given object take AWS's defaults for a given policy
 * (MinimumLength 8, the Require* flags false, 7 days); a NULL or
 * non-object policy is Cognito's default policy (8 characters, all four
 * classes, 7 days). Length counts characters (UTF-8 code points), not
 * bytes. The classes are ASCII, as Cognito's: A-Z, a-z, 0-9, and its 32
 * symbols and the space. A space can only count when it is inside the
 * password: one at either end fails the pattern Cognito checks first,
 * with an InvalidParameterException of its own.
 *
 * Temporary passwords come from the kernel CSPRNG: one character of
 * each class, the rest alphanumeric, then a Fisher-Yates shuffle whose
 * indices are drawn by rejection sampling, so every arrangement is
 * equally likely.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/policy.h"
#include "crypto/random.h"
#include "util.h"

#define POLICY_MSG(s)	"Password did not conform with policy: Password " s
#define POLICY_DEFAULT_LENGTH	8
#define POLICY_DEFAULT_DAYS	7
#define POLICY_DAYS_MAX		365
#define POLICY_LENGTH_MAX	256	/* Cognito's longest password */
#define POLICY_TEMP_MIN		12
#define POLICY_SYMBOLS		"^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "
/* The symbols temporary passwords use: none that e-mail or a shell mangles. */
#define POLICY_TEMP_SYMBOLS	"^*.[]{}()?!@#%&/,><:;|_~=+-"
#define POLICY_UPPER		"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define POLICY_LOWER		"abcdefghijklmnopqrstuvwxyz"
#define POLICY_DIGITS		"0123456789"

struct policy {
	long long	min_length;
	int		upper;
	int		lower;
	int		numbers;
	int		symbols;
	long long	days;
};

static int
policy_flag(json_t *p, const char *key)
{
	json_t	*v = json_object_get(p, key);

	return json_is_true(v);
}

static long long
policy_int(json_t *p, const char *key, long long dflt, long long lo,
    long long hi)
{
	json_t		*v = json_object_get(p, key);
	long long	 n;

	if (!json_is_integer(v))
		return dflt;
	n = json_integer_value(v);
	if (n < lo)
		return lo;
	return n > hi ? hi : n;
}

static void
policy_load(json_t *p, struct policy *pol)
{
	if (!json_is_object(p)) {
		pol->min_length = POLICY_DEFAULT_LENGTH;
		pol->upper = pol->lower = pol->numbers = pol->symbols = 1;
		pol->days = POLICY_DEFAULT_DAYS;
		return;
	}
	pol->min_length = policy_int(p, "MinimumLength", POLICY_DEFAULT_LENGTH,
	    0, POLICY_LENGTH_MAX);
	pol->upper = policy_flag(p, "RequireUppercase");
	pol->lower = policy_flag(p, "RequireLowercase");
	pol->numbers = policy_flag(p, "RequireNumbers");
	pol->symbols = policy_flag(p, "RequireSymbols");
	pol->days = policy_int(p, "TemporaryPasswordValidityDays",
	    POLICY_DEFAULT_DAYS, 0, POLICY_DAYS_MAX);
}

/* Java's \s, which AWS's patterns use: ASCII whitespace only. */
static int
policy_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

/*
 * ^[\S]+.*[\S]+$ in Java's default mode: at least two characters, none
 * whitespace at either end, and no line break anywhere ('.' matches
 * none). Unicode line separators are let through.
 */
int
policy_check_pattern(const char *pw)
{
	size_t	len, i;

	if (pw == NULL || (len = strlen(pw)) < 2)
		return -1;
	if (policy_is_space((unsigned char)pw[0]) ||
	    policy_is_space((unsigned char)pw[len - 1]))
		return -1;
	for (i = 0; i < len; i++)
		if (pw[i] == '\n' || pw[i] == '\r')
			return -1;
	return 0;
}

enum core_err_kind
policy_err_kind(const char *msg)
{
	if (msg != NULL && strcmp(msg, POLICY_PATTERN_MESSAGE) == 0)
		return CORE_ERR_INVALID;
	return CORE_ERR_BAD_PASSWORD;
}

static int
policy_has(const char *pw, const char *set)
{
	for (; *pw != '\0'; pw++)
		if (strchr(set, *pw) != NULL)
			return 1;
	return 0;
}

json_t *
policy_of(json_t *config)
{
	return json_object_get(json_object_get(config, "Policies"),
	    "PasswordPolicy");
}

const char *
policy_check_password(json_t *p, const char *pw)
{
	struct policy	pol;

	if (policy_check_pattern(pw) != 0)
		return POLICY_PATTERN_MESSAGE;
	policy_load(p, &pol);
	if ((long long)utf8_chars(pw) < pol.min_length)
		return POLICY_MSG("not long enough");
	if (pol.upper && !policy_has(pw, POLICY_UPPER))
		return POLICY_MSG("must have uppercase characters");
	if (pol.lower && !policy_has(pw, POLICY_LOWER))
		return POLICY_MSG("must have lowercase characters");
	if (pol.numbers && !policy_has(pw, POLICY_DIGITS))
		return POLICY_MSG("must have numeric characters");
	if (pol.symbols && !policy_has(pw, POLICY_SYMBOLS))
		return POLICY_MSG("must have symbol characters");
	return NULL;
}

/* A uniform integer in [0, n), n > 0, by rejection sampling. */
static uint32_t
policy_uniform(uint32_t n)
{
	uint32_t	v, limit = UINT32_MAX - (UINT32_MAX % n);

	do
		random_bytes(&v, sizeof v);
	while (v >= limit);
	return v % n;
}

static char
policy_pick(const char *set)
{
	return set[policy_uniform((uint32_t)strlen(set))];
}

char *
policy_temp_password(json_t *p)
{
	struct policy	 pol;
	size_t		 len, i, j;
	char		*pw, c;

	policy_load(p, &pol);
	len = (size_t)(pol.min_length > POLICY_TEMP_MIN ? pol.min_length :
	    POLICY_TEMP_MIN);
	pw = xmalloc(len + 1);
	/* Every class, required or not: more than the policy asks is fine. */
	pw[0] = policy_pick(POLICY_UPPER);
	pw[1] = policy_pick(POLICY_LOWER);
	pw[2] = policy_pick(POLICY_DIGITS);
	pw[3] = policy_pick(POLICY_TEMP_SYMBOLS);
	for (i = 4; i < len; i++)
		pw[i] = policy_pick(RANDOM_ALNUM);
	for (i = len - 1; i > 0; i--) {
		j = policy_uniform((uint32_t)i + 1);
		c = pw[i];
		pw[i] = pw[j];
		pw[j] = c;
	}
	pw[len] = '\0';
	return pw;
}

long long
policy_temp_validity(json_t *p)
{
	struct policy	pol;

	policy_load(p, &pol);
	return pol.days * 24 * 60 * 60;
}
