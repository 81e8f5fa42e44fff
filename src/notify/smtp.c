/* smtp.c: to be written. */
#include "config.h"

#include "notify/smtp.h"
