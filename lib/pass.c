/* pass.c: see pass.h. */
#include "lst.h"
#include "pass.h"
#include "diag.h"

#include <fcntl.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#define PASS_MAX 1024

static const char *pass_file;

void pass_set_file(const char *path)
{
	pass_file = path;
}

void pass_free(passphrase *p)
{
	if (p->p)
		sodium_free(p->p); /* wipes */
	p->p = NULL;
	p->len = 0;
}

static int alloc(passphrase *out)
{
	if (sodium_init() < 0)
		return diag_error(LST_EFAIL, "cannot initialise libsodium");
	out->p = sodium_malloc(PASS_MAX + 1);
	if (!out->p)
		return diag_error(LST_EFAIL, "cannot allocate secure memory");
	out->len = 0;
	return 0;
}

/* Reads up to a newline from fd into out (no newline kept). */
static int read_line_fd(passphrase *out, int fd)
{
	char c;
	ssize_t n;
	while ((n = read(fd, &c, 1)) == 1 && c != '\n') {
		if (out->len == PASS_MAX)
			return -1;
		out->p[out->len++] = c;
	}
	if (n < 0)
		return -1;
	if (out->len && out->p[out->len - 1] == '\r')
		out->len--;
	out->p[out->len] = 0;
	return 0;
}

int pass_from_file(passphrase *out, const char *path)
{
	if (alloc(out) < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pass_free(out);
		return diag_error(LST_EFAIL, "cannot read passphrase file '%s': %s", path, strerror(errno));
	}
	int r = read_line_fd(out, fd);
	close(fd);
	if (r < 0) {
		pass_free(out);
		return diag_error(LST_EFAIL, "cannot read passphrase file '%s'", path);
	}
	return 0;
}

static int prompt_tty(passphrase *out, int tty, const char *prompt)
{
	struct termios old, noecho;
	if (alloc(out) < 0)
		return -1;
	if (write(tty, prompt, strlen(prompt)) < 0 || tcgetattr(tty, &old) < 0) {
		pass_free(out);
		return diag_error(LST_EFAIL, "cannot prompt for a passphrase on the terminal");
	}
	noecho = old;
	noecho.c_lflag &= (tcflag_t)~ECHO;
	tcsetattr(tty, TCSAFLUSH, &noecho);
	int r = read_line_fd(out, tty);
	tcsetattr(tty, TCSAFLUSH, &old);
	if (write(tty, "\n", 1) < 0)
		r = -1;
	if (r < 0) {
		pass_free(out);
		return diag_error(LST_EFAIL, "cannot read the passphrase from the terminal");
	}
	return 0;
}

int pass_get(passphrase *out, const char *prompt, bool confirm)
{
	const char *file = pass_file;
	if (!file) {
		file = getenv("LST_PASSPHRASE_FILE");
		if (file && !*file)
			file = NULL;
	}
	if (file)
		return pass_from_file(out, file);
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0) {
		diag_error(LST_EUSAGE, "no passphrase given and no terminal to ask on");
		diag_hint("set LST_PASSPHRASE_FILE, or pass --passphrase-file FILE where the command takes it");
		return -1;
	}
	int r = prompt_tty(out, tty, prompt);
	if (r == 0 && confirm) {
		passphrase again;
		r = prompt_tty(&again, tty, "Repeat passphrase: ");
		if (r == 0 && (again.len != out->len || sodium_memcmp(again.p, out->p, out->len))) {
			r = diag_error(LST_EUSAGE, "the passphrases do not match");
			pass_free(out);
		}
		pass_free(&again);
	}
	close(tty);
	return r;
}
