/*
 * sync.c: block sync, and the peer endpoints that serve it (see node.h).
 *
 * The sync thread asks every peer for its status a few times a second
 * (sooner when the consensus thread sees messages from a later height),
 * and when one is ahead it fetches the missing blocks with their commits
 * in batches; a peer of another chain (chain id or genesis hash) is
 * reported once and never synced from. Each block is decoded here (signatures recovered off the
 * consensus thread) and handed to the consensus thread, which checks it
 * against its head, verifies the commit's 2/3+ signatures against the
 * validator set of that height, and applies it. A peer that serves a bad
 * block is skipped for the rest of that pass; nothing it sent is applied.
 */
#include "lst.h"
#include "node.h"
#include "diag.h"
#include "hex.h"
#include "jsonio.h"
#include "rlp.h"

#include <time.h>

#define SYNC_BATCH 64
#define POLL_MS 250
#define MAX_SERVE (16u << 20)

char *node_p2p_status(node *n)
{
	block_info h;
	node_head(n, &h);
	char hash[67], gh[67];
	hex_encode(hash, h.hash, 32);
	hex_encode(gh, n->g.hash, 32);
	return xasprintf("{\"chain_id\":%llu,\"genesis_hash\":\"%s\",\"height\":%llu,\"hash\":\"%s\"}\n",
			 (unsigned long long)n->g.chain_id, gh, (unsigned long long)h.h.height, hash);
}

/* The block's transactions in proposed order: the executed ones and the skipped ones. */
static int body_raws(state *st, buf **raws, size_t *n, const block_info *b)
{
	tx_row *rows = NULL;
	size_t nrows = 0;
	buf sk = BUF_INIT;
	if (state_block_txs(st, &rows, &nrows, b->h.height) < 0 || state_block_skipped(st, &sk, b->h.height) < 0) {
		buf_free(&sk);
		return -1;
	}
	rlp_item top, it, f[2];
	size_t pos = 0, m, total = nrows, next_row = 0;
	uint64_t *spos = NULL;
	rlp_item *sraw = NULL;
	size_t ns = 0;
	if (sk.len && rlp_decode(&top, sk.p, sk.len) == 0 && top.list) {
		while (rlp_next(&it, &top, &pos) == 1) {
			spos = xrealloc(spos, (ns + 1) * sizeof(*spos));
			sraw = xrealloc(sraw, (ns + 1) * sizeof(*sraw));
			if (rlp_list_items(f, 2, &m, &it) < 0 || m != 2 || rlp_to_u64(&spos[ns], &f[0]) < 0)
				break;
			sraw[ns++] = f[1];
		}
	}
	total += ns;
	*raws = xcalloc(total + 1, sizeof(buf));
	size_t k = 0;
	for (size_t i = 0; i < total; i++) {
		if (k < ns && spos[k] == i) {
			buf_add(&(*raws)[i], sraw[k].p, sraw[k].len);
			k++;
		} else if (next_row < nrows) {
			buf_add(&(*raws)[i], rows[next_row].raw.p, rows[next_row].raw.len);
			next_row++;
		}
	}
	*n = total;
	for (size_t i = 0; i < nrows; i++)
		tx_row_free(&rows[i]);
	free(rows);
	free(spos);
	free(sraw);
	buf_free(&sk);
	return 0;
}

int node_p2p_blocks(node *n, state *st, buf *out, uint64_t from, uint64_t count)
{
	(void)n;
	size_t l = rlp_list_begin(out);
	for (uint64_t h = from; h < from + count && out->len < MAX_SERVE; h++) {
		block_info b;
		buf c = BUF_INIT, lc = BUF_INIT, wire = BUF_INIT;
		buf *raws = NULL;
		size_t nr = 0;
		int r = h ? state_block(st, &b, h) : 1;
		if (r != 0)
			break;
		if (state_block_commit(st, &c, h) != 0 || (h > 1 && state_block_commit(st, &lc, h - 1) != 0) ||
		    body_raws(st, &raws, &nr, &b) < 0) {
			buf_free(&c);
			buf_free(&lc);
			break;
		}
		fullblock_encode_parts(&wire, &b.h, raws, nr, lc.p, h > 1 ? lc.len : 0);
		size_t e = rlp_list_begin(out);
		rlp_put_bytes(out, wire.p, wire.len);
		rlp_put_bytes(out, c.p, c.len);
		rlp_list_end(out, e);
		for (size_t i = 0; i < nr; i++)
			buf_free(&raws[i]);
		free(raws);
		buf_free(&c);
		buf_free(&lc);
		buf_free(&wire);
	}
	rlp_list_end(out, l);
	return 0;
}

