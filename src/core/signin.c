/* signin.c: to be written. */
#include "config.h"

#include "core/signin.h"
