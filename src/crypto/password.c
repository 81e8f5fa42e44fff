/* password.c: to be written. */
#include "config.h"

#include "crypto/password.h"
