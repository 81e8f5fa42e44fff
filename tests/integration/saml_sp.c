/*
 * saml_sp.c: a test driver of the SAML service-provider library
 * (src/fed/saml_*.c) for tests/integration/test_saml_sp.py, which runs
 * it against the pysaml2 identity provider of tests/integration/idps
 * until the hosted flow drives the library over the wire. A program of
 * its own, never part of the daemon; it prints one JSON object.
 *
 *	saml_sp authn DEST SP_ENTITY ACS [KEY_FILE [RELAY]]
 *	    {"url", "id"}: the AuthnRequest redirect (signed with KEY_FILE)
 *	saml_sp logout DEST SP_ENTITY NAME_ID SESSION_INDEX [KEY_FILE]
 *	    {"url", "id"}
 *	saml_sp metadata POOL_ID BASE_URL [CERT_B64]
 *	    {"xml"}: the SP metadata
 *	saml_sp verify META_FILE SP_ENTITY ACS IRT|- [SP_KEY_FILE]
 *	    SAMLResponse (base64) on stdin; {"ok": true, "name_id",
 *	    "format", "session_index", "assertion_id", "expires",
 *	    "attributes"} or {"ok": false, "kind", "message"}
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "fed/saml_meta.h"
#include "fed/saml_request.h"
#include "fed/saml_response.h"
#include "fed/saml_sp.h"
#include "util.h"

/* A file's contents, or exit. */
static char *
slurp(const char *path, size_t *len)
{
	char	*buf, *why;
	size_t	 n;

	if (read_file(path, &buf, len != NULL ? len : &n, &why) == -1)
		fatalx("%s: %s", path, why);
	return buf;
}

static void
emit(json_t *o)
{
	char	*s = json_dumps(o, JSON_SORT_KEYS);

	puts(s);
	free(s);
	json_decref(o);
}

static int
cmd_authn(int argc, char **argv)
{
	struct saml_authn	 a;
	char			 id[42], *url;

	memset(&a, 0, sizeof(a));
	a.destination = argv[2];
	a.sp_entity_id = argv[3];
	a.acs_url = argv[4];
	a.sign_key_pem = argc > 5 ? slurp(argv[5], NULL) : NULL;
	a.relay_state = argc > 6 ? argv[6] : NULL;
	a.now = time(NULL);
	if ((url = saml_request_authn(&a, id)) == NULL)
		fatalx("saml_request_authn failed");
	emit(json_pack("{s:s, s:s}", "url", url, "id", id));
	free(url);
	free((char *)a.sign_key_pem);
	return 0;
}

static int
cmd_logout(int argc, char **argv)
{
	struct saml_logout	 l;
	char			 id[42], *url;

	memset(&l, 0, sizeof(l));
	l.destination = argv[2];
	l.sp_entity_id = argv[3];
	l.name_id = argv[4];
	l.session_index = argv[5];
	l.sign_key_pem = argc > 6 ? slurp(argv[6], NULL) : NULL;
	l.now = time(NULL);
	if ((url = saml_request_logout(&l, id)) == NULL)
		fatalx("saml_request_logout failed");
	emit(json_pack("{s:s, s:s}", "url", url, "id", id));
	free(url);
	free((char *)l.sign_key_pem);
	return 0;
}

static int
cmd_metadata(int argc, char **argv)
{
	struct saml_sp	 sp;
	char		*xml;

	memset(&sp, 0, sizeof(sp));
	sp.pool_id = argv[2];
	sp.base_url = argv[3];
	sp.signing_cert = sp.encryption_cert = argc > 4 ? argv[4] : NULL;
	sp.authn_signed = argc > 4;
	xml = saml_sp_metadata(&sp);
	emit(json_pack("{s:s}", "xml", xml));
	free(xml);
	return 0;
}

static json_t *
assertion_json(const struct saml_assertion *a)
{
	json_t	*attrs = json_object(), *vals;
	size_t	 i, j;

	for (i = 0; i < a->nattrs; i++) {
		vals = json_array();
		for (j = 0; j < a->attrs[i].nvalues; j++)
			json_array_append_new(vals,
			    json_string(a->attrs[i].values[j]));
		json_object_set_new(attrs, a->attrs[i].name, vals);
	}
	return json_pack("{s:b, s:s, s:s?, s:s?, s:s, s:I, s:I, s:o}", "ok",
	    1, "name_id", a->name_id, "format", a->name_id_format,
	    "session_index", a->session_index, "assertion_id",
	    a->assertion_id, "expires", (json_int_t)a->expires,
	    "issue_instant", (json_int_t)a->issue_instant, "attributes",
	    attrs);
}

static int
cmd_verify(int argc, char **argv)
{
	struct saml_meta	 m;
	struct saml_expect	 x;
	struct saml_assertion	 a;
	struct saml_error	 err;
	char			*meta, *b64, why[256];
	size_t			 mlen, blen;

	meta = slurp(argv[2], &mlen);
	if (saml_meta_parse(meta, mlen, &m, why, sizeof(why)) == -1)
		fatalx("%s", why);
	b64 = slurp("/dev/stdin", &blen);
	memset(&x, 0, sizeof(x));
	x.idp = &m;
	x.sp_entity_id = argv[3];
	x.acs_url = argv[4];
	x.in_response_to = strcmp(argv[5], "-") == 0 ? NULL : argv[5];
	x.sp_key_pem = argc > 6 ? slurp(argv[6], NULL) : NULL;
	x.now = time(NULL);
	if (saml_response_verify(b64, blen, &x, &a, &err) == 0)
		emit(assertion_json(&a));
	else
		emit(json_pack("{s:b, s:s, s:s}", "ok", 0, "kind",
		    saml_fail_name(err.kind), "message", err.msg));
	saml_assertion_free(&a);
	saml_meta_free(&m);
	free((char *)x.sp_key_pem);
	free(meta);
	free(b64);
	return 0;
}

static const struct {
	const char	*name;
	int		 min_args;
	int		 (*fn)(int, char **);
} cmds[] = {
	{ "authn", 5, cmd_authn },
	{ "logout", 6, cmd_logout },
	{ "metadata", 4, cmd_metadata },
	{ "verify", 6, cmd_verify },
};

int
main(int argc, char **argv)
{
	size_t	i;

	for (i = 0; argc > 1 && i < nitems(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0 &&
		    argc >= cmds[i].min_args)
			return cmds[i].fn(argc, argv);
	fprintf(stderr, "usage: saml_sp authn|logout|metadata|verify ...\n");
	return 2;
}
