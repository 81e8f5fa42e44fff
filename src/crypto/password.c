/*
 * password.c: scrypt password hashes through libscrypt, stored as its
 * MCF string "$s1$PPPPPP$salt$hash" where PPPPPP is log2(N), r and p
 * as three hex bytes. The cost of new hashes comes from the
 * configuration (never libscrypt's header defaults, whose p = 16 makes
 * a hash take most of a second); old hashes keep their own cost, and a
 * successful sign-in rehashes them when password_needs_rehash says so.
 *
 * Every function runs on crypto worker threads concurrently. The cost
 * and the dummy hash are the only shared state, each behind its own
 * mutex. Each check logs one debug line ("password: hash check"), which
 * the tests count to prove the lockout bounds the hashes. libscrypt_check
 * tokenises the string it is given in place, so it always gets a private
 * copy, wiped afterwards like every other copy of a password or hash.
 *
 * The SRP verifier is password-equivalent for SRP (whoever holds it can
 * answer as the server, and it is a fast offline guessing target), so
 * it is stored sealed under the master key like the other secrets;
 * rows written before it was (plain hex) are still read, and sealed by
 * a start-up step (db/verifiers.c).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libscrypt.h>

#include "keys.h"
#include "log.h"
#include "password.h"
#include "random.h"
#include "srp.h"
#include "util.h"

#define PASSWORD_MCF_ID		"$s1$"
#define PASSWORD_MCF_MAX	128	/* SCRYPT_MCF_LEN */
#define PASSWORD_HASH_B64	88	/* 64 bytes */
#define PASSWORD_LOG2N_MAX	30	/* SCRYPT_SAFE_N */
/* Refuse to check a hash that would need more memory (128 * r * N). */
#define PASSWORD_MEM_MAX	(1ULL << 30)
#define PASSWORD_DUMMY_LEN	32

struct password_cost {
	int	log2n;
	int	r;
	int	p;
};

static pthread_mutex_t	 password_cost_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct password_cost password_cost = { 14, 8, 1 };

/* The dummy hash and the cost it was made at. */
static pthread_mutex_t	 password_dummy_mtx = PTHREAD_MUTEX_INITIALIZER;
static char		*password_dummy;
static struct password_cost password_dummy_cost;

/*
 * A cost whose hashes password_check would refuse (over PASSWORD_MEM_MAX)
 * is a configuration error: better no start than no sign-in.
 */
void
password_set_cost(int log2n, int r, int p)
{
	if (log2n < 1 || log2n > PASSWORD_LOG2N_MAX || r < 1 || r > 255 ||
	    p < 1 || p > 255 ||
	    128ULL * (uint64_t)r << log2n > PASSWORD_MEM_MAX)
		fatalx("scrypt cost log2 N %d, r %d, p %d: out of range (at "
		    "most 1 GiB, 128 * r * N bytes)", log2n, r, p);
	pthread_mutex_lock(&password_cost_mtx);
	password_cost.log2n = log2n;
	password_cost.r = r;
	password_cost.p = p;
	pthread_mutex_unlock(&password_cost_mtx);
}

static struct password_cost
password_get_cost(void)
{
	struct password_cost	c;

	pthread_mutex_lock(&password_cost_mtx);
	c = password_cost;
	pthread_mutex_unlock(&password_cost_mtx);
	return c;
}

