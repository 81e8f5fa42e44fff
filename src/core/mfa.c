/* mfa.c: to be written. */
#include "config.h"

#include "core/mfa.h"
