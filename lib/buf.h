/*
 * buf.h: a growable byte buffer (like git's strbuf), always NUL-terminated
 * one byte past len so text can be used as a C string.
 */
#ifndef LST_BUF_H
#define LST_BUF_H

#include "lst.h"

typedef struct {
	uint8_t *p;
	size_t len, cap;
} buf;

#define BUF_INIT {NULL, 0, 0}

void buf_grow(buf *b, size_t extra);
void buf_add(buf *b, const void *data, size_t len);
void buf_addc(buf *b, uint8_t c);
void buf_adds(buf *b, const char *s);
void buf_addf(buf *b, const char *fmt, ...) LST_PRINTF(2, 3);
/* Insert len bytes at offset pos. */
void buf_insert(buf *b, size_t pos, const void *data, size_t len);
void buf_reset(buf *b);
void buf_free(buf *b);
/* Read all of fd into b; 0 or -1 (errno set). max caps the size (0: none). */
int buf_read_fd(buf *b, int fd, size_t max);
/* Read a whole file; 0 or -1 (errno set). */
int buf_read_file(buf *b, const char *path, size_t max);
/* Next line of f without its newline into b; 1 got a line, 0 at EOF. */
int buf_getline(buf *b, FILE *f);

#endif
