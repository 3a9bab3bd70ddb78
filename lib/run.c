/* run.c: see run.h. */
#include "lst.h"
#include "run.h"
#include "diag.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef LST_LIBEXECDIR
#define LST_LIBEXECDIR "/usr/local/libexec/lst"
#endif

static const char *exec_path;

void run_set_exec_path(const char *dir)
{
	exec_path = dir;
}

const char *run_exec_path(void)
{
	if (exec_path)
		return exec_path;
	const char *e = getenv("LST_EXEC_PATH");
	return e && *e ? e : LST_LIBEXECDIR;
}

static char *in_dirs(const char *dirs, const char *name)
{
	const char *p = dirs;
	while (p && *p) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		if (len) {
			char *path = xasprintf("%.*s/%s", (int)len, p, name);
			struct stat st;
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
				return path;
			free(path);
		}
		p = colon ? colon + 1 : NULL;
	}
	return NULL;
}

char *run_find(const char *name)
{
	char *p;
	if (exec_path && (p = in_dirs(exec_path, name)))
		return p;
	const char *e = getenv("LST_EXEC_PATH");
	if (e && *e && (p = in_dirs(e, name)))
		return p;
	if ((p = in_dirs(LST_LIBEXECDIR, name)))
		return p;
	return in_dirs(getenv("PATH"), name);
}

int run_exec(const char *name, char **argv)
{
	char *path = run_find(name);
	if (!path)
		return -1;
	argv[0] = (char *)name;
	fflush(stdout);
	execv(path, argv);
	int saved = errno;
	diag_error(LST_EFAIL, "cannot run '%s': %s", path, strerror(saved));
	free(path);
	errno = saved;
	return -1;
}

int run_wait(const char *name, char *const *argv)
{
	char *path = run_find(name);
	pid_t pid;
	int status;
	if (!path) {
		diag_error(LST_ENOTFOUND, "cannot find '%s' in the exec path", name);
		return -1;
	}
	fflush(stdout);
	int r = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	free(path);
	if (r != 0) {
		diag_error(LST_EFAIL, "cannot run '%s': %s", name, strerror(r));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
