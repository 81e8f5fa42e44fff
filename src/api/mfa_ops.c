/* mfa_ops.c: to be written. */
#include "config.h"

#include "api/api.h"

const struct api_op mfa_ops[] = {
	{ NULL, NULL, 0, NULL }
};
