/* daemon.c: see daemon.h. */
#include "lst.h"
#include "daemon.h"
#include "diag.h"
#include "home.h"
#include "node.h"
#include "service.h"

#include <signal.h>
#include <unistd.h>

static node *running;

static void on_signal(int sig)
{
	if (running)
		running->stop = 1;
}

int daemon_running(pid_t *pid)
{
	return service_running("daemon", pid);
}

int daemon_stop(unsigned timeout_ms)
{
	return service_stop("daemon", "daemon", timeout_ms);
}

/* The daemon proper; ready_fd (or -1) gets one byte once RPC is up. */
typedef struct {
	const char *rpc_listen, *peers;
} serve_args;

static int serve(void *arg, int ready_fd)
{
	const serve_args *a = arg;
	const char *rpc_listen = a->rpc_listen, *peers = a->peers;
	node n;
	int lockfd;
	if (home_ensure() < 0 || service_lock(&lockfd, "daemon", "daemon") < 0)
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
	serve_args a = {rpc_listen, peers};
	return service_main("daemon", "daemon", detach, serve, &a);
}
