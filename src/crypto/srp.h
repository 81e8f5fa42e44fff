/* srp.h: to be written. */
#ifndef SRP_H
#define SRP_H
#endif
