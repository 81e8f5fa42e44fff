/*
 * demo.h: with --demo, the getting-started example pool is created on
 * first start by the same rules and core functions the JSON API's
 * Create operations use.
 */
#ifndef DEMO_H
#define DEMO_H

struct event_base;

void	demo_start(struct event_base *);

#endif
