/*
 * api.h: the Cognito Identity Provider JSON API (POST / with
 * X-Amz-Target). Operations live in const tables of struct api_op, one
 * table per family file; api.c finds the operation, checks SigV4 for
 * signed ones, validates the input against its shape and calls the
 * handler, which answers with api_ok() or api_fail() exactly once.
 */
#ifndef API_H
#define API_H

#include <jansson.h>

#include "core/task.h"
#include "db/pg.h"
#include "http/request.h"
#include "util.h"

struct api_call;
struct api_sink;
struct shape;

typedef void	(*api_fn)(struct api_call *);
typedef void	(*api_db_fn)(struct api_call *, struct pg_reply *);
typedef void	(*api_work_fn)(struct api_call *);

enum api_auth {
	API_PUBLIC,	/* unsigned: ClientId, Session or AccessToken */
	API_SIGNED,	/* SigV4 with an admin access key */
};

struct api_op {
	const char		*name;
	api_fn			 fn;
	enum api_auth		 auth;
	const struct shape	*input;
};

/*
 * A call owns one task (core/task.h) guarded by its request: the
 * handler's database and worker steps run on it, and a core operation
 * runs on it directly, its end mapped by api_fail_err().
 */
struct api_call {
	struct req		*req;
	struct task		 task;
	const struct api_op	*op;
	json_t			*in;		/* the validated input object */
	char			*access_key;	/* signed calls */
	const struct api_sink	*sink;		/* NULL: the JSON wire answers */
	void			*sink_arg;
	void			*data;		/* the handler's state */
	void			(*data_free)(void *);
	/* private to api.c: the step in flight */
	api_db_fn		 db_done;
	api_work_fn		 work_done;
	api_work_fn		 work_run;
};

/* Answer with a JSON object (stolen; NULL means {}). */
void	api_ok(struct api_call *, json_t *);
/* Answer with a Cognito exception; HTTP 400 unless it is a fault. */
void	api_fail(struct api_call *, const char *, const char *, ...)
	    PRINTFLIKE(3, 4);
/* Answer a core error with its Cognito exception (api.c's one table). */
void	api_fail_err(struct api_call *, const struct core_err *);
/* The Cognito exception name of a core error kind. */
const char *api_exception(enum core_err_kind);
/* Answer a failed database batch: InternalErrorException, logged. */
void	api_fail_db(struct api_call *, struct pg_reply *);
/* Run a batch; cb runs only while the call is still unanswered. */
void	api_query(struct api_call *, struct pg_batch *, api_db_fn);
/*
 * Run call->work_run on a crypto thread, then done on the loop while the
 * call is still unanswered. The handler keeps its inputs and outputs in
 * call->data.
 */
void	api_work(struct api_call *, api_work_fn, api_work_fn);

void	api_set_data(struct api_call *, void *, void (*)(void *));

/*
 * Another adapter's end of an operation (the console): the same
 * operation, shape and handler as on the JSON wire, without the wire
 * (no X-Amz-Target, no SigV4, no JSON text; the adapter checks its own
 * sign-in). ok gets the operation's answer (borrowed), fail the
 * exception's name (for logs) and its message (for a person). Either
 * runs after the call is gone, with the request still unanswered: it
 * answers it, or starts the next operation with the same arg. arg_free
 * frees arg when the request ends before the operation does.
 */
struct api_sink {
	void	(*ok)(struct req *, void *, json_t *);
	void	(*fail)(struct req *, void *, const char *, const char *);
	void	(*arg_free)(void *);
};

/*
 * Run operation name of the table with input in (stolen; validated
 * against the operation's shape) on request r, ending in sink with
 * arg. r must have no other handler state (req_set_ctx).
 */
void	api_op_run(struct req *, const char *, json_t *,
	    const struct api_sink *, void *);

/* Entry point from the router. */
void	api_handle(struct req *);
void	api_handle_options(struct req *);
const struct api_op *api_find(const char *);

/* Small JSON helpers for handlers. */
const char	*api_str(json_t *, const char *);
long long	 api_int(json_t *, const char *, long long);
int		 api_bool(json_t *, const char *, int);
/* The pool id or ARN helpers shared by families. */
char		*api_pool_arn(const char *);
/* Epoch seconds with fraction as Cognito returns them. */
json_t		*api_time(const char *);

/* The operation tables, one per family file. */
extern const struct api_op	pool_ops[];
extern const struct api_op	client_ops[];
extern const struct api_op	domain_ops[];
extern const struct api_op	rs_ops[];
extern const struct api_op	tag_ops[];
extern const struct api_op	ui_ops[];
extern const struct api_op	group_ops[];
extern const struct api_op	admin_user_ops[];
extern const struct api_op	user_ops[];
extern const struct api_op	auth_ops[];
extern const struct api_op	mfa_ops[];
extern const struct api_op	device_ops[];
extern const struct api_op	link_ops[];
extern const struct api_op	idp_ops[];

#endif
