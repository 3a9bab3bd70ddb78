/* daemon.c: see daemon.h. */
#include "lst.h"
#include "daemon.h"
#include "diag.h"
#include "home.h"
#include "node.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static node *running;

static void on_signal(int sig)
{
	if (running)
		running->stop = 1;
}

/* Take the home's lock; -1 if another daemon holds it. */
static int lock_pidfile(int *fd_out)
{
	char *path = home_path("daemon.pid");
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
		diag_error(LST_EREFUSED, "a daemon is already running on '%s' (pid %s)", home_dir(), pid);
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

int daemon_running(pid_t *pid)
{
	char *path = home_path("daemon.pid");
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

int daemon_stop(unsigned timeout_ms)
{
	pid_t pid;
	if (daemon_running(&pid) != 0)
		return 1;
	if (kill(pid, SIGTERM) < 0)
		return diag_error(LST_EFAIL, "cannot signal the daemon (pid %ld): %s", (long)pid, strerror(errno));
	for (unsigned waited = 0; waited < timeout_ms; waited += 20) {
		pid_t p;
		if (daemon_running(&p) != 0)
			return 0;
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return diag_error(LST_EFAIL, "the daemon (pid %ld) did not stop within %u ms", (long)pid, timeout_ms);
}

/* The daemon proper; ready_fd (or -1) gets one byte once RPC is up. */
static int serve(const char *rpc_listen, const char *peers, int ready_fd)
{
	node n;
	int lockfd;
	if (home_ensure() < 0 || lock_pidfile(&lockfd) < 0)
		return diag_status();
	int status = LST_OK;
	if (node_open(&n, home_dir(), rpc_listen, peers) < 0 || rpc_start(&n) < 0 || node_start(&n) < 0) {
		status = diag_status();
		goto out;
	}
	if (config_set("rpc", n.rpc_url) < 0) {
		status = diag_status();
		goto out;
	}
	running = &n;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "lst-chain: chain %llu at height %llu, RPC on %s\n", (unsigned long long)n.g.chain_id,
		(unsigned long long)n.head.h.height, n.rpc_url);
	if (ready_fd >= 0) {
		if (write(ready_fd, "1", 1) < 0)
			status = LST_EFAIL;
		close(ready_fd);
		ready_fd = -1;
	}
	if (node_run(&n) < 0)
		status = diag_status();
	fprintf(stderr, "lst-chain: stopped at height %llu\n", (unsigned long long)n.head.h.height);
out:
	running = NULL;
	node_close(&n);
	close(lockfd);
	return status;
}

int daemon_main(const char *rpc_listen, const char *peers, bool detach)
{
	if (!detach)
		return serve(rpc_listen, peers, -1);
	if (home_ensure() < 0)
		return diag_status();
	pid_t other;
	if (daemon_running(&other) == 0)
		return diag_error(LST_EREFUSED, "a daemon is already running on '%s' (pid %ld)", home_dir(), (long)other),
		       LST_EREFUSED;
	char *logpath = home_path("daemon.log");
	struct stat lst_st;
	off_t log_start = stat(logpath, &lst_st) == 0 ? lst_st.st_size : 0;
	int p[2];
	if (pipe(p) < 0)
		return diag_error(LST_EFAIL, "pipe: %s", strerror(errno)), LST_EFAIL;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return diag_error(LST_EFAIL, "fork: %s", strerror(errno)), LST_EFAIL;
	if (pid == 0) {
		close(p[0]);
		setsid();
		char *log = home_path("daemon.log");
		int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDWR);
		free(log);
		if (lfd < 0 || nul < 0)
			_exit(LST_EFAIL);
		dup2(nul, 0);
		dup2(lfd, 1);
		dup2(lfd, 2);
		close(nul);
		close(lfd);
		/* A daemon keeps none of its parent's descriptors but the ready pipe. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != p[1])
				close(fd);
		_exit(serve(rpc_listen, peers, p[1]));
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
	diag_error(code ? code : LST_EFAIL, "the daemon did not start (its log: '%s')", logpath);
	free(logpath);
	return code ? code : LST_EFAIL;
}
