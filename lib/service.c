/* service.c: pid files, detaching and stopping; see service.h. */
#include "lst.h"
#include "service.h"
#include "buf.h"
#include "diag.h"
#include "home.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *file_of(const char *name, const char *ext)
{
	buf b = BUF_INIT;
	buf_addf(&b, "%s.%s", name, ext);
	char *p = home_path((char *)b.p);
	buf_free(&b);
	return p;
}

int service_lock(int *fd_out, const char *name, const char *what)
{
	char *path = file_of(name, "pid");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		diag_error(LST_EFAIL, "cannot open '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		diag_error(LST_EREFUSED, "a %s is already running on '%s' (pid %s)", what, home_dir(), pid);
		close(fd);
		free(path);
		return -1;
	}
	char text[32];
	int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)len, 0) != len) {
		diag_error(LST_EFAIL, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	*fd_out = fd;
	return 0;
}

int service_running(const char *name, pid_t *pid)
{
	char *path = file_of(name, "pid");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 1;
	int r = 1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		char text[32] = "";
		ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
		text[n > 0 ? n : 0] = 0;
		*pid = (pid_t)strtol(text, NULL, 10);
		r = *pid > 0 ? 0 : 1;
	}
	close(fd);
	return r;
}

int service_stop(const char *name, const char *what, unsigned timeout_ms)
{
	pid_t pid;
	if (service_running(name, &pid) != 0)
		return 1;
	if (kill(pid, SIGTERM) < 0)
		return diag_error(LST_EFAIL, "cannot signal the %s (pid %ld): %s", what, (long)pid, strerror(errno));
	for (unsigned waited = 0; waited < timeout_ms; waited += 20) {
		pid_t p;
		if (service_running(name, &p) != 0)
			return 0;
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return diag_error(LST_EFAIL, "the %s (pid %ld) did not stop within %u ms", what, (long)pid, timeout_ms);
}

int service_main(const char *name, const char *what, bool detach, service_fn fn, void *arg)
{
	if (!detach)
		return fn(arg, -1);
	if (home_ensure() < 0)
		return diag_status();
	pid_t other;
	if (service_running(name, &other) == 0)
		return diag_error(LST_EREFUSED, "a %s is already running on '%s' (pid %ld)", what, home_dir(), (long)other),
		       LST_EREFUSED;
	char *logpath = file_of(name, "log");
	struct stat lst_st;
	off_t log_start = stat(logpath, &lst_st) == 0 ? lst_st.st_size : 0;
	int p[2];
	if (pipe(p) < 0) {
		free(logpath);
		return diag_error(LST_EFAIL, "pipe: %s", strerror(errno)), LST_EFAIL;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		free(logpath);
		return diag_error(LST_EFAIL, "fork: %s", strerror(errno)), LST_EFAIL;
	}
	if (pid == 0) {
		close(p[0]);
		setsid();
		int lfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDWR);
		if (lfd < 0 || nul < 0)
			_exit(LST_EFAIL);
		dup2(nul, 0);
		dup2(lfd, 1);
		dup2(lfd, 2);
		close(nul);
		close(lfd);
		/* A service keeps none of its parent's descriptors but the ready pipe. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != p[1])
				close(fd);
		_exit(fn(arg, p[1]));
	}
	close(p[1]);
	char c;
	ssize_t n = read(p[0], &c, 1);
	close(p[0]);
	if (n == 1) {
		free(logpath);
		return LST_OK;
	}
	int st;
	waitpid(pid, &st, 0);
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : LST_EFAIL;
	/* Say why: what the child wrote to the log since the fork. */
	int lfd = open(logpath, O_RDONLY | O_CLOEXEC);
	if (lfd >= 0) {
		char b[4096];
		ssize_t k = pread(lfd, b, sizeof(b) - 1, log_start);
		if (k > 0)
			fwrite(b, 1, (size_t)k, stderr);
		close(lfd);
	}
	diag_error(code ? code : LST_EFAIL, "the %s did not start (its log: '%s')", what, logpath);
	free(logpath);
	return code ? code : LST_EFAIL;
}
