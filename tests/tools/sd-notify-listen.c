/* sd-notify-listen.c - plays systemd's side of sd_notify for serve.exp: runs a
 * command with $NOTIFY_SOCKET set and prints every message it sends. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

/* Output, line by line: "child PID", then "notify MESSAGE" for each
 * datagram, then "exit STATUS" (or "signal N") when the command ends. */
int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sd-notify-listen SOCKET COMMAND [ARGS...]\n");
		return 2;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sd-notify-listen: %s: path too long\n", argv[1]);
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "sd-notify-listen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setenv("NOTIFY_SOCKET", argv[1], 1);
	pid_t child = fork();
	if (child == 0) {
		execv(argv[2], argv + 2);
		fprintf(stderr, "sd-notify-listen: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	printf("child %ld\n", (long)child);
	int status, done = 0;
	/* After the command ends, whatever it sent last is still read. */
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char msg[512];
		if (poll(&p, 1, done ? 0 : 100) > 0) {
			ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);
			if (n > 0) {
				msg[n] = '\0';
				printf("notify %s\n", msg);
			}
			continue;
		}
		if (done)
			break;
		done = waitpid(child, &status, WNOHANG) == child;
	}
	if (WIFEXITED(status))
		printf("exit %d\n", WEXITSTATUS(status));
	else
		printf("signal %d\n", WTERMSIG(status));
	unlink(argv[1]);
	return 0;
}
