/* policy.c: to be written. */
#include "config.h"

#include "core/policy.h"
