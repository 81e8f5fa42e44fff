/* totp.h: to be written. */
#ifndef TOTP_H
#define TOTP_H
#endif
