/* srp.c: to be written. */
#include "config.h"

#include "crypto/srp.h"