static int
password_hexbyte(const char *s)
{
	int	i, v = 0, d;

	for (i = 0; i < 2; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static int
password_b64_run(const char *s, char end, size_t *len)
{
	size_t	n;

	for (n = 0; s[n] != end; n++) {
		if (s[n] == '\0' || (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789+/=", s[n]) == NULL))
			return -1;
	}
	*len = n;
	return n == 0 ? -1 : 0;
}

/*
 * Parse an MCF string strictly: "$s1$", six hex digits, "$", a base64
 * salt, "$", an 88-letter base64 hash, nothing after. The cost must be
 * one libscrypt accepts and within PASSWORD_MEM_MAX, so a corrupt or
 * hostile row cannot make a check allocate gigabytes.
 */
static int
password_parse(const char *mcf, struct password_cost *c)
{
	const char	*p;
	size_t		 len;

	if (mcf == NULL || strlen(mcf) >= PASSWORD_MCF_MAX ||
	    strncmp(mcf, PASSWORD_MCF_ID, strlen(PASSWORD_MCF_ID)) != 0)
		return -1;
	p = mcf + strlen(PASSWORD_MCF_ID);
	if ((c->log2n = password_hexbyte(p)) < 0 ||
	    (c->r = password_hexbyte(p + 2)) < 0 ||
	    (c->p = password_hexbyte(p + 4)) < 0 || p[6] != '$')
		return -1;
	if (c->log2n < 1 || c->log2n > PASSWORD_LOG2N_MAX || c->r < 1 ||
	    c->p < 1 ||
	    128ULL * (uint64_t)c->r << c->log2n > PASSWORD_MEM_MAX)
		return -1;
	p += 7;
	if (password_b64_run(p, '$', &len) != 0)
		return -1;
	p += len + 1;
	if (password_b64_run(p, '\0', &len) != 0 || len != PASSWORD_HASH_B64)
		return -1;
	return 0;
}

static char *
password_hash_cost(const char *password, struct password_cost c)
{
	char	buf[PASSWORD_MCF_MAX];

	if (libscrypt_hash(buf, password, 1U << c.log2n, (uint8_t)c.r,
	    (uint8_t)c.p) != 1) {
		wipe(buf, sizeof buf);
		return NULL;
	}
	buf[sizeof buf - 1] = '\0';
	return xstrdup(buf);
}

char *
password_hash(const char *password)
{
	if (password == NULL)
		return NULL;
	return password_hash_cost(password, password_get_cost());
}

int
password_check(const char *mcf, const char *password)
{
	struct password_cost	 c;
	char			*copy;
	int			 rc;

	if (password == NULL || password_parse(mcf, &c) != 0)
		return -1;
	log_debug("password: hash check");
	copy = xstrdup(mcf);
	rc = libscrypt_check(copy, password);
	wipe_free(copy);
	if (rc < 0)
		return -1;
	return rc > 0 ? 1 : 0;
}

int
password_needs_rehash(const char *mcf)
{
	struct password_cost	c, cur;

	/* A malformed string never passed password_check: nothing to say. */
	if (password_parse(mcf, &c) != 0)
		return 0;
	cur = password_get_cost();
	return c.log2n < cur.log2n || c.r < cur.r || c.p < cur.p;
}

/*
 * A copy of the dummy hash at the current cost. The dummy password is
 * random, made once per cost and wiped as soon as it is hashed: no one
 * can know it, so the check below always fails, after spending as long
 * as a real one. A change of cost (tests; a reload) makes a new one.
 */
static char *
password_dummy_get(void)
{
	struct password_cost	 cur = password_get_cost();
	char			 pw[PASSWORD_DUMMY_LEN + 1], *copy = NULL;

	pthread_mutex_lock(&password_dummy_mtx);
	if (password_dummy == NULL ||
	    memcmp(&cur, &password_dummy_cost, sizeof cur) != 0) {
		free(password_dummy);
		random_string(pw, PASSWORD_DUMMY_LEN, RANDOM_ALNUM);
		password_dummy = password_hash_cost(pw, cur);
		password_dummy_cost = cur;
		wipe(pw, sizeof pw);
	}
	if (password_dummy != NULL)
		copy = xstrdup(password_dummy);
	pthread_mutex_unlock(&password_dummy_mtx);
	return copy;
}

void
password_dummy_check(const char *password)
{
	char	*copy;

	if ((copy = password_dummy_get()) == NULL)
		return;
	log_debug("password: hash check (dummy)");
	(void)libscrypt_check(copy, password != NULL ? password : "");
	wipe_free(copy);
}

int
password_make(struct password_set *ps, const char *pool_id,
    const char *username, const char *password)
{
	const char	*name = strchr(pool_id, '_');
	char		*plain;

	memset(ps, 0, sizeof *ps);
	if ((ps->hash = password_hash(password)) == NULL)
		return -1;
	srp_verifier_new(name != NULL ? name + 1 : pool_id, username,
	    password, &ps->srp_salt, &plain);
	ps->srp_verifier = password_verifier_seal(plain);
	wipe_free(plain);
	return 0;
}

char *
password_verifier_seal(const char *hex)
{
	return keys_seal(hex, strlen(hex));
}

int
password_verifier_sealed(const char *stored)
{
	return strncmp(stored, PASSWORD_SEALED_PREFIX,
	    strlen(PASSWORD_SEALED_PREFIX)) == 0;
}

char *
password_verifier_open(const char *stored)
{
	unsigned char	*plain;
	size_t		 len;

	if (stored == NULL)
		return NULL;
	if (!password_verifier_sealed(stored))
		return stored[0] != '\0' && strspn(stored,
		    "0123456789abcdefABCDEF") == strlen(stored) ?
		    xstrdup(stored) : NULL;
	if (keys_open(stored, &plain, &len) != 0)
		return NULL;
	if (len == 0 || strspn((char *)plain, "0123456789abcdefABCDEF") !=
	    len) {
		wipe(plain, len);
		free(plain);
		return NULL;
	}
	return (char *)plain;
}

void
password_set_clear(struct password_set *ps)
{
	if (ps->hash != NULL)
		wipe_free(ps->hash);
	free(ps->srp_salt);
	if (ps->srp_verifier != NULL)
		wipe_free(ps->srp_verifier);
	memset(ps, 0, sizeof *ps);
}
