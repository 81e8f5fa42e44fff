/* jwt.c: to be written. */
#include "config.h"

#include "crypto/jwt.h"
