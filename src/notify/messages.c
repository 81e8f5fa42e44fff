/* messages.c: to be written. */
#include "config.h"

#include "notify/messages.h"
