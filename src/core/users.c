/* users.c: to be written. */
#include "config.h"

#include "core/users.h"
