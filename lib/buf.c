/* buf.c: see buf.h. */
#include "lst.h"
#include "buf.h"
#include "diag.h"

#include <fcntl.h>
#include <unistd.h>

void buf_grow(buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void buf_add(buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = 0;
}

void buf_addc(buf *b, uint8_t c)
{
	buf_add(b, &c, 1);
}

void buf_adds(buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_insert(buf *b, size_t pos, const void *data, size_t len)
{
	buf_grow(b, len);
	memmove(b->p + pos + len, b->p + pos, b->len - pos);
	memcpy(b->p + pos, data, len);
	b->len += len;
	b->p[b->len] = 0;
}

void buf_reset(buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

void buf_free(buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int buf_read_fd(buf *b, int fd, size_t max)
{
	for (;;) {
		buf_grow(b, 65536);
		ssize_t n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (max && b->len > max) {
			errno = EFBIG;
			return -1;
		}
	}
	if (b->p)
		b->p[b->len] = 0;
	return 0;
}

int buf_read_file(buf *b, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = buf_read_fd(b, fd, max);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int buf_getline(buf *b, FILE *f)
{
	buf_reset(b);
	int c;
	while ((c = getc(f)) != EOF) {
		if (c == '\n')
			return 1;
		buf_addc(b, (uint8_t)c);
	}
	return b->len > 0;
}
