/* codes.c: to be written. */
#include "config.h"

#include "core/codes.h"
