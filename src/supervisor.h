/*
 * supervisor.h: the parent process. It starts the workers, restarts any
 * that dies, forwards SIGHUP, and on SIGTERM or SIGINT stops them all.
 */
#ifndef SUPERVISOR_H
#define SUPERVISOR_H

#include "worker.h"

int	supervisor_run(int, const struct worker_args *);

#endif
