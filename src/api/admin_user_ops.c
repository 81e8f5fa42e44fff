/* admin_user_ops.c: to be written. */
#include "config.h"

#include "api/api.h"

const struct api_op admin_user_ops[] = {
	{ NULL, NULL, 0, NULL }
};
