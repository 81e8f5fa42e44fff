/*
 * shape.h: declarative checks of JSON API input, in the spirit of the
 * service model: each operation names the shape of its input, and
 * shape_check() reports the first violation the way AWS does
 * ("1 validation error detected: Value 'x' at 'userPoolId' failed to
 * satisfy constraint: ..."). Undeclared members are ignored.
 */
#ifndef SHAPE_H
#define SHAPE_H

#include <jansson.h>

#include "util.h"

enum shape_kind {
	SHAPE_STRING,
	SHAPE_INT,	/* JSON integer */
	SHAPE_NUMBER,	/* JSON integer or real */
	SHAPE_BOOL,
	SHAPE_LIST,
	SHAPE_MAP,	/* object of string -> item */
	SHAPE_STRUCT,
	SHAPE_BLOB,	/* base64 string */
	SHAPE_ANY,
};

struct shape;

struct shape_member {
	const char		*name;
	const struct shape	*shape;
	int			 required;
};

struct shape {
	enum shape_kind			 kind;
	/* A bound applies when its has_ flag is set or it is nonzero. */
	long long			 min, max;	/* 0,0: no bound */
	int				 has_min, has_max;
	const char *const		*enums;		/* NULL-terminated */
	int				(*check)(const char *);	/* 0 = ok */
	const char			*pattern;	/* for messages */
	const struct shape		*item;		/* list/map value */
	const struct shape		*key;		/* map key */
	const struct shape_member	*members;	/* NULL-name end */
	int				 sensitive;	/* never echo the value */
};

/*
 * Returns 0 when valid. Otherwise -1 with *type set to the exception
 * name (a static string: "InvalidParameterException" for constraint
 * failures, "SerializationException" for wrong JSON types) and *msg a
 * malloc'd message.
 */
int	shape_check(const struct shape *, json_t *, const char **, char **)
	    MUST_CHECK;

/* Pattern checkers shared by shapes. */
int	shape_check_word(const char *);		/* [\w+]+ */
int	shape_check_pool_id(const char *);	/* [\w-]+_[0-9a-zA-Z]+ */
int	shape_check_name(const char *);		/* [\p{L}\p{M}\p{S}\p{N}\p{P}]+ */
int	shape_check_pool_name(const char *);	/* [\w\s+=,.@-]+ */
int	shape_check_arn(const char *);
int	shape_check_no_space(const char *);	/* [\S]+ */

/* Convenience constructors for static tables. */
#define SHAPE_STR(lo, hi)	{ .kind = SHAPE_STRING, .min = (lo), \
	.max = (hi), .has_min = 1, .has_max = 1 }

#endif
