/* home.c: see home.h. */
#include "lst.h"
#include "home.h"
#include "bstore.h"
#include "diag.h"
#include "buf.h"
#include "jsonio.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char *home;

void home_set(const char *dir)
{
	free(home);
	home = xstrdup(dir);
}

const char *home_dir(void)
{
	if (home)
		return home;
	const char *e = getenv("LST_HOME");
	if (e && *e)
		home = xstrdup(e);
	else if ((e = getenv("XDG_DATA_HOME")) && *e)
		home = xasprintf("%s/lst", e);
	else if ((e = getenv("HOME")) && *e)
		home = xasprintf("%s/.local/share/lst", e);
	else
		home = xstrdup(".lst");
	return home;
}

char *home_path(const char *rel)
{
	return xasprintf("%s/%s", home_dir(), rel);
}

bool home_exists(void)
{
	struct stat st;
	return stat(home_dir(), &st) == 0 && S_ISDIR(st.st_mode);
}

static int mkdir_p(const char *dir, mode_t mode)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, mode);
	free(p);
	return r < 0 && errno != EEXIST ? -1 : 0;
}

int home_ensure(void)
{
	char *keys = home_path("keys");
	int r = 0;
	if (mkdir_p(home_dir(), 0700) < 0 || mkdir_p(keys, 0700) < 0)
		r = diag_error(LST_EFAIL, "cannot create the state directory '%s': %s", home_dir(),
			       strerror(errno));
	free(keys);
	return r;
}

int write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		goto fail;
	const uint8_t *p = data;
	size_t left = len;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			goto fail_unlink;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0 || close(fd) < 0)
		goto fail_unlink;
	if (rename(tmp, path) < 0)
		goto fail_unlink;
	free(tmp);
	return 0;
fail_unlink:
	unlink(tmp);
fail:
	diag_error(LST_EFAIL, "cannot write '%s': %s", path, strerror(errno));
	free(tmp);
	return -1;
}

json_t *config_load(void)
{
	char *path = home_path("config.json");
	buf b = BUF_INIT;
	json_t *j;
	if (buf_read_file(&b, path, 1 << 20) < 0) {
		j = errno == ENOENT ? json_object() : NULL;
		if (!j)
			diag_error(LST_EFAIL, "cannot read '%s': %s", path, strerror(errno));
	} else {
		j = jsonio_parse((const char *)b.p, b.len, path);
		if (j && !json_is_object(j)) {
			json_decref(j);
			j = NULL;
			diag_error(LST_EINVALID, "'%s' is not a JSON object", path);
		}
	}
	buf_free(&b);
	free(path);
	return j;
}

bool config_key_valid(const char *key)
{
	return *key && strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(key);
}

char *config_get(const char *key)
{
	char *v;
	return config_read(&v, key) < 0 ? NULL : v;
}

int config_read(char **value, const char *key)
{
	json_t *c = config_load();
	if (!c)
		return -1;
	json_t *v = json_object_get(c, key);
	char *r = NULL;
	if (json_is_string(v))
		r = xstrdup(json_string_value(v));
	else if (v && !json_is_null(v)) {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		r = xstrdup(s);
		free(s);
	}
	json_decref(c);
	*value = r;
	return 0;
}

int config_set(const char *key, const char *value)
{
	if (home_ensure() < 0)
		return -1;
	json_t *c = config_load();
	if (!c)
		return -1;
	if (value)
		json_object_set_new(c, key, jsonio_str(value));
	else
		json_object_del(c, key);
	char *text = json_dumps(c, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(c);
	char *path = home_path("config.json");
	buf b = BUF_INIT;
	buf_adds(&b, text);
	buf_addc(&b, '\n');
	int r = write_file_atomic(path, b.p, b.len, 0600);
	buf_free(&b);
	free(text);
	free(path);
	return r;
}

bstore *home_store(bool create)
{
	if (create && home_ensure() < 0)
		return NULL;
	if (!create && !home_exists()) {
		diag_error(LST_ENOTFOUND, "no lst home at '%s'", home_dir());
		diag_hint("run 'lst init' or 'lst-block add' first, or pass --home DIR");
		return NULL;
	}
	char *dir = home_path("blocks");
	bstore *s = bstore_open(dir);
	free(dir);
	return s;
}
