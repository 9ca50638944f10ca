/* log.h - one-line log messages to stderr with time and level.
 * The simulator logs here (its log file when started in the background). */
#ifndef HSM_LOG_H
#define HSM_LOG_H

void log_set_prefix(const char *prefix);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
