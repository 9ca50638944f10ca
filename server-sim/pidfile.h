/* pidfile.h - "is node K running?" without trusting stale pid files.
 * A running node holds an exclusive flock on DIR/nodeK/hsm.pid. */
#ifndef HSM_PIDFILE_H
#define HSM_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

#define PIDFILE_NAME "hsm.pid"

/* Takes the lock and writes our pid; returns the fd to keep open for the
 * life of the process, or -1 (err says why, e.g. already running as pid N). */
int pidfile_acquire(const char *path, char *err, size_t errlen);
/* The pid of the live process holding the lock, or 0 when none does. */
pid_t pidfile_running(const char *path);

#endif
