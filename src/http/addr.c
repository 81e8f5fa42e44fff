/*
 * addr.c: client addresses. A request's client is its TCP peer, unless
 * the peer is one of trusted_proxies: then X-Forwarded-For says who it
 * is. Each proxy appends the address it got the request from, so the
 * list is read from the right: trusted proxies are skipped, and the
 * first address that is not one is the client (anything to its left
 * was written by the client itself and proves nothing). An entry that is
 * not an address stops the walk at the last proxy that was trusted.
 *
 * trusted_proxies is a comma-separated list of addresses and CIDR
 * networks ("10.0.0.0/8, ::1"). Addresses come out in inet_ntop's
 * canonical form, an IPv4-mapped IPv6 address as IPv4, so that one
 * client has one spelling.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "http/addr.h"
#include "util.h"

#define ADDR_MAX_NETS	256
/* X-Forwarded-For entries looked at, from the right. */
#define ADDR_MAX_HOPS	32

struct addr_ip {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	b[16];
};

struct addr_net {
	struct addr_ip	ip;
	int		bits;
};

struct addr_set {
	struct addr_net	nets[ADDR_MAX_NETS];
	size_t		n;
};

/* Parse an address; an IPv4-mapped IPv6 address becomes IPv4. */
static int
addr_parse(const char *s, size_t len, struct addr_ip *ip)
{
	static const unsigned char	 mapped[12] = { [10] = 0xff,
					    [11] = 0xff };
	char				 buf[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(ip, 0, sizeof *ip);
	if (inet_pton(AF_INET, buf, ip->b) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, ip->b) != 1)
		return -1;
	ip->family = AF_INET6;
	if (memcmp(ip->b, mapped, sizeof mapped) == 0) {
		memmove(ip->b, ip->b + 12, 4);
		memset(ip->b + 4, 0, 12);
		ip->family = AF_INET;
	}
	return 0;
}

static void
addr_format(const struct addr_ip *ip, char *out, size_t len)
{
	if (inet_ntop(ip->family, ip->b, out, (socklen_t)len) == NULL)
		strlcpy(out, "-", len);
}

static int
addr_in_net(const struct addr_ip *ip, const struct addr_net *net)
{
	int		bytes = net->bits / 8, rest = net->bits % 8;
	unsigned char	mask;

	if (ip->family != net->ip.family)
		return 0;
	if (memcmp(ip->b, net->ip.b, (size_t)bytes) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (ip->b[bytes] & mask) == (net->ip.b[bytes] & mask);
}

static int
addr_set_contains(const struct addr_set *set, const struct addr_ip *ip)
{
	size_t	i;

	for (i = 0; set != NULL && i < set->n; i++)
		if (addr_in_net(ip, &set->nets[i]))
			return 1;
	return 0;
}

/* One "address" or "address/bits" item of trusted_proxies. */
static int
addr_net_parse(const char *s, size_t len, struct addr_net *net)
{
	const char	*slash = memchr(s, '/', len);
	char		*end;
	long		 bits;
	int		 max;

	if (addr_parse(s, slash != NULL ? (size_t)(slash - s) : len,
	    &net->ip) != 0)
		return -1;
	max = net->ip.family == AF_INET ? 32 : 128;
	net->bits = max;
	if (slash == NULL)
		return 0;
	if (slash + 1 == s + len || !isdigit((unsigned char)slash[1]))
		return -1;
	bits = strtol(slash + 1, &end, 10);
	if (end != s + len || bits < 0 || bits > max)
		return -1;
	net->bits = (int)bits;
	return 0;
}

struct addr_set *
addr_set_parse(const char *spec, char **cause)
{
	struct addr_set	*set = xcalloc(1, sizeof *set);
	const char	*p, *end;
	size_t		 len;

	for (p = spec; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		end = p + strcspn(p, ",");
		while (p < end && isspace((unsigned char)*p))
			p++;
		for (len = (size_t)(end - p); len > 0 &&
		    isspace((unsigned char)p[len - 1]); len--)
			;
		if (len == 0)
			continue;
		if (set->n == ADDR_MAX_NETS) {
			*cause = xasprintf("more than %d trusted proxies",
			    ADDR_MAX_NETS);
			goto fail;
		}
		if (addr_net_parse(p, len, &set->nets[set->n]) != 0) {
			*cause = xasprintf("\"%.*s\" is not an address or "
			    "address/bits", (int)(len > 64 ? 64 : len), p);
			goto fail;
		}
		set->n++;
	}
	return set;
fail:
	free(set);
	return NULL;
}

void
addr_set_free(struct addr_set *set)
{
	free(set);
}

/* The i-th entry from the right of a comma-separated list, trimmed. */
static int
addr_hop(const char *xff, size_t i, const char **s, size_t *len)
{
	const char	*end = xff + strlen(xff), *start;

	for (;;) {
		for (start = end; start > xff && start[-1] != ','; start--)
			;
		if (i-- == 0)
			break;
		if (start == xff)
			return -1;
		end = start - 1;
	}
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	*s = start;
	*len = (size_t)(end - start);
	return 0;
}

void
addr_client(const struct addr_set *trusted, const char *peer,
    const char *xff, char *out, size_t len)
{
	struct addr_ip	 ip, hop;
	const char	*s;
	size_t		 i, n;

	if (peer == NULL || addr_parse(peer, strlen(peer), &ip) != 0) {
		strlcpy(out, peer != NULL ? peer : "-", len);
		return;
	}
	for (i = 0; xff != NULL && i < ADDR_MAX_HOPS &&
	    addr_set_contains(trusted, &ip); i++) {
		if (addr_hop(xff, i, &s, &n) != 0 ||
		    addr_parse(s, n, &hop) != 0)
			break;
		ip = hop;
	}
	addr_format(&ip, out, len);
}

void
addr_key(const char *addr, char *out, size_t len)
{
	struct addr_ip	ip;

	if (addr_parse(addr, strlen(addr), &ip) != 0) {
		strlcpy(out, addr, len);
		return;
	}
	/* One IPv6 subscriber has a /64 to pick addresses from. */
	if (ip.family == AF_INET6)
		memset(ip.b + 8, 0, 8);
	addr_format(&ip, out, len);
}
