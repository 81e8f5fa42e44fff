/* filter.c: to be written. */
#include "config.h"

#include "core/filter.h"
