/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statedir.h"

int vt_statedir_open(const char *path, bool create, struct vt_statedir *sd)
{
	struct stat st;
	int ret;

	sd->path = path;
	sd->lockfd = -1;
	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	sd->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sd->dirfd < 0)
		return -errno;
	if (fstat(sd->dirfd, &st) < 0) {
		ret = -errno;
		goto err;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 0022)) {
		ret = -EPERM;
		goto err;
	}
	return 0;
err:
	close(sd->dirfd);
	sd->dirfd = -1;
	return ret;
}

static void on_alarm(int sig)
{
	(void)sig;	/* only there to interrupt flock() */
}

int vt_statedir_lock(struct vt_statedir *sd, int wait_seconds)
{
	struct sigaction alarm_action = { .sa_handler = on_alarm }, old;
	int fd, ret = 0;

	fd = openat(sd->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		goto locked;
	if (errno != EWOULDBLOCK || wait_seconds <= 0) {
		ret = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		goto out;
	}
	/* No SA_RESTART: the alarm ends the wait with EINTR. */
	sigemptyset(&alarm_action.sa_mask);
	sigaction(SIGALRM, &alarm_action, &old);
	alarm((unsigned int)wait_seconds);
	ret = flock(fd, LOCK_EX) == 0 ? 0 : errno == EINTR ? -EWOULDBLOCK : -errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (ret == 0)
		goto locked;
out:
	close(fd);
	return ret;
locked:
	sd->lockfd = fd;
	return 0;
}

void vt_statedir_close(struct vt_statedir *sd)
{
	if (sd->lockfd >= 0)
		close(sd->lockfd);	/* releases the flock */
	if (sd->dirfd >= 0)
		close(sd->dirfd);
	sd->lockfd = sd->dirfd = -1;
}
