/*
 * log.h: the one place that writes log lines. Every line carries a
 * level, the process id and, for request lines, the request id.
 */
#ifndef LOG_H
#define LOG_H

#include "util.h"

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };

void	log_init(const char *);
int	log_parse_level(const char *);
void	log_set_level(int);
void	log_set_role(const char *);
void	log_debug(const char *, ...) PRINTFLIKE(1, 2);
void	log_info(const char *, ...) PRINTFLIKE(1, 2);
void	log_warn(const char *, ...) PRINTFLIKE(1, 2);
void	log_error(const char *, ...) PRINTFLIKE(1, 2);
char   *log_escape(const char *, size_t);
void	log_route_libraries(void);

#endif
