/* libFuzzer: the CARv1 reader over a memfd; every block it returns checks, and what it read writes back the same. */
#include "lst.h"
#include "bstore.h"
#include "car.h"
#include "diag.h"

#include <sys/mman.h>
#include <unistd.h>

static int fd_of(const uint8_t *p, size_t n)
{
	int fd = memfd_create("fuzz-car", MFD_CLOEXEC);
	size_t done = 0;
	while (fd >= 0 && done < n) {
		ssize_t w = write(fd, p + done, n - done);
		if (w <= 0)
			__builtin_trap();
		done += (size_t)w;
	}
	if (fd >= 0)
		lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Blocks read from data (at most max), their bytes re-serialised into again. -1 if the read failed. */
static int read_car(const uint8_t *data, size_t size, buf *again, uint64_t *end)
{
	int fd = fd_of(data, size), n = 0, r;
	cid *roots, c;
	size_t nroots;
	buf b = BUF_INIT;
	if (fd < 0)
		return -1;
	car_reader *rd = car_open(fd, &roots, &nroots);
	if (!rd) {
		close(fd);
		return -1;
	}
	if (again)
		car_header(again, roots, nroots);
	while ((r = car_next(rd, &c, &b)) == 1) {
		if (b.len > BLOCK_MAX || cid_check(&c, b.p, b.len) != 0 || car_offset(rd) > size)
			__builtin_trap();
		if (again)
			car_section(again, &c, b.p, b.len);
		n++;
	}
	*end = car_offset(rd);
	car_close(rd);
	free(roots);
	buf_free(&b);
	close(fd);
	return r < 0 ? -1 : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	buf again = BUF_INIT;
	uint64_t end = 0, end2 = 0;
	diag_set_quiet(true);
	int n = read_car(data, size, &again, &end);
	if (n >= 0) {
		if (end != size)
			__builtin_trap(); /* a clean end is the end of the input */
		if (read_car(again.p, again.len, NULL, &end2) != n || end2 != again.len)
			__builtin_trap(); /* what we write we read back */
	}
	buf_free(&again);
	return 0;
}
