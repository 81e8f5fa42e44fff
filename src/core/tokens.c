/* tokens.c: to be written. */
#include "config.h"

#include "core/tokens.h"
