/* sms.h: to be written. */
#ifndef SMS_H
#define SMS_H
#endif
