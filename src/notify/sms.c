/* sms.c: to be written. */
#include "config.h"

#include "notify/sms.h"
