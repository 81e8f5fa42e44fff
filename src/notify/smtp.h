/* smtp.h: to be written. */
#ifndef SMTP_H
#define SMTP_H
#endif
