/*
 * worker.h: one worker process: an event loop serving HTTP(S) on the
 * inherited listeners, its own PostgreSQL connections and crypto threads.
 */
#ifndef WORKER_H
#define WORKER_H

struct worker_args {
	int		 index;
	int		 https_fd;
	int		 http_fd;
	int		 console_fd;	/* console_listen's, or -1 */
	const char	*conninfo;
	int		 demo;
};

int	worker_main(const struct worker_args *);

#endif
