/*
 * Unit tests of lib/state.c's contract storage as contract.h promises it:
 * an empty value deletes the key, so absent and empty read the same (the
 * subscription's cancel empties pools; reading one back as "found, empty"
 * once failed a block and halted the chain), in a transaction, after a
 * rollback and from a second connection after the commit.
 */
#include "lst.h"
#include "unit.h"
#include "diag.h"
#include "state.h"

#include <unistd.h>

int main(void)
{
	char dir[] = "/tmp/lst-t-state-XXXXXX";
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return unit_done();
	}
	char *path = xasprintf("%s/state.db", dir);
	static const uint8_t c[20] = {0x4c, 0x53, 0x54, [19] = 5}, key[] = "pool:1:7";
	state *w = NULL, *r = NULL;
	buf v = BUF_INIT;
	ok(state_open(&w, path, true) == 0 && state_begin(w) == 0, "a writer in a transaction");
	ok(state_storage_get(w, &v, c, key, sizeof(key)) == 1, "a key never written is absent");
	ok(state_storage_put(w, c, key, sizeof(key), (const uint8_t *)"abc", 3) == 0 &&
	   state_storage_get(w, &v, c, key, sizeof(key)) == 0 && v.len == 3 && !memcmp(v.p, "abc", 3),
	   "written, it reads back");
	ok(state_storage_put(w, c, key, sizeof(key), NULL, 0) == 0 && state_storage_get(w, &v, c, key, sizeof(key)) == 1,
	   "an empty value reads as absent, not as found and empty");
	ok(state_storage_put(w, c, key, sizeof(key), (const uint8_t *)"de", 2) == 0 &&
	   state_storage_get(w, &v, c, key, sizeof(key)) == 0 && v.len == 2, "written again after, it reads back");
	ok(state_savepoint(w) == 0 && state_storage_put(w, c, key, sizeof(key), NULL, 0) == 0, "emptied in a savepoint");
	state_rollback_to(w); /* and releases, as a reverted call does */
	ok(state_storage_get(w, &v, c, key, sizeof(key)) == 0 && v.len == 2, "rolled back, the value is there");
	ok(state_storage_put(w, c, key, sizeof(key), NULL, 0) == 0 && state_commit(w) == 0, "emptied and committed");
	ok(state_open(&r, path, false) == 0 && state_storage_get(r, &v, c, key, sizeof(key)) == 1,
	   "another connection reads it as absent");
	static const uint8_t other[20] = {1};
	ok(state_begin(w) == 0 && state_storage_put(w, other, key, sizeof(key), (const uint8_t *)"x", 1) == 0 &&
	   state_commit(w) == 0 && state_storage_get(r, &v, c, key, sizeof(key)) == 1,
	   "the same key of another contract is another slot");
	buf_free(&v);
	state_close(r);
	state_close(w);
	unlink(path);
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
	unlink(wal);
	unlink(shm);
	free(wal);
	free(shm);
	free(path);
	rmdir(dir);
	return unit_done();
}
