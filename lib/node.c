/* node.c: the block producer; see node.h. */
#include "lst.h"
#include "node.h"
#include "addr.h"
#include "diag.h"
#include "exec.h"
#include "home.h"
#include "keccak.h"
#include "rlp.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BLOCK_MS 1000
#define DEFAULT_MAX_BLOCK_TXS 50000

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void validators_hash(uint8_t out[32], const genesis *g)
{
	buf b = BUF_INIT;
	size_t l = rlp_list_begin(&b);
	for (size_t i = 0; i < g->nvalidators; i++) {
		size_t e = rlp_list_begin(&b);
		rlp_put_bytes(&b, g->validators[i].address, 20);
		rlp_put_u64(&b, g->validators[i].power);
		rlp_list_end(&b, e);
	}
	rlp_list_end(&b, l);
	keccak256(out, b.p, b.len);
	buf_free(&b);
}

/* The state of block 0: the allocations. */
static int init_genesis(node *n)
{
	state *s = n->writer;
	if (state_begin(s) < 0)
		return -1;
	for (size_t i = 0; i < n->g.nalloc; i++) {
		account a = {n->g.alloc[i].balance, 0};
		if (state_put_account(s, n->g.alloc[i].address, &a) < 0)
			goto fail;
	}
	block_info b;
	memset(&b, 0, sizeof(b));
	b.h.chain_id = n->g.chain_id;
	b.h.height = 0;
	b.h.time = n->g.start_time;
	merkle_root(b.h.tx_root, NULL, 0);
	memcpy(b.h.app_hash, n->g.hash, 32);
	memcpy(b.h.validators_hash, n->validators_hash, 32);
	block_header_hash(b.hash, &b.h);
	if (state_put_block(s, &b, NULL, 0) < 0 || state_meta_put(s, "genesis_hash", n->g.hash, 32) < 0 ||
	    state_meta_put(s, "app_hash", n->g.hash, 32) < 0)
		goto fail;
	return state_commit(s);
fail:
	state_rollback(s);
	return -1;
}

