/*
 * keyring_unlock_ask: a key unlocked once in a process is unlocked again
 * with the same passphrase without asking (a porcelain verb derives a
 * content key, then signs, with one prompt); another key is asked for its
 * own, and a failed unlock remembers nothing.
 */
#include "lst.h"
#include "unit.h"
#include "keyring.h"
#include "home.h"
#include "pass.h"
#include "diag.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/t-keyring-XXXXXX";

/* Point the passphrase source at a file holding text. */
static void pass_file(const char *text)
{
	static char path[256]; /* pass_set_file keeps the pointer */
	snprintf(path, sizeof(path), "%s/pass", dir);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		diag_die(LST_EFAIL, "cannot write '%s'", path);
	pass_set_file(path);
}

static void add(key_entry *e, uint8_t fill, const char *name, const char *pw)
{
	uint8_t priv[32];
	memset(priv, fill, sizeof(priv));
	passphrase p = {NULL, 0};
	p.len = strlen(pw);
	p.p = sodium_malloc(p.len + 1);
	memcpy(p.p, pw, p.len + 1);
	if (keyring_add(e, priv, name, &p) < 0)
		diag_die(LST_EFAIL, "keyring_add");
	pass_free(&p);
}

static bool unlocks(const key_entry *e, uint8_t fill)
{
	secret_key k = {NULL};
	diag_set_quiet(true);
	int r = keyring_unlock_ask(&k, e);
	diag_set_quiet(false);
	bool good = r == 0 && k.priv && k.priv[0] == fill && k.priv[31] == fill;
	if (r == 0)
		secret_free(&k);
	return good;
}

int main(void)
{
	if (sodium_init() < 0 || !mkdtemp(dir))
		return 1;
	home_set(dir);
	key_entry a, b;
	add(&a, 0x11, "alice", "alice-pw");
	add(&b, 0x22, "bob", "bob-pw");

	pass_file("wrong\n");
	ok(!unlocks(&a, 0x11), "a wrong passphrase does not unlock alice");
	pass_file("still wrong\n");
	ok(!unlocks(&a, 0x11), "a failed unlock remembered nothing: the next wrong one fails too");

	pass_file("alice-pw\n");
	ok(unlocks(&a, 0x11), "alice's passphrase unlocks alice");
	pass_file("wrong\n");
	ok(unlocks(&a, 0x11), "alice again in this process: unlocked without the passphrase source");
	ok(!unlocks(&b, 0x22), "bob is asked for his own passphrase (the source's wrong one fails)");
	ok(unlocks(&a, 0x11), "... and alice is still remembered");
	pass_file("bob-pw\n");
	ok(unlocks(&b, 0x22), "bob's passphrase unlocks bob");
	pass_file("wrong\n");
	ok(unlocks(&b, 0x22), "bob is now the one remembered");
	ok(!unlocks(&a, 0x11), "and alice, no longer remembered, is asked again");

	keyring_entry_free(&a);
	keyring_entry_free(&b);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "%s/keys", dir);
	/* Clean up the temporary home (files, then directories). */
	key_entry *all;
	size_t n;
	if (keyring_list(&all, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (keyring_remove(&all[i]) < 0)
				diagf("cannot remove a key");
			keyring_entry_free(&all[i]);
		}
		free(all);
	}
	rmdir(cmd);
	snprintf(cmd, sizeof(cmd), "%s/pass", dir);
	unlink(cmd);
	rmdir(dir);
	return unit_done();
}
