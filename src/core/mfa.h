/* mfa.h: to be written. */
#ifndef MFA_H
#define MFA_H
#endif