int node_open(node *n, const char *home, const char *rpc_listen)
{
	memset(n, 0, sizeof(*n));
	pthread_mutex_init(&n->head_lock, NULL);
	pthread_cond_init(&n->head_cond, NULL);
	n->home = xstrdup(home);
	n->block_ms = DEFAULT_BLOCK_MS;
	n->max_block_txs = DEFAULT_MAX_BLOCK_TXS;
	n->started = now_ms() / 1000;
	snprintf(n->rpc_listen, sizeof(n->rpc_listen), "%s", rpc_listen);
	char *v = getenv("LST_BLOCK_MS");
	if (v && *v)
		n->block_ms = (unsigned)strtoul(v, NULL, 10) ? (unsigned)strtoul(v, NULL, 10) : DEFAULT_BLOCK_MS;

	char *gpath = home_path("genesis.json");
	int r = genesis_load(&n->g, gpath);
	free(gpath);
	if (r < 0)
		return -1;
	validators_hash(n->validators_hash, &n->g);

	char *vk = config_get("validator_key");
	key_entry e;
	if (!vk) {
		diag_error(LST_ENOTFOUND, "this home has no validator key (config 'validator_key')");
		diag_hint("'lst-chain init --dev' makes one; full nodes come with the consensus milestone");
		return -1;
	}
	r = keyring_find(&e, vk);
	free(vk);
	if (r < 0)
		return -1;
	bool listed = false;
	for (size_t i = 0; i < n->g.nvalidators; i++)
		listed |= !memcmp(n->g.validators[i].address, e.address, 20);
	if (!listed) {
		diag_error(LST_EREFUSED, "key '%s' is not a validator of this chain's genesis", e.address_str);
		keyring_entry_free(&e);
		return -1;
	}
	memcpy(n->validator_addr, e.address, 20);
	r = keyring_unlock_ask(&n->validator, &e);
	keyring_entry_free(&e);
	if (r < 0)
		return -1;

	char *dir = home_path("chain");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		diag_error(LST_EFAIL, "cannot create '%s': %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	n->db_path = xasprintf("%s/state.db", dir);
	free(dir);
	if (state_open(&n->writer, n->db_path, true) < 0)
		return -1;
	r = state_head(n->writer, &n->head);
	if (r == 1) {
		if (init_genesis(n) < 0 || state_head(n->writer, &n->head) != 0)
			return -1;
	} else if (r < 0) {
		return -1;
	}
	buf b = BUF_INIT;
	if (state_meta_get(n->writer, &b, "genesis_hash") != 0 || b.len != 32 || memcmp(b.p, n->g.hash, 32)) {
		buf_free(&b);
		return diag_error(LST_EREFUSED, "the chain database '%s' belongs to another genesis", n->db_path);
	}
	if (state_meta_get(n->writer, &b, "app_hash") != 0 || b.len != 32) {
		buf_free(&b);
		return diag_error(LST_EFAIL, "the chain database '%s' has no app hash", n->db_path);
	}
	memcpy(n->app_hash, b.p, 32);
	buf_free(&b);
	n->mp = mempool_new(MEMPOOL_MAX_TOTAL, MEMPOOL_MAX_PER_SENDER);
	return 0;
}

void node_close(node *n)
{
	rpc_stop(n);
	state_close(n->writer);
	if (n->mp)
		mempool_free(n->mp);
	secret_free(&n->validator);
	genesis_free(&n->g);
	free(n->home);
	free(n->db_path);
	pthread_mutex_destroy(&n->head_lock);
	pthread_cond_destroy(&n->head_cond);
}

void node_head(node *n, block_info *out)
{
	pthread_mutex_lock(&n->head_lock);
	*out = n->head;
	pthread_mutex_unlock(&n->head_lock);
}

/* Execute, sign and commit the next block with what the mempool has ready. */
static int produce(node *n, size_t *taken)
{
	pooled_tx **txs;
	size_t ntx = mempool_take(n->mp, &txs, n->max_block_txs);
	*taken = ntx;
	exec_tx_result *res = xcalloc(ntx + 1, sizeof(*res));
	uint8_t (*hashes)[32] = xmalloc((ntx + 1) * 32);
	uint8_t app_hash[32];
	block_info b, parent;
	node_head(n, &parent);
	memset(&b, 0, sizeof(b));
	b.h.chain_id = n->g.chain_id;
	b.h.height = parent.h.height + 1;
	uint64_t now = now_ms() / 1000;
	b.h.time = now > parent.h.time ? now : parent.h.time + 1; /* strictly later than the parent */
	exec_block_info info = {b.h.height, b.h.time, n->g.supply};
	int r = state_begin(n->writer);
	if (r == 0)
		r = exec_block(n->writer, res, app_hash, &info, txs, ntx, n->app_hash);
	size_t inc = 0;
	for (size_t i = 0; r == 0 && i < ntx; i++)
		if (res[i].included) {
			memcpy(hashes[inc++], txs[i]->t.hash, 32);
			b.gas_used += res[i].gas_used;
		}
	if (r == 0) {
		b.ntx = inc;
		memcpy(b.h.parent, parent.hash, 32);
		merkle_root(b.h.tx_root, (const uint8_t (*)[32])hashes, inc);
		memcpy(b.h.app_hash, n->app_hash, 32);
		memcpy(b.h.validators_hash, n->validators_hash, 32);
		memcpy(b.h.proposer, n->validator_addr, 20);
		block_header_hash(b.hash, &b.h);
		vote v;
		memset(&v, 0, sizeof(v));
		v.type = VOTE_PRECOMMIT;
		v.chain_id = n->g.chain_id;
		v.height = b.h.height;
		memcpy(v.block_hash, b.hash, 32);
		commit c = {b.h.height, 0, {0}, &v, 1};
		memcpy(c.block_hash, b.hash, 32);
		buf cb = BUF_INIT;
		r = vote_sign(&v, n->validator.priv, n->validator_addr);
		if (r == 0) {
			commit_encode(&cb, &c);
			r = state_put_block(n->writer, &b, cb.p, cb.len);
		}
		buf_free(&cb);
		if (r == 0)
			r = state_meta_put(n->writer, "app_hash", app_hash, 32);
		if (r == 0)
			r = state_commit(n->writer);
	}
	if (r < 0) {
		state_rollback(n->writer);
		diag_error(LST_EFAIL, "block %llu was not committed", (unsigned long long)b.h.height);
	} else {
		pthread_mutex_lock(&n->head_lock);
		n->head = b;
		memcpy(n->app_hash, app_hash, 32);
		pthread_cond_broadcast(&n->head_cond);
		pthread_mutex_unlock(&n->head_lock);
	}
	/* Tell the mempool every touched sender's real nonce. */
	for (size_t i = 0; i < ntx; i++) {
		account a;
		if (i + 1 < ntx && !memcmp(txs[i]->t.from, txs[i + 1]->t.from, 20))
			continue; /* same sender next: update once, after its last */
		if (state_get_account(n->writer, &a, txs[i]->t.from) == 0)
			mempool_committed(n->mp, txs[i]->t.from, a.nonce);
	}
	mempool_release(n->mp, txs, ntx);
	for (size_t i = 0; i < ntx; i++)
		pooled_tx_free(txs[i]);
	free(txs);
	free(res);
	free(hashes);
	if (r == 0 && (ntx || b.h.height % 60 == 0))
		fprintf(stderr, "lst-chain: block %llu: %zu txs\n", (unsigned long long)b.h.height, inc);
	return r;
}

int node_run(node *n)
{
	uint64_t next = now_ms() + n->block_ms;
	while (!n->stop) {
		uint64_t t = now_ms();
		if (t < next) {
			uint64_t wait = next - t < 20 ? next - t : 20;
			struct timespec ts = {0, (long)wait * 1000000L};
			nanosleep(&ts, NULL);
			continue;
		}
		size_t taken;
		if (produce(n, &taken) < 0)
			return -1;
		/*
		 * A full block means more is ready: the next goes at once (its time
		 * is still later than this one's). Otherwise one per interval.
		 * Only ready transactions count, never ones parked behind a gap.
		 */
		next = taken >= n->max_block_txs ? now_ms() : now_ms() + n->block_ms;
	}
	return 0;
}
