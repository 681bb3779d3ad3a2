/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stopwatch of scripts/bench: runs a program and prints, on one line,
 *
 *   <wall ns> <peak RSS KiB> <exit status>
 *
 * measured with CLOCK_MONOTONIC around fork..wait4, and the child's
 * ru_maxrss from wait4 (the program itself: exec replaces our own image).
 *
 *   timeit [-i IN] [-o OUT] -- PROGRAM [ARG]...
 *       one run, stdin from IN, stdout and stderr to OUT (default /dev/null)
 *   timeit -g GROUPS [-n MAX] [-o OUT] -- PROGRAM [ARG]...
 *       one run of PROGRAM per group of lines of GROUPS (groups are separated
 *       by blank lines), that group on its stdin through a pipe; at most MAX
 *       groups. The time covers all runs, the RSS is the largest, the exit
 *       status the first non-zero one. This is "one process per subport".
 *
 * The exit status is timeit's own: 0 when it could measure, whatever the
 * program returned; 125 on a usage or system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "timeit: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* Start @argv with @in_fd as stdin and @out_fd as stdout and stderr. */
static pid_t start(char **argv, int in_fd, int out_fd)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		fprintf(stderr, "timeit: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int finish(pid_t pid, long *maxrss)
{
	struct rusage ru;
	int status;

	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	if (ru.ru_maxrss > *maxrss)
		*maxrss = ru.ru_maxrss;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The next blank-line-separated group of @f, or NULL at the end. */
static char *next_group(FILE *f, size_t *len)
{
	char *buf = NULL, *line = NULL;
	size_t lcap = 0;
	FILE *mem = open_memstream(&buf, len);
	ssize_t n;
	int lines = 0;

	if (!mem)
		die("open_memstream");
	while ((n = getline(&line, &lcap, f)) > 0) {
		if (line[0] == '\n') {
			if (lines)
				break;
			continue;
		}
		fwrite(line, 1, (size_t)n, mem);
		lines++;
	}
	free(line);
	fclose(mem);
	if (!lines) {
		free(buf);
		return NULL;
	}
	return buf;
}

int main(int argc, char **argv)
{
	const char *in = "/dev/null", *out = "/dev/null", *groups = NULL;
	long maxrss = 0, max_groups = -1;
	int opt, out_fd, rc = 0;
	uint64_t t0, t1;

	while ((opt = getopt(argc, argv, "+i:o:g:n:")) != -1) {
		switch (opt) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'g': groups = optarg; break;
		case 'n': max_groups = atol(optarg); break;
		default:
			fprintf(stderr, "usage: timeit [-i IN | -g GROUPS [-n MAX]] [-o OUT] -- PROGRAM [ARG]...\n");
			return 125;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "timeit: no program\n");
		return 125;
	}
	argv += optind;
	out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out_fd < 0)
		die(out);

	if (!groups) {
		int in_fd = open(in, O_RDONLY | O_CLOEXEC);

		if (in_fd < 0)
			die(in);
		t0 = now_ns();
		rc = finish(start(argv, in_fd, out_fd), &maxrss);
		t1 = now_ns();
		close(in_fd);
	} else {
		/* Read every group first, so the file is not read while timing. */
		FILE *f = fopen(groups, "r");
		char **text = NULL;
		size_t *len = NULL, n = 0, cap = 0;
		char *g;
		size_t l;

		if (!f)
			die(groups);
		while ((max_groups < 0 || (long)n < max_groups) && (g = next_group(f, &l))) {
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				text = realloc(text, cap * sizeof(*text));
				len = realloc(len, cap * sizeof(*len));
				if (!text || !len)
					die("realloc");
			}
			text[n] = g;
			len[n++] = l;
		}
		fclose(f);
		t0 = now_ns();
		for (size_t i = 0; i < n; i++) {
			int p[2], one;
			pid_t pid;

			if (pipe2(p, O_CLOEXEC) < 0)
				die("pipe");
			pid = start(argv, p[0], out_fd);
			close(p[0]);
			/* A group is a few hundred bytes: it fits the pipe. */
			if (write(p[1], text[i], len[i]) != (ssize_t)len[i])
				die("write");
			close(p[1]);
			one = finish(pid, &maxrss);
			if (one && !rc)
				rc = one;
		}
		t1 = now_ns();
		for (size_t i = 0; i < n; i++)
			free(text[i]);
		free(text);
		free(len);
	}
	printf("%llu %ld %d\n", (unsigned long long)(t1 - t0), maxrss, rc);
	return 0;
}
