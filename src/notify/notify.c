/* notify.c: to be written. */
#include "config.h"

#include "notify/notify.h"
