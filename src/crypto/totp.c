/* totp.c: to be written. */
#include "config.h"

#include "crypto/totp.h"
