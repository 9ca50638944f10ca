/* pidfile.c - a node's pid file, trusted only while its flock is held, so a
 * pid left behind by a crashed node never counts as running. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "pidfile.h"
#include "util.h"

/* The pid written in the file, or 0 when it is empty or not a pid. */
static pid_t
read_pid(int fd)
{
	char text[32];
	unsigned long pid;
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	return hsm_parse_uint(text, 1, INT_MAX, &pid) ? (pid_t)pid : 0;
}

/* Truncate first: a reader then sees no pid or ours, never a stale one. */
static int
write_pid(int fd)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0)
		return -1;
	return pwrite(fd, text, (size_t)n, 0) == n ? 0 : -1;
}

int
pidfile_acquire(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			hsm_errf(err, errlen, "%s: already running as pid %ld", path,
			         (long)read_pid(fd));
		else
			hsm_errf(err, errlen, "%s: cannot lock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (write_pid(fd) != 0) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

pid_t
pidfile_running(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	pid_t pid = 0;
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		flock(fd, LOCK_UN);
	else if (errno == EWOULDBLOCK)
		pid = read_pid(fd);
	close(fd);
	return pid;
}