void sync_wake(node *n, uint64_t height)
{
	pthread_mutex_lock(&n->sync_lock);
	if (height > n->sync_hint)
		n->sync_hint = height;
	pthread_cond_broadcast(&n->sync_cond);
	pthread_mutex_unlock(&n->sync_lock);
}

/* Fetch and apply blocks from peer i, from our head + 1 up to its height. */
static void pull(node *n, size_t i, uint64_t their)
{
	buf body = BUF_INIT;
	for (;;) {
		block_info head;
		node_head(n, &head);
		if (head.h.height >= their || n->stop)
			break;
		uint64_t count = their - head.h.height < SYNC_BATCH ? their - head.h.height : SYNC_BATCH;
		char path[96];
		snprintf(path, sizeof(path), "/p2p/blocks?from=%llu&count=%llu", (unsigned long long)(head.h.height + 1),
			 (unsigned long long)count);
		rlp_item top, it, f[2];
		size_t pos = 0, m;
		if (p2p_get(n->net, i, &body, path) < 0 || rlp_decode(&top, body.p, body.len) < 0 || !top.list)
			break;
		size_t applied = 0;
		bool bad = false;
		while (!bad && rlp_next(&it, &top, &pos) == 1) {
			fullblock *b;
			commit c;
			char err[160];
			if (rlp_list_items(f, 2, &m, &it) < 0 || m != 2 || f[0].list || f[1].list ||
			    fullblock_decode(&b, err, sizeof(err), f[0].p, f[0].len, n->mp, n->g.chain_id,
					     n->max_block_txs) < 0) {
				bad = true;
				break;
			}
			if (commit_decode(&c, f[1].p, f[1].len) < 0) {
				fullblock_unref(b);
				bad = true;
				break;
			}
			int r = node_apply_synced(n, b, &c);
			if (r < 0 && !n->stop)
				bad = true;
			else if (r == 0)
				applied++;
			commit_free(&c);
		}
		if (bad) {
			fprintf(stderr, "lst-chain: sync: peer %s served a block that does not verify\n", p2p_url(n->net, i));
			break;
		}
		if (!applied)
			break;
	}
	buf_free(&body);
}

static void *sync_main(void *arg)
{
	node *n = arg;
	buf body = BUF_INIT;
	uint64_t warned = 0; /* peers already reported as on another chain */
	while (!n->stop) {
		pthread_mutex_lock(&n->sync_lock);
		block_info head;
		node_head(n, &head);
		if (n->sync_hint <= head.h.height && !n->stop) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += POLL_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&n->sync_cond, &n->sync_lock, &ts);
		}
		pthread_mutex_unlock(&n->sync_lock);
		if (n->stop)
			break;
		for (size_t i = 0; i < p2p_count(n->net) && !n->stop; i++) {
			if (p2p_get(n->net, i, &body, "/p2p/status") < 0)
				continue;
			json_error_t e;
			json_t *j = json_loadb((const char *)body.p, body.len, 0, &e);
			json_t *h = json_object_get(j, "height"), *cid = json_object_get(j, "chain_id");
			const char *gh = json_string_value(json_object_get(j, "genesis_hash"));
			uint8_t g[32];
			bool ours = json_is_integer(cid) && (uint64_t)json_integer_value(cid) == n->g.chain_id && gh &&
				    hex_decode(g, 32, gh) == 0 && !memcmp(g, n->g.hash, 32);
			if (!ours && i < 64 && !(warned & (UINT64_C(1) << i))) {
				warned |= UINT64_C(1) << i; /* say it once, then skip it quietly */
				fprintf(stderr, "lst-chain: sync: peer %s is on another chain (genesis %s): ignored\n",
					p2p_url(n->net, i), gh ? gh : "unknown");
			}
			if (json_is_integer(h) && ours) {
				uint64_t their = (uint64_t)json_integer_value(h);
				p2p_seen(n->net, i, their);
				node_head(n, &head);
				if (their > head.h.height)
					pull(n, i, their);
			}
			json_decref(j);
		}
		node_head(n, &head);
		pthread_mutex_lock(&n->sync_lock);
		if (n->sync_hint <= head.h.height + 1)
			n->sync_hint = 0;
		pthread_mutex_unlock(&n->sync_lock);
	}
	buf_free(&body);
	return NULL;
}

int sync_start(node *n)
{
	if (pthread_create(&n->sync_thread, NULL, sync_main, n) != 0)
		return diag_error(LST_EFAIL, "cannot start the sync thread");
	n->sync_running = true;
	return 0;
}

void sync_stop(node *n)
{
	if (!n->sync_running)
		return;
	n->stop = 1;
	sync_wake(n, 0);
	pthread_join(n->sync_thread, NULL);
	n->sync_running = false;
}
