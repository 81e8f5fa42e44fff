/*
 * demo.h: with --demo, the getting-started example pool is created on
 * first start through the same operations the JSON API runs.
 */
#ifndef DEMO_H
#define DEMO_H

struct event_base;

void	demo_start(struct event_base *);

#endif
