/* node.c: the consensus thread and block application; see node.h. */
#include "lst.h"
#include "node.h"
#include "abi.h"
#include "addr.h"
#include "diag.h"
#include "evidence.h"
#include "exec.h"
#include "home.h"
#include "keccak.h"
#include "rlp.h"
#include "tx.h"
#include "validators.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BLOCK_MS 1000
#define DEFAULT_TIMEOUT_MS 3000  /* Tendermint's timeout_propose */
#define DEFAULT_MAX_BLOCK_TXS 10000 /* about 1 MiB: checked well within a timeout; a full block starts the next at once */
#define MAX_INBOX 200000
#define MAX_FUTURE ARRAY_SIZE(((node *)0)->future)

enum { EV_PROPOSAL = 1, EV_VOTE, EV_SYNC };

struct node_event {
	node_event *next;
	int kind;
	proposal p;
	vote v;
	fullblock *b;
	commit c;
	int *result;  /* EV_SYNC: 2 pending, then 0 applied, 1 already had it, -1 refused */
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned env_ms(const char *name, unsigned dflt)
{
	char *v = getenv(name);
	unsigned long x = v && *v ? strtoul(v, NULL, 10) : 0;
	return x ? (unsigned)x : dflt;
}

/* ---- state helpers (consensus thread) ---- */

static int load_valset(state *st, valset *out, uint64_t height)
{
	buf b = BUF_INIT;
	uint64_t from;
	int r = state_valset_get(st, &from, &b, height);
	if (r == 0 && valset_decode(out, b.p, b.len) < 0)
		r = diag_error(LST_EFAIL, "the stored validator set for height %llu is corrupt",
			       (unsigned long long)height);
	else if (r == 1)
		r = diag_error(LST_EFAIL, "no validator set for height %llu", (unsigned long long)height);
	buf_free(&b);
	return r;
}

/* The state of block 0: the allocations and the first validator set. */
static int init_genesis(node *n)
{
	state *s = n->writer;
	valset vs;
	if (valset_from_genesis(&vs, &n->g) < 0)
		return diag_error(LST_EINVALID, "the genesis validator set is invalid");
	if (state_begin(s) < 0) {
		valset_free(&vs);
		return -1;
	}
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
	memcpy(b.h.validators_hash, vs.hash, 32);
	block_header_hash(b.hash, &b.h);
	buf e = BUF_INIT;
	valset_encode(&e, &vs);
	int r = state_put_block(s, &b, NULL, 0, NULL, 0);
	if (r == 0)
		r = state_valset_put(s, 1, e.p, e.len);
	buf_free(&e);
	if (r < 0 || state_meta_put(s, "genesis_hash", n->g.hash, 32) < 0 ||
	    state_meta_put(s, "app_hash", n->g.hash, 32) < 0)
		goto fail;
	valset_free(&vs);
	return state_commit(s);
fail:
	valset_free(&vs);
	state_rollback(s);
	return -1;
}

static char *merge_peers(const char *a, const char *b)
{
	if (!a || !*a)
		return xstrdup(b ? b : "");
	if (!b || !*b)
		return xstrdup(a);
	return xasprintf("%s,%s", a, b);
}

int node_open(node *n, const char *home, const char *rpc_listen, const char *peers)
{
	memset(n, 0, sizeof(*n));
	pthread_mutex_init(&n->head_lock, NULL);
	pthread_cond_init(&n->head_cond, NULL);
	pthread_mutex_init(&n->in_lock, NULL);
	pthread_cond_init(&n->in_cond, NULL);
	pthread_mutex_init(&n->sync_lock, NULL);
	pthread_mutex_init(&n->seen_lock, NULL);
	pthread_cond_init(&n->sync_cond, NULL);
	n->home = xstrdup(home);
	n->block_ms = env_ms("LST_BLOCK_MS", DEFAULT_BLOCK_MS);
	unsigned t = env_ms("LST_TIMEOUT_MS", DEFAULT_TIMEOUT_MS);
	n->timeouts = (cs_timeouts){t, t / 2, t / 2, t / 2};
	n->max_block_txs = DEFAULT_MAX_BLOCK_TXS;
	n->started = now_ms() / 1000;
#ifdef LST_FAULTS
	char *bz = getenv("LST_BYZANTINE");
	n->byzantine = bz && !strcmp(bz, "1");
#endif
	char *listen = NULL;
	if (!rpc_listen) {
		listen = config_get("listen");
		rpc_listen = listen ? listen : "127.0.0.1:8545";
	}
	if (!strncmp(rpc_listen, "http://", 7))
		rpc_listen += 7;
	snprintf(n->rpc_listen, sizeof(n->rpc_listen), "%s", rpc_listen);
	free(listen);
	char *cp = config_get("peers");
	n->peers = merge_peers(cp, peers);
	free(cp);

	char *gpath = home_path("genesis.json");
	int r = genesis_load(&n->g, gpath);
	free(gpath);
	if (r < 0)
		return -1;

	char *vk = config_get("validator_key");
	if (vk) {
		key_entry e;
		r = keyring_find(&e, vk);
		free(vk);
		if (r < 0)
			return -1;
		memcpy(n->validator_addr, e.address, 20);
		r = keyring_unlock_ask(&n->validator, &e);
		keyring_entry_free(&e);
		if (r < 0)
			return -1;
		n->is_validator = true;
	}

	char *dir = home_path("chain");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		diag_error(LST_EFAIL, "cannot create '%s': %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	n->db_path = xasprintf("%s/state.db", dir);
	char *pvpath = xasprintf("%s/privval.json", dir);
	free(dir);
	r = n->is_validator ? privval_open(&n->pv, pvpath) : 0;
	free(pvpath);
	if (r < 0)
		return -1;
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
	if (load_valset(n->writer, &n->vs, n->head.h.height + 1) < 0 ||
	    (n->head.h.height && load_valset(n->writer, &n->vs_prev, n->head.h.height) < 0))
		return -1;
	n->mp = mempool_new(MEMPOOL_MAX_TOTAL, MEMPOOL_MAX_PER_SENDER);
	return 0;
}

void node_close(node *n)
{
	sync_stop(n);
	rpc_stop(n);
	p2p_free(n->net);
	n->net = NULL;
	cs_free(n->cs);
	n->cs = NULL;
	state_close(n->writer);
	if (n->mp)
		mempool_free(n->mp);
	for (node_event *e = n->in_head, *next; e; e = next) {
		next = e->next;
		fullblock_unref(e->b);
		commit_free(&e->c);
		free(e);
	}
	n->in_head = n->in_tail = NULL;
	if (n->is_validator) {
		secret_free(&n->validator);
		privval_close(&n->pv);
	}
	for (size_t i = 0; i < n->nfuture; i++) {
		fullblock_unref(n->future[i]->b);
		commit_free(&n->future[i]->c);
		free(n->future[i]);
	}
	n->nfuture = 0;
	valset_free(&n->vs);
	valset_free(&n->vs_prev);
	genesis_free(&n->g);
	free(n->home);
	free(n->db_path);
	free(n->peers);
	pthread_mutex_destroy(&n->head_lock);
	pthread_cond_destroy(&n->head_cond);
}

void node_head(node *n, block_info *out)
{
	pthread_mutex_lock(&n->head_lock);
	*out = n->head;
	pthread_mutex_unlock(&n->head_lock);
}

/* ---- transactions ---- */

int node_admit_tx(node *n, state *st, char *err, size_t errlen, bool *internal, pooled_tx *pt, int from_peer)
{
	account acc;
	*internal = false;
	if (!pt->t.has_chain_id)
		snprintf(err, errlen, "only replay-protected (EIP-155) transactions are allowed over RPC");
	else if (pt->t.chain_id != n->g.chain_id)
		snprintf(err, errlen, "invalid chain id for signer: have %llu want %llu",
			 (unsigned long long)pt->t.chain_id, (unsigned long long)n->g.chain_id);
	else if (!pt->t.has_to)
		snprintf(err, errlen,
			 "contract creation is not permitted: only Lightstreams contract templates run on this chain");
	else if (tx_validate(err, errlen, &pt->t) < 0)
		;
	else if (!u256_fits_u128(&pt->t.value))
		snprintf(err, errlen, "insufficient funds for transfer: value exceeds a 128-bit balance");
	else if (state_get_account(st, &acc, pt->t.from) < 0) {
		snprintf(err, errlen, "cannot read the sender's account");
		*internal = true;
	} else {
		buf raw = BUF_INIT;
		if (n->net && p2p_count(n->net))
			buf_add(&raw, pt->raw.p, pt->raw.len);
		if (mempool_add(n->mp, err, errlen, pt, acc.nonce, &acc.balance) == 0) {
			/*
			 * Validators are a full mesh: what one peer sent, the others
			 * got from it too. Only what came from a client or a node
			 * that is not a peer (a full node) goes on.
			 */
			if (raw.len && from_peer < 0)
				p2p_broadcast(n->net, P2P_TXS, raw.p, raw.len, -1);
			buf_free(&raw);
			return 0;
		}
		buf_free(&raw);
		return -1;
	}
	pooled_tx_free(pt);
	return -1;
}

/* ---- evidence ---- */

/*
 * Submit evidence of a double sign as a transaction from this validator to
 * the evidence contract, which checks both signatures again and records it.
 * Tendermint carries evidence in a block field instead; a transaction
 * reuses gossip, the mempool and receipts, puts the record where
 * eth_getLogs and `lst-chain evidence` find it, and leaves the header as
 * it is. Each node reports a (validator, height, round, type) once; the
 * contract refuses a second record of the same.
 */
static void submit_evidence(node *n, const vote *a, const vote *b)
{
	uint8_t k[33];
	size_t kept = n->nreported < ARRAY_SIZE(n->reported) ? n->nreported : ARRAY_SIZE(n->reported);
	memcpy(k, a->validator, 20);
	for (int i = 0; i < 8; i++)
		k[20 + i] = (uint8_t)(a->height >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		k[28 + i] = (uint8_t)(a->round >> (24 - 8 * i));
	k[32] = a->type;
	for (size_t i = 0; i < kept; i++)
		if (!memcmp(n->reported[i], k, sizeof(k)))
			return;
	memcpy(n->reported[n->nreported++ % ARRAY_SIZE(n->reported)], k, sizeof(k));
	char who[ADDR_STR];
	addr_to_str(who, a->validator);
	fprintf(stderr, "lst-chain: validator %s double-signed %s at height %llu round %u\n", who,
		a->type == VOTE_PREVOTE ? "prevote" : "precommit", (unsigned long long)a->height, a->round);
	if (!n->is_validator)
		return;
	buf va = BUF_INIT, vb = BUF_INIT, data = BUF_INIT;
	vote_encode(&va, a);
	vote_encode(&vb, b);
	abi_value args[2] = {abi_bytes(va.p, va.len), abi_bytes(vb.p, vb.len)};
	pooled_tx *pt = xcalloc(1, sizeof(*pt));
	tx_init(&pt->t);
	account acc;
	if (abi_encode_call(&data, "submit(bytes,bytes)", args, 2) < 0 ||
	    state_get_account(n->writer, &acc, n->validator_addr) < 0)
		goto out;
	pt->t.type = 2;
	pt->t.has_chain_id = true;
	pt->t.chain_id = n->g.chain_id;
	pt->t.nonce = mempool_pending_nonce(n->mp, n->validator_addr, acc.nonce);
	pt->t.max_fee = u256_from_u64(1000000000);
	pt->t.max_priority_fee = u256_from_u64(0);
	pt->t.gas = 200000;
	pt->t.has_to = true;
	memcpy(pt->t.to, EVIDENCE_ADDRESS, 20);
	pt->t.data = xmalloc(data.len + 1);
	memcpy(pt->t.data, data.p, data.len);
	pt->t.data_len = data.len;
	char err[200];
	bool internal;
	if (tx_sign(&pt->t, &pt->raw, n->validator.priv, n->validator_addr) < 0)
		goto out;
	if (node_admit_tx(n, n->writer, err, sizeof(err), &internal, pt, -1) < 0)
		fprintf(stderr, "lst-chain: evidence not submitted: %s\n", err);
	pt = NULL;
out:
	if (pt)
		pooled_tx_free(pt);
	buf_free(&va);
	buf_free(&vb);
	buf_free(&data);
}

/* ---- blocks ---- */

/* Is b the next block after head? NULL if so, else why not. */
static const char *check_block(node *n, const fullblock *b)
{
	const block_header *h = &b->h;
	if (h->height != n->head.h.height + 1)
		return "not the next height";
	if (memcmp(h->parent, n->head.hash, 32))
		return "parent is not this node's head";
	if (h->time <= n->head.h.time)
		return "time is not later than the parent's";
	if (memcmp(h->app_hash, n->app_hash, 32))
		return "app hash differs from this node's state";
	if (memcmp(h->validators_hash, n->vs.hash, 32))
		return "validators hash differs";
	if (valset_index(&n->vs, h->proposer) < 0)
		return "proposer is not a validator";
	if (b->ntx > n->max_block_txs)
		return "too many transactions";
	if (h->height == 1)
		return b->has_last_commit ? "block 1 carries a commit" : NULL;
	if (!b->has_last_commit)
		return "no commit for the parent";
	if (valset_verify_commit(&n->vs_prev, n->g.chain_id, n->head.h.height, n->head.hash, &b->last_commit) < 0)
		return "the parent's commit does not verify";
	return NULL;
}

static void encode_skipped(buf *out, const fullblock *b, const exec_tx_result *res)
{
	size_t l = rlp_list_begin(out), k = 0;
	for (size_t i = 0; i < b->ntx; i++)
		if (!res[i].included) {
			size_t e = rlp_list_begin(out);
			rlp_put_u64(out, i);
			rlp_put_bytes(out, b->txs[i]->raw.p, b->txs[i]->raw.len);
			rlp_list_end(out, e);
			k++;
		}
	rlp_list_end(out, l);
	if (!k)
		buf_reset(out);
}

/* Validator set updates the block requested, in force at height + 2. */
static int apply_valset_updates(node *n, uint64_t height)
{
	uint8_t key[12];
	buf v = BUF_INIT;
	validators_update_key(key, height + 2);
	int r = state_storage_get(n->writer, &v, VALIDATORS_ADDRESS, key, sizeof(key));
	if (r != 0) {
		buf_free(&v);
		return r < 0 ? -1 : 0;
	}
	validator_update *u = NULL;
	size_t nu = 0;
	valset cur, next;
	r = validators_parse_updates(&u, &nu, v.p, v.len);
	buf_free(&v);
	if (r < 0)
		return diag_error(LST_EFAIL, "malformed validator update at height %llu", (unsigned long long)height);
	if (load_valset(n->writer, &cur, height + 1) < 0) {
		free(u);
		return -1;
	}
	uint8_t (*addrs)[20] = xmalloc((nu + 1) * 20);
	uint64_t *powers = xmalloc((nu + 1) * sizeof(uint64_t));
	for (size_t i = 0; i < nu; i++) {
		memcpy(addrs[i], u[i].address, 20);
		powers[i] = u[i].power;
	}
	r = valset_apply(&next, &cur, (const uint8_t (*)[20])addrs, powers, nu);
	if (r == 0) {
		buf e = BUF_INIT;
		valset_encode(&e, &next);
		r = state_valset_put(n->writer, height + 2, e.p, e.len);
		buf_free(&e);
		fprintf(stderr, "lst-chain: validator set changes at height %llu: %zu validators, power %llu\n",
			(unsigned long long)(height + 2), next.n, (unsigned long long)next.total);
		valset_free(&next);
	}
	valset_free(&cur);
	free(addrs);
	free(powers);
	free(u);
	return r;
}

/* Execute and commit b with commit c; the node's head moves to it. */
static int apply_block(node *n, fullblock *b, const commit *c)
{
	uint64_t t0 = now_ms();
	size_t ntx = b->ntx;
	exec_tx_result *res = xcalloc(ntx + 1, sizeof(*res));
	uint8_t app_hash[32];
	block_info bi;
	memset(&bi, 0, sizeof(bi));
	bi.h = b->h;
	memcpy(bi.hash, b->hash, 32);
	exec_block_info info = {b->h.height, b->h.time, n->g.supply, n->g.chain_id, n->g.foundation,
				n->g.service_fee_bps, &n->g.listing_fee, n->g.subscription_period};
	buf cb = BUF_INIT, lc = BUF_INIT, sk = BUF_INIT;
	int r = state_begin(n->writer);
	if (r == 0)
		r = exec_block(n->writer, res, app_hash, &info, b->txs, ntx, n->app_hash);
	for (size_t i = 0; r == 0 && i < ntx; i++)
		if (res[i].included) {
			bi.ntx++;
			bi.gas_used += res[i].gas_used;
		}
	if (r == 0) {
		commit_encode(&cb, c);
		encode_skipped(&sk, b, res);
		r = state_put_block(n->writer, &bi, cb.p, cb.len, sk.len ? sk.p : NULL, sk.len);
	}
	if (r == 0 && b->has_last_commit) {
		commit_encode(&lc, &b->last_commit);
		r = state_set_commit(n->writer, b->h.height - 1, lc.p, lc.len);
	}
	if (r == 0)
		r = state_meta_put(n->writer, "app_hash", app_hash, 32);
	if (r == 0)
		r = apply_valset_updates(n, b->h.height);
	if (r == 0)
		r = state_commit(n->writer);
	buf_free(&cb);
	buf_free(&lc);
	buf_free(&sk);
	if (r < 0) {
		state_rollback(n->writer);
		free(res);
		return diag_error(LST_EFAIL, "block %llu was not committed", (unsigned long long)b->h.height);
	}
	valset nvs;
	if (load_valset(n->writer, &nvs, b->h.height + 1) == 0) {
		valset_free(&n->vs_prev);
		n->vs_prev = n->vs; /* the set of this block signs its commit */
		n->vs = nvs;
	}
	pthread_mutex_lock(&n->head_lock);
	n->head = bi;
	memcpy(n->app_hash, app_hash, 32);
	pthread_cond_broadcast(&n->head_cond);
	pthread_mutex_unlock(&n->head_lock);
	/* Tell the mempool every touched sender's real nonce. */
	for (size_t i = 0; i < ntx; i++) {
		account a;
		const uint8_t *from = b->txs[i]->t.from;
		bool later = false;
		for (size_t j = i + 1; j < ntx && j < i + 64 && !later; j++)
			later = !memcmp(b->txs[j]->t.from, from, 20);
		if (later)
			continue; /* update once, after the sender's last in a run */
		if (state_get_account(n->writer, &a, from) == 0)
			mempool_committed(n->mp, from, a.nonce);
	}
	free(res);
	if (ntx || b->h.height % 60 == 0)
		fprintf(stderr, "lst-chain: block %llu: %llu txs, round %u, applied in %llu ms\n",
			(unsigned long long)b->h.height, (unsigned long long)bi.ntx, c->round,
			(unsigned long long)(now_ms() - t0));
	return 0;
}

/* ---- consensus callbacks ---- */

static cs_value *cb_get_value(void *ctx, uint64_t height, uint32_t round)
{
	node *n = ctx;
	(void)round;
	pooled_tx **txs;
	size_t ntx = mempool_peek(n->mp, &txs, n->max_block_txs);
	block_header h;
	memset(&h, 0, sizeof(h));
	h.chain_id = n->g.chain_id;
	h.height = height;
	uint64_t now = now_ms() / 1000;
	h.time = now > n->head.h.time ? now : n->head.h.time + 1; /* strictly later than the parent */
	memcpy(h.parent, n->head.hash, 32);
	memcpy(h.app_hash, n->app_hash, 32);
	memcpy(h.validators_hash, n->vs.hash, 32);
	memcpy(h.proposer, n->validator_addr, 20);
	commit last, *lp = NULL;
	buf cb = BUF_INIT;
	if (height > 1) {
		if (state_block_commit(n->writer, &cb, height - 1) != 0 || commit_decode(&last, cb.p, cb.len) < 0) {
			buf_free(&cb);
			for (size_t i = 0; i < ntx; i++)
				pooled_tx_free(txs[i]);
			free(txs);
			return NULL;
		}
		lp = &last;
	}
	fullblock *b = fullblock_new(&h, lp, txs, ntx);
	if (lp)
		commit_free(&last);
	buf_free(&cb);
	return b;
}

static void cb_ref(void *ctx, cs_value *v)
{
	(void)ctx;
	fullblock_ref(v);
}

static void cb_unref(void *ctx, cs_value *v)
{
	(void)ctx;
	fullblock_unref(v);
}

static const uint8_t *cb_hash(void *ctx, const cs_value *v)
{
	(void)ctx;
	return v->hash;
}

static int cb_sign_vote(void *ctx, vote *v)
{
	node *n = ctx;
	int r = privval_sign_vote(&n->pv, v, n->validator.priv, n->validator_addr);
	if (r < 0)
		diag_status();
	return r;
}

static int cb_sign_proposal(void *ctx, proposal *p)
{
	node *n = ctx;
	return privval_sign_proposal(&n->pv, p, n->validator.priv, n->validator_addr);
}

static void proposal_payload(buf *out, const proposal *p, const fullblock *b)
{
	size_t l = rlp_list_begin(out);
	buf pe = BUF_INIT;
	proposal_encode(&pe, p);
	rlp_put_bytes(out, pe.p, pe.len);
	rlp_put_bytes(out, b->wire.p, b->wire.len);
	rlp_list_end(out, l);
	buf_free(&pe);
}

static void cb_send_proposal(void *ctx, const proposal *p, cs_value *v)
{
	node *n = ctx;
	buf m = BUF_INIT;
	proposal_payload(&m, p, v);
	if (!n->byzantine) {
		p2p_broadcast(n->net, P2P_PROPOSAL, m.p, m.len, -1);
	} else {
		/* Test builds: a conflicting block (one second later) to every other peer. */
		block_header h = v->h;
		h.time++;
		pooled_tx **txs = xmalloc((v->ntx + 1) * sizeof(*txs));
		size_t k = 0;
		for (size_t i = 0; i < v->ntx; i++) {
			pooled_tx *t = xcalloc(1, sizeof(*t));
			char err[64];
			buf_add(&t->raw, v->txs[i]->raw.p, v->txs[i]->raw.len);
			if (tx_decode_trusted(&t->t, err, sizeof(err), t->raw.p, t->raw.len, v->txs[i]->t.from) == 0)
				txs[k++] = t;
			else
				pooled_tx_free(t);
		}
		fullblock *alt = fullblock_new(&h, v->has_last_commit ? &v->last_commit : NULL, txs, k);
		proposal q = *p;
		memcpy(q.block_hash, alt->hash, 32);
		buf m2 = BUF_INIT;
		if (proposal_sign(&q, n->validator.priv, n->validator_addr) == 0)
			proposal_payload(&m2, &q, alt);
		for (size_t i = 0; i < p2p_count(n->net); i++)
			if (i % 2 == 0 || !m2.len)
				p2p_send(n->net, i, P2P_PROPOSAL, m.p, m.len);
			else
				p2p_send(n->net, i, P2P_PROPOSAL, m2.p, m2.len);
		buf_free(&m2);
		fullblock_unref(alt);
	}
	buf_free(&m);
}

static void cb_send_vote(void *ctx, const vote *v)
{
	node *n = ctx;
	buf m = BUF_INIT;
	vote_encode(&m, v);
	p2p_broadcast(n->net, P2P_VOTE, m.p, m.len, -1);
	static const uint8_t zero[32];
	if (n->byzantine && v->type == VOTE_PREVOTE && memcmp(v->block_hash, zero, 32)) {
		/* Test builds: a second prevote for another block, signed without the guard. */
		vote w = *v;
		keccak256(w.block_hash, v->block_hash, 32);
		buf_reset(&m);
		if (vote_sign(&w, n->validator.priv, n->validator_addr) == 0) {
			vote_encode(&m, &w);
			p2p_broadcast(n->net, P2P_VOTE, m.p, m.len, -1);
		}
	}
	buf_free(&m);
}

static void cb_decide(void *ctx, cs_value *v, const commit *c)
{
	node *n = ctx;
	if (apply_block(n, v, c) < 0) {
		diag_status();
		n->stop = 1; /* the database failed: stop rather than diverge */
	}
	n->decided = true;
}

static void cb_evidence(void *ctx, const vote *a, const vote *b)
{
	submit_evidence(ctx, a, b);
}

int node_start(node *n)
{
	n->net = p2p_new(n->rpc_url, n->peers, n->home);
	cs_app app = {n,	     cb_get_value,     cb_ref,		 cb_unref,    cb_hash,	  cb_sign_vote,
		      cb_sign_proposal, cb_send_proposal, cb_send_vote, cb_decide, cb_evidence};
	n->cs = cs_new(&app, &n->timeouts, n->g.chain_id, n->is_validator ? n->validator_addr : NULL);
	return sync_start(n);
}

/* ---- the inbox ---- */

static void enqueue(node *n, node_event *e)
{
	pthread_mutex_lock(&n->in_lock);
	if (n->in_len >= MAX_INBOX && e->kind != EV_SYNC) {
		pthread_mutex_unlock(&n->in_lock);
		fullblock_unref(e->b);
		free(e);
		return;
	}
	e->next = NULL;
	if (n->in_tail)
		n->in_tail->next = e;
	else
		n->in_head = e;
	n->in_tail = e;
	n->in_len++;
	pthread_cond_signal(&n->in_cond);
	pthread_mutex_unlock(&n->in_lock);
}

int node_apply_synced(node *n, fullblock *b, const commit *c)
{
	node_event *e = xcalloc(1, sizeof(*e));
	int result = 2;
	e->kind = EV_SYNC;
	e->b = b;
	e->c = *c;
	e->c.votes = xmalloc((c->nvotes + 1) * sizeof(vote));
	memcpy(e->c.votes, c->votes, c->nvotes * sizeof(vote));
	e->result = &result;
	enqueue(n, e);
	pthread_mutex_lock(&n->sync_lock);
	while (result == 2 && !n->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&n->sync_cond, &n->sync_lock, &ts);
	}
	pthread_mutex_unlock(&n->sync_lock);
	return result == 2 ? -1 : result;
}

typedef struct {
	node *n;
	state *st;
	int from;
} msg_ctx;

/*
 * Proposals are re-sent every timeout with their whole block: decode a
 * block once. Only proposals this node keeps (up to the height after
 * next; later ones are dropped unread) are remembered.
 */
static bool seen_proposal(node *n, const proposal *p)
{
	block_info h;
	node_head(n, &h);
	if (p->height > h.h.height + 2)
		return false;
	bool hit = false;
	pthread_mutex_lock(&n->seen_lock);
	for (size_t i = 0; i < ARRAY_SIZE(n->seen) && !hit; i++)
		hit = n->seen[i].height == p->height && n->seen[i].round == p->round &&
		      !memcmp(n->seen[i].hash, p->block_hash, 32) && !memcmp(n->seen[i].proposer, p->proposer, 20);
	if (!hit) {
		size_t k = n->nseen++ % ARRAY_SIZE(n->seen);
		n->seen[k].height = p->height;
		n->seen[k].round = p->round;
		memcpy(n->seen[k].hash, p->block_hash, 32);
		memcpy(n->seen[k].proposer, p->proposer, 20);
	}
	pthread_mutex_unlock(&n->seen_lock);
	return hit;
}

static void on_msg(void *ctx, int kind, const uint8_t *p, size_t len)
{
	msg_ctx *m = ctx;
	node *n = m->n;
	if (kind == P2P_VOTE) {
		node_event *e = xcalloc(1, sizeof(*e));
		e->kind = EV_VOTE;
		if (vote_decode(&e->v, p, len) < 0 || e->v.chain_id != n->g.chain_id) {
			free(e);
			return;
		}
		enqueue(n, e);
	} else if (kind == P2P_PROPOSAL) {
		rlp_item top, f[2];
		size_t k;
		char err[160];
		node_event *e = xcalloc(1, sizeof(*e));
		e->kind = EV_PROPOSAL;
		if (rlp_decode(&top, p, len) < 0 || rlp_list_items(f, 2, &k, &top) < 0 || k != 2 || f[0].list ||
		    f[1].list || proposal_decode(&e->p, f[0].p, f[0].len) < 0 || e->p.chain_id != n->g.chain_id ||
		    seen_proposal(n, &e->p) ||
		    fullblock_decode(&e->b, err, sizeof(err), f[1].p, f[1].len, n->mp, n->g.chain_id,
				     n->max_block_txs) < 0) {
			free(e);
			return;
		}
		enqueue(n, e);
	} else if (kind == P2P_TXS) {
		uint8_t hash[32], from[20];
		keccak256(hash, p, len);
		if (mempool_sender(n->mp, from, hash) == 0)
			return; /* known: no second signature recovery */
		pooled_tx *pt = xcalloc(1, sizeof(*pt));
		char err[200];
		bool internal;
		buf_add(&pt->raw, p, len);
		if (tx_decode(&pt->t, err, sizeof(err), pt->raw.p, pt->raw.len) < 0) {
			pooled_tx_free(pt);
			return;
		}
		if (node_admit_tx(n, m->st, err, sizeof(err), &internal, pt, m->from) < 0)
			return;
	}
}

void node_p2p_msg(node *n, state *st, const uint8_t *body, size_t len, const char *from_url)
{
	if (!n->net || p2p_dropped(n->net, from_url))
		return;
	msg_ctx m = {n, st, from_url ? p2p_find(n->net, from_url) : -1};
	if (p2p_parse(body, len, on_msg, &m) < 0)
		return;
}

/* ---- the consensus thread ---- */

static uint64_t event_height(const node_event *e)
{
	return e->kind == EV_VOTE ? e->v.height : e->kind == EV_PROPOSAL ? e->p.height : e->b->h.height;
}

static void handle(node *n, node_event *e, uint64_t now)
{
	uint64_t h = cs_height(n->cs), eh = event_height(e);
	bool waiting = cs_decided(n->cs) || h != n->head.h.height + 1; /* between heights */
	if (e->kind == EV_SYNC) {
		const char *why = check_block(n, e->b);
		int r = e->b->h.height <= n->head.h.height ? 1 : -1;
		if (!why && valset_verify_commit(&n->vs, n->g.chain_id, e->b->h.height, e->b->hash, &e->c) < 0)
			why = "its commit does not verify";
		if (r == 1) {
			/* consensus got there first */
		} else if (why) {
			if (e->b->h.height == n->head.h.height + 1)
				fprintf(stderr, "lst-chain: refused synced block %llu: %s\n",
					(unsigned long long)e->b->h.height, why);
		} else {
			r = apply_block(n, e->b, &e->c);
			n->decided = r == 0;
		}
		pthread_mutex_lock(&n->sync_lock);
		*e->result = r;
		pthread_cond_broadcast(&n->sync_cond);
		pthread_mutex_unlock(&n->sync_lock);
	} else if (eh > n->head.h.height + 1) {
		if (eh == n->head.h.height + 2 && n->nfuture < MAX_FUTURE) {
			n->future[n->nfuture++] = e;
			e = NULL;
		}
		if (eh > n->head.h.height + 1)
			sync_wake(n, eh - 1);
	} else if (!waiting && eh == h) {
		if (e->kind == EV_VOTE) {
			cs_on_vote(n->cs, &e->v, now);
		} else {
			bool valid = !check_block(n, e->b);
			cs_on_proposal(n->cs, &e->p, e->b, valid, now);
		}
	} else if (waiting && eh == n->head.h.height + 1 && n->nfuture < MAX_FUTURE) {
		n->future[n->nfuture++] = e; /* the next height has not started here yet */
		e = NULL;
	}
	if (e) {
		fullblock_unref(e->b);
		commit_free(&e->c);
		free(e);
	}
}

static void start_height(node *n, uint64_t now)
{
	uint64_t h = n->head.h.height + 1;
	uint32_t round = 0;
	int32_t locked = -1;
	const uint8_t *lh = NULL;
	if (n->is_validator && n->pv.height == h) {
		round = n->pv.round; /* resume where this validator last signed */
		if (n->pv.locked_height == h) {
			locked = (int32_t)n->pv.locked_round;
			lh = n->pv.locked_hash;
		}
	}
	cs_start_height(n->cs, h, &n->vs, now, round, locked, lh);
	if (n->is_validator) {
		/* What this validator signed here before a restart counts, and goes out again. */
		vote mine[PV_KEEP];
		size_t k = privval_votes(&n->pv, mine, PV_KEEP, h, n->validator_addr);
		for (size_t i = 0; i < k; i++) {
			cb_send_vote(n, &mine[i]);
			cs_on_vote(n->cs, &mine[i], now);
		}
	}
	/* Replay what arrived early, for this height. */
	size_t k = n->nfuture;
	node_event **early = xmalloc((k + 1) * sizeof(*early));
	memcpy(early, n->future, k * sizeof(*early));
	n->nfuture = 0;
	for (size_t i = 0; i < k; i++)
		handle(n, early[i], now);
	free(early);
}

int node_run(node *n)
{
	uint64_t now = now_ms();
	uint64_t start_at = now, last_start = 0, next_rebroadcast = now + n->timeouts.propose_ms;
	bool pending = true;
	size_t last_ntx = 0;
	while (!n->stop) {
		now = now_ms();
		if (pending && (now >= start_at || last_ntx >= n->max_block_txs)) {
			pending = false;
			last_start = now;
			n->decided = false;
			start_height(n, now);
		}
		node_event *batch = NULL;
		pthread_mutex_lock(&n->in_lock);
		batch = n->in_head;
		n->in_head = n->in_tail = NULL;
		n->in_len = 0;
		pthread_mutex_unlock(&n->in_lock);
		while (batch) {
			node_event *e = batch;
			batch = batch->next;
			handle(n, e, now_ms());
		}
		if (!pending)
			cs_tick(n->cs, now_ms());
		now = now_ms();
		if (now >= next_rebroadcast) {
			cs_rebroadcast(n->cs);
			next_rebroadcast = now + n->timeouts.propose_ms;
		}
		if (n->decided && !pending) {
			/* Tendermint's timeout_commit: the next height starts one interval after this one did. */
			n->decided = false;
			pending = true;
			last_ntx = n->head.ntx;
			start_at = last_start + n->block_ms > now ? last_start + n->block_ms : now;
			continue;
		}
		uint64_t wake = pending ? start_at : cs_deadline(n->cs);
		if (wake > next_rebroadcast)
			wake = next_rebroadcast;
		if (wake > now + 50)
			wake = now + 50;
		pthread_mutex_lock(&n->in_lock);
		if (!n->in_head && wake > now) {
			struct timespec ts = {(time_t)(wake / 1000), (long)(wake % 1000) * 1000000L};
			pthread_cond_timedwait(&n->in_cond, &n->in_lock, &ts);
		}
		pthread_mutex_unlock(&n->in_lock);
	}
	return 0;
}
