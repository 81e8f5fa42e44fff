/*
 * sweep.h: removing what has expired (challenge sessions, spent SRP
 * blocks, authorization codes, hosted-UI sessions) from the database now
 * and then, from the first worker only.
 */
#ifndef SWEEP_H
#define SWEEP_H

struct event_base;

int	 sweep_start(struct event_base *);
void	 sweep_stop(void);

#endif
