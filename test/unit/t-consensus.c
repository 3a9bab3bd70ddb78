/*
 * The Tendermint state machine (lib/consensus.c) driven as N instances
 * over a simulated network: deterministic (seeded delays and losses,
 * simulated time), every message encoded and decoded (signatures
 * recovered) as the real node does, every commit verified.
 *
 * The harness plays lib/node.c: it keeps messages for the next height
 * until the node starts it, starts the next height a little after a
 * decision, calls cs_rebroadcast periodically (and, as Tendermint gossips
 * LastCommit, re-sends the precommits of the last decided height), and
 * when cs_missing_block names a block that was decided elsewhere, fetches
 * it with its commit, verifies the commit and moves on (block sync).
 */
#include "lst.h"
#include "unit.h"
#include "consensus.h"
#include "valset.h"
#include "privval.h"
#include "block.h"
#include "keccak.h"
#include "secp.h"
#include "diag.h"

#include <sys/stat.h>
#include <unistd.h>

#define CHAIN 4242
#define NKEYS 12
#define MAXN 9
#define MAXH 200
#define OUTSIDER (NKEYS - 1) /* a key that is never a validator */

static const uint8_t nil_hash[32];
static uint8_t keys[NKEYS][32], addrs[NKEYS][20];

static void keys_init(void)
{
	for (int i = 0; i < NKEYS; i++) {
		char s[64];
		int n = snprintf(s, sizeof(s), "lst-t-consensus-key-%d", i);
		keccak256(keys[i], (const uint8_t *)s, (size_t)n);
		if (!secp_seckey_valid(keys[i]) || secp_address_from_priv(addrs[i], keys[i]) < 0)
			abort();
	}
}

/* ---- values (the caller's blocks) ---- */

struct cs_value {
	int refs;
	uint8_t hash[32];
	uint64_t height;
	uint32_t round;
	bool valid;
};

static long live_values, bad_refs;
static uint64_t value_nonce;

static cs_value *value_new(uint64_t h, uint32_t r, int proposer, bool valid)
{
	cs_value *v = xcalloc(1, sizeof(*v));
	char s[96];
	int n = snprintf(s, sizeof(s), "%llu|%u|%d|%llu", (unsigned long long)h, r, proposer,
			 (unsigned long long)++value_nonce);
	keccak256(v->hash, (const uint8_t *)s, (size_t)n);
	v->refs = 1;
	v->height = h;
	v->round = r;
	v->valid = valid;
	live_values++;
	return v;
}

static void vref(cs_value *v)
{
	if (v->refs <= 0)
		bad_refs++;
	v->refs++;
}

static void vunref(cs_value *v)
{
	if (v->refs <= 0) {
		bad_refs++;
		return;
	}
	if (--v->refs == 0) {
		free(v);
		live_values--;
	}
}

/* ---- the simulated network ---- */

typedef struct {
	uint64_t at, seq;
	int from, to;
	bool is_prop;
	uint8_t *bytes;
	size_t len;
	cs_value *v;
} msg;

typedef struct sim sim;

typedef struct {
	sim *s;
	int id, key;
	uint8_t priv[32], addr[20];
	cs *c;
	bool up, started, byz, use_pv;
	privval pv;
	const char *pv_path;
	uint64_t height;
	uint64_t start_at; /* 0: none; else start height + 1 then */
	uint64_t next_rb;
	int ndecided[MAXH];
	uint32_t dround[MAXH];
	vote *last_votes; /* precommits of the last decision, gossiped */
	size_t nlast;
	uint64_t last_h;
	vote *sent;
	size_t nsent;
	proposal *sentp;
	size_t nsentp;
	msg *fut; /* messages for a later height */
	size_t nfut;
} node;

struct sim {
	int n;       /* nodes (validators first, then observers) */
	node nd[MAXN];
	valset vs;
	cs_timeouts to;
	uint64_t now, rng, seq;
	msg *q;
	size_t nq;
	int drop_pct;
	unsigned dmin, dmax;
	int group[MAXN];
	bool manual;          /* send_* only record */
	bool drop_proposals;  /* for the round-skip scenario */
	uint64_t start_delay, rb_every;
	/* what was decided, by anyone, first */
	bool have[MAXH];
	uint8_t hash[MAXH][32];
	cs_value *val[MAXH];
	commit cm[MAXH];
	int disagree, double_decide, bad_commit, decisions, synced, late_round, bad_decode, refused_signs;
	int evid, evid_bad, evid_honest;
	int byz;              /* node id of the byzantine validator, -1 none */
	bool immediate;       /* start the next height inside the decide callback */
};

static uint64_t rnd(sim *s)
{
	uint64_t x = s->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * UINT64_C(2685821657736338717);
}

static void enqueue(sim *s, int from, int to, bool is_prop, const buf *b, cs_value *v)
{
	if (s->drop_pct && (int)(rnd(s) % 100) < s->drop_pct)
		return;
	s->q = xrealloc(s->q, (s->nq + 1) * sizeof(msg));
	msg *m = &s->q[s->nq++];
	m->at = s->now + s->dmin + rnd(s) % (s->dmax - s->dmin + 1);
	m->seq = s->seq++;
	m->from = from;
	m->to = to;
	m->is_prop = is_prop;
	m->len = b->len;
	m->bytes = xmalloc(b->len);
	memcpy(m->bytes, b->p, b->len);
	m->v = v;
	if (v)
		vref(v);
}

static void msg_free(msg *m)
{
	free(m->bytes);
	if (m->v)
		vunref(m->v);
}

static void send_vote_to(sim *s, int from, int to, const vote *v)
{
	buf b = BUF_INIT;
	vote_encode(&b, v);
	enqueue(s, from, to, false, &b, NULL);
	buf_free(&b);
}

static void send_prop_to(sim *s, int from, int to, const proposal *p, cs_value *v)
{
	buf b = BUF_INIT;
	proposal_encode(&b, p);
	enqueue(s, from, to, true, &b, v);
	buf_free(&b);
}

/* ---- callbacks ---- */

static cs_value *cb_get_value(void *ctx, uint64_t height, uint32_t round)
{
	node *n = ctx;
	return value_new(height, round, n->id, true);
}

static void cb_ref(void *ctx, cs_value *v)
{
	vref(v);
}

static void cb_unref(void *ctx, cs_value *v)
{
	vunref(v);
}

static const uint8_t *cb_hash(void *ctx, const cs_value *v)
{
	return v->hash;
}

static int cb_sign_vote(void *ctx, vote *v)
{
	node *n = ctx;
	if (n->use_pv) {
		int r = privval_sign_vote(&n->pv, v, n->priv, n->addr);
		if (r)
			n->s->refused_signs++;
		return r ? -1 : 0;
	}
	return vote_sign(v, n->priv, n->addr) < 0 ? -1 : 0;
}

static int cb_sign_proposal(void *ctx, proposal *p)
{
	node *n = ctx;
	if (n->use_pv) {
		int r = privval_sign_proposal(&n->pv, p, n->priv, n->addr);
		if (r)
			n->s->refused_signs++;
		return r ? -1 : 0;
	}
	return proposal_sign(p, n->priv, n->addr) < 0 ? -1 : 0;
}

/* The byzantine validator: the other peers, rotated by round. */
static int byz_peers(sim *s, node *n, uint32_t round, int *out)
{
	int k = 0;
	for (int j = 0; j < s->n; j++)
		if (j != n->id)
			out[k++] = j;
	for (uint32_t r = 0; r < round % (uint32_t)k; r++) {
		int t = out[0];
		memmove(out, out + 1, (size_t)(k - 1) * sizeof(int));
		out[k - 1] = t;
	}
	return k;
}

static void cb_send_proposal(void *ctx, const proposal *p, cs_value *v)
{
	node *n = ctx;
	sim *s = n->s;
	n->sentp = xrealloc(n->sentp, (n->nsentp + 1) * sizeof(proposal));
	n->sentp[n->nsentp++] = *p;
	if (s->manual)
		return;
	if (n->byz) {
		/* Two proposals for the round: p to half the peers, another block to the rest. */
		cs_value *w = value_new(p->height, p->round, n->id + 100, true);
		proposal p2 = *p;
		p2.pol_round = -1;
		memcpy(p2.block_hash, w->hash, 32);
		if (proposal_sign(&p2, n->priv, n->addr) < 0)
			abort();
		int peers[MAXN], k = byz_peers(s, n, p->round, peers);
		for (int i = 0; i < k; i++) {
			if (i < k / 2)
				send_prop_to(s, n->id, peers[i], p, v);
			else
				send_prop_to(s, n->id, peers[i], &p2, w);
		}
		vunref(w);
		return;
	}
	for (int j = 0; j < s->n; j++)
		if (j != n->id)
			send_prop_to(s, n->id, j, p, v);
}

static void cb_send_vote(void *ctx, const vote *v)
{
	node *n = ctx;
	sim *s = n->s;
	n->sent = xrealloc(n->sent, (n->nsent + 1) * sizeof(vote));
	n->sent[n->nsent++] = *v;
	if (s->manual)
		return;
	if (n->byz && v->type == VOTE_PREVOTE) {
		/* A second prevote for the round: nil if the first was a block, else a made-up block. */
		vote v2 = *v;
		if (memcmp(v->block_hash, nil_hash, 32))
			memset(v2.block_hash, 0, 32);
		else
			keccak256(v2.block_hash, (const uint8_t *)&v->round, sizeof(v->round));
		if (vote_sign(&v2, n->priv, n->addr) < 0)
			abort();
		int peers[MAXN], k = byz_peers(s, n, v->round, peers);
		for (int i = 0; i < k; i++) {
			if (i % 3 == 0)
				send_vote_to(s, n->id, peers[i], v);
			else if (i % 3 == 1)
				send_vote_to(s, n->id, peers[i], &v2);
			else if (v->round % 2) {
				send_vote_to(s, n->id, peers[i], &v2);
				send_vote_to(s, n->id, peers[i], v);
			} else {
				send_vote_to(s, n->id, peers[i], v);
				send_vote_to(s, n->id, peers[i], &v2);
			}
		}
		return;
	}
	for (int j = 0; j < s->n; j++)
		if (j != n->id)
			send_vote_to(s, n->id, j, v);
}

static void node_start(node *n, uint64_t height, uint32_t first_round, int32_t locked_round,
		       const uint8_t *locked_hash);

/* A decision (from consensus, or synced): check it, record it, schedule the next height. */
static void record_decision(node *n, cs_value *v, const commit *c, bool synced)
{
	sim *s = n->s;
	uint64_t h = n->height;
	if (h >= MAXH) {
		for (int i = 0; i < s->n; i++)
			diagf("node %d: height %llu round %u step %d decided %d missing %d up %d", i,
			      (unsigned long long)s->nd[i].height, cs_round(s->nd[i].c), cs_step(s->nd[i].c),
			      cs_decided(s->nd[i].c), cs_missing_block(s->nd[i].c) != NULL, s->nd[i].up);
		fflush(stdout);
		abort();
	}
	if (++n->ndecided[h] > 1)
		s->double_decide++;
	n->dround[h] = c->round;
	if (c->round > 0)
		s->late_round++;
	bool good = c->height == h && !memcmp(c->block_hash, v->hash, 32) && v->height == h &&
		    valset_verify_commit(&s->vs, CHAIN, h, v->hash, c) == 0;
	/* As stored: after commit_encode/commit_decode. */
	buf b = BUF_INIT;
	commit d;
	commit_encode(&b, c);
	good = good && commit_decode(&d, b.p, b.len) == 0 && valset_verify_commit(&s->vs, CHAIN, h, v->hash, &d) == 0;
	commit_free(&d);
	buf_free(&b);
	/* Every vote in the commit is a precommit of the commit's round for the block. */
	for (size_t i = 0; i < c->nvotes; i++)
		good = good && c->votes[i].type == VOTE_PRECOMMIT && c->votes[i].round == c->round &&
		       c->votes[i].height == h && c->votes[i].chain_id == CHAIN &&
		       !memcmp(c->votes[i].block_hash, v->hash, 32) && vote_verify(&c->votes[i]) == 0;
	if (!good)
		s->bad_commit++;
	if (!s->have[h]) {
		s->have[h] = true;
		memcpy(s->hash[h], v->hash, 32);
		s->val[h] = v;
		vref(v);
		s->cm[h] = *c;
		s->cm[h].votes = xmalloc((c->nvotes + 1) * sizeof(vote));
		memcpy(s->cm[h].votes, c->votes, c->nvotes * sizeof(vote));
	} else if (memcmp(s->hash[h], v->hash, 32)) {
		s->disagree++;
		diagf("fork at height %llu: node %d decided another block", (unsigned long long)h, n->id);
	}
	s->decisions++;
	if (synced)
		s->synced++;
	free(n->last_votes);
	n->last_votes = xmalloc((c->nvotes + 1) * sizeof(vote));
	memcpy(n->last_votes, c->votes, c->nvotes * sizeof(vote));
	n->nlast = c->nvotes;
	n->last_h = h;
	n->start_at = s->now + s->start_delay;
	if (n->start_at == 0)
		n->start_at = 1;
}

static void cb_decide(void *ctx, cs_value *v, const commit *c)
{
	node *n = ctx;
	if (!cs_decided(n->c))
		n->s->bad_commit++; /* decide while not decided? */
	record_decision(n, v, c, false);
	if (n->s->immediate)
		node_start(n, n->height + 1, 0, -1, NULL); /* re-entering the state machine */
}

static void cb_evidence(void *ctx, const vote *a, const vote *b)
{
	node *n = ctx;
	sim *s = n->s;
	s->evid++;
	if (memcmp(a->validator, b->validator, 20) || a->type != b->type || a->height != b->height ||
	    a->round != b->round || a->chain_id != b->chain_id || !memcmp(a->block_hash, b->block_hash, 32) ||
	    vote_verify(a) < 0 || vote_verify(b) < 0)
		s->evid_bad++;
	if (s->byz < 0 || memcmp(a->validator, s->nd[s->byz].addr, 20))
		s->evid_honest++;
}

static const cs_app app = {
	NULL, cb_get_value, cb_ref, cb_unref, cb_hash, cb_sign_vote, cb_sign_proposal,
	cb_send_proposal, cb_send_vote, cb_decide, cb_evidence,
};

/* ---- building a network ---- */

/* Validators with these powers (key i gets powers[i]); nodes are in valset order. */
static void sim_init(sim *s, size_t nval, const uint64_t *powers, int observers, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->vs.n = nval;
	s->vs.v = xcalloc(nval + 1, sizeof(*s->vs.v));
	for (size_t i = 0; i < nval; i++) {
		memcpy(s->vs.v[i].address, addrs[i], 20);
		s->vs.v[i].power = powers ? powers[i] : 1;
	}
	if (valset_finish(&s->vs) < 0)
		abort();
	s->n = (int)nval + observers;
	s->to = (cs_timeouts){300, 100, 100, 50};
	s->rng = seed * 2654435761u + 1;
	s->dmin = 5;
	s->dmax = 60;
	s->start_delay = 20;
	s->rb_every = 400;
	s->byz = -1;
	for (int i = 0; i < s->n; i++) {
		node *n = &s->nd[i];
		n->s = s;
		n->id = i;
		if (i < (int)nval) {
			for (n->key = 0; memcmp(addrs[n->key], s->vs.v[i].address, 20); n->key++)
				;
		} else {
			n->key = OUTSIDER - (i - (int)nval);
		}
		memcpy(n->priv, keys[n->key], 32);
		memcpy(n->addr, addrs[n->key], 20);
		n->up = true;
		n->next_rb = s->rb_every / 2 + (uint64_t)i * 37;
	}
}

/* Create every node's state machine (observer nodes without self). */
static void sim_create_with(sim *s, const cs_app *base)
{
	for (int i = 0; i < s->n; i++) {
		cs_app a = *base;
		a.ctx = &s->nd[i];
		s->nd[i].c = cs_new(&a, &s->to, CHAIN, i < (int)s->vs.n ? s->nd[i].addr : NULL);
	}
}

static void sim_create(sim *s)
{
	for (int i = 0; i < s->n; i++) {
		cs_app a = app;
		a.ctx = &s->nd[i];
		s->nd[i].c = cs_new(&a, &s->to, CHAIN, i < (int)s->vs.n ? s->nd[i].addr : NULL);
	}
}

static void sim_free(sim *s)
{
	for (int i = 0; i < s->n; i++) {
		node *n = &s->nd[i];
		cs_free(n->c);
		if (n->use_pv)
			privval_close(&n->pv);
		for (size_t k = 0; k < n->nfut; k++)
			msg_free(&n->fut[k]);
		free(n->fut);
		free(n->sent);
		free(n->sentp);
		free(n->last_votes);
	}
	for (size_t k = 0; k < s->nq; k++)
		msg_free(&s->q[k]);
	free(s->q);
	for (int h = 0; h < MAXH; h++) {
		if (s->val[h])
			vunref(s->val[h]);
		free(s->cm[h].votes);
	}
	valset_free(&s->vs);
}

static void deliver(sim *s, msg *m);

static void node_start(node *n, uint64_t height, uint32_t first_round, int32_t locked_round,
		       const uint8_t *locked_hash)
{
	sim *s = n->s;
	n->height = height;
	n->started = true;
	n->start_at = 0;
	cs_start_height(n->c, height, &s->vs, s->now, first_round, locked_round, locked_hash);
	/* Messages kept for this height, in arrival order. */
	size_t k = 0;
	msg *f = n->fut;
	size_t nf = n->nfut;
	n->fut = NULL;
	n->nfut = 0;
	for (k = 0; k < nf; k++) {
		deliver(s, &f[k]);
		msg_free(&f[k]);
	}
	free(f);
}

static void start_all(sim *s, uint64_t height)
{
	for (int i = 0; i < s->n; i++)
		if (s->nd[i].up)
			node_start(&s->nd[i], height, 0, -1, NULL);
}

/* Block sync: a block with 2/3+ precommits that this node lacks, decided elsewhere. */
static void maybe_sync(sim *s, node *n)
{
	if (!n->started || n->start_at || cs_decided(n->c))
		return;
	const uint8_t *h = cs_missing_block(n->c);
	uint64_t ht = n->height;
	if (!h)
		return;
	if (!s->have[ht])
		return; /* nobody has it yet */
	if (memcmp(h, s->hash[ht], 32)) {
		s->disagree++;
		diagf("node %d sees 2/3+ precommits for a block other than the one decided", n->id);
		return;
	}
	record_decision(n, s->val[ht], &s->cm[ht], true);
	node_start(n, ht + 1, 0, -1, NULL);
}

/* A peer two heights ahead: fetch the blocks with their commits up to the peer's height - 1. */
static void catch_up(sim *s, node *n, uint64_t peer_height)
{
	while (n->height + 1 < peer_height && !n->start_at && s->have[n->height]) {
		record_decision(n, s->val[n->height], &s->cm[n->height], true);
		node_start(n, n->height + 1, 0, -1, NULL);
	}
}

static void deliver(sim *s, msg *m)
{
	node *n = &s->nd[m->to];
	if (!n->up || !n->started || s->group[m->from] != s->group[m->to])
		return;
	if (m->is_prop && s->drop_proposals)
		return;
	uint64_t height;
	vote v;
	proposal p;
	if (m->is_prop) {
		if (proposal_decode(&p, m->bytes, m->len) < 0) {
			s->bad_decode++;
			return;
		}
		height = p.height;
	} else {
		if (vote_decode(&v, m->bytes, m->len) < 0) {
			s->bad_decode++;
			return;
		}
		height = v.height;
	}
	if (height < n->height)
		return;
	catch_up(s, n, height);
	if (height > n->height) {
		if (height == n->height + 1 && n->nfut < 4096) {
			n->fut = xrealloc(n->fut, (n->nfut + 1) * sizeof(msg));
			msg *f = &n->fut[n->nfut++];
			*f = *m;
			f->bytes = xmalloc(m->len);
			memcpy(f->bytes, m->bytes, m->len);
			if (f->v)
				vref(f->v);
		}
		return;
	}
	if (m->is_prop)
		cs_on_proposal(n->c, &p, m->v, m->v->valid, s->now);
	else
		cs_on_vote(n->c, &v, s->now);
	maybe_sync(s, n);
}

/* One event (the earliest); false when the next is after until. */
static bool sim_step(sim *s, uint64_t until)
{
	uint64_t t = UINT64_MAX;
	int kind = -1, who = -1;
	size_t qi = 0;
	for (int i = 0; i < s->n; i++) {
		node *n = &s->nd[i];
		if (!n->up)
			continue;
		if (n->start_at && n->start_at < t) {
			t = n->start_at;
			kind = 0;
			who = i;
		}
		if (n->started && !n->start_at) {
			uint64_t d = cs_deadline(n->c);
			if (d < t) {
				t = d;
				kind = 1;
				who = i;
			}
		}
		if (n->started && s->rb_every && n->next_rb < t) {
			t = n->next_rb;
			kind = 2;
			who = i;
		}
	}
	for (size_t k = 0; k < s->nq; k++)
		if (s->q[k].at < t) {
			t = s->q[k].at;
			kind = 3;
			qi = k;
		}
	if (kind < 0 || t > until) {
		if (s->now < until)
			s->now = until;
		return false;
	}
	if (t > s->now)
		s->now = t;
	node *n = who >= 0 ? &s->nd[who] : NULL;
	switch (kind) {
	case 0:
		node_start(n, n->height + 1, 0, -1, NULL);
		break;
	case 1:
		cs_tick(n->c, s->now);
		maybe_sync(s, n);
		break;
	case 2:
		n->next_rb = s->now + s->rb_every;
		if (n->byz)
			break; /* (its rebroadcast would be honest) */
		cs_rebroadcast(n->c);
		/* LastCommit gossip: the precommits that decided the last height. */
		if (n->nlast && n->last_h + 1 == n->height && !s->manual)
			for (size_t k = 0; k < n->nlast; k++)
				for (int j = 0; j < s->n; j++)
					if (j != n->id)
						send_vote_to(s, n->id, j, &n->last_votes[k]);
		break;
	case 3: {
		msg m = s->q[qi];
		s->q[qi] = s->q[--s->nq];
		deliver(s, &m);
		msg_free(&m);
		break;
	}
	}
	return true;
}

/* The lowest height every up validator has decided (0: none). */
static uint64_t min_decided(sim *s, bool observers_too)
{
	uint64_t lo = UINT64_MAX;
	for (int i = 0; i < s->n; i++) {
		node *n = &s->nd[i];
		if (!n->up || (!observers_too && i >= (int)s->vs.n))
			continue;
		uint64_t h = 0;
		while (h + 1 < MAXH && n->ndecided[h + 1])
			h++;
		if (h < lo)
			lo = h;
	}
	return lo == UINT64_MAX ? 0 : lo;
}

static int count_have(sim *s)
{
	int k = 0;
	for (int h = 0; h < MAXH; h++)
		k += s->have[h];
	return k;
}

/* Run until every up node decided `heights` heights, or until time limit. */
static void run_heights(sim *s, uint64_t heights, uint64_t limit, bool observers_too)
{
	while (min_decided(s, observers_too) < heights && sim_step(s, limit))
		;
}

static void run_for(sim *s, uint64_t ms)
{
	uint64_t until = s->now + ms;
	while (sim_step(s, until))
		;
}

/* No node decided two blocks at a height, no two nodes decided differently, every commit verified. */
static void check_safety(sim *s, const char *name)
{
	ok(s->disagree == 0, "%s: agreement (%d forks)", name, s->disagree);
	ok(s->double_decide == 0, "%s: no node decides twice at a height", name);
	ok(s->bad_commit == 0 && s->bad_decode == 0, "%s: every commit verifies (%d bad, %d undecodable)", name,
	   s->bad_commit, s->bad_decode);
}

/* Every up node's decisions at heights 1..upto are the recorded ones. */
static bool all_decided_same(sim *s, uint64_t upto)
{
	for (uint64_t h = 1; h <= upto; h++) {
		if (!s->have[h])
			return false;
		for (int i = 0; i < s->n; i++)
			if (s->nd[i].up && s->nd[i].ndecided[h] != 1)
				return false;
	}
	return true;
}

static void finish(sim *s, const char *name)
{
	sim_free(s);
	ok(live_values == 0 && bad_refs == 0, "%s: every value referenced is released (%ld live, %ld bad refs)", name,
	   live_values, bad_refs);
	live_values = 0;
	bad_refs = 0;
}

/* ---- the cases ---- */

static void test_honest(size_t nval, uint64_t heights, uint64_t seed)
{
	char name[64];
	snprintf(name, sizeof(name), "%zu honest + observer", nval);
	sim s;
	sim_init(&s, nval, NULL, 1, seed);
	sim_create(&s);
	start_all(&s, 1);
	run_heights(&s, heights, 10000000, true);
	uint64_t got = min_decided(&s, true);
	ok(got >= heights, "%s: %llu heights decided by every node (%.1f s simulated)", name,
	   (unsigned long long)got, (double)s.now / 1000);
	ok(all_decided_same(&s, heights), "%s: each node decided each height exactly once", name);
	check_safety(&s, name);
	ok(s.nd[nval].nsent == 0 && s.nd[nval].nsentp == 0, "%s: the observer never signs or sends", name);
	/* Rounds: with no failure most heights end in round 0. */
	int r0 = 0;
	for (uint64_t h = 1; h <= heights; h++)
		r0 += s.nd[0].dround[h] == 0;
	ok(r0 * 10 >= (int)heights * 8, "%s: %d of %llu heights decided in round 0", name, r0,
	   (unsigned long long)heights);
	ok(s.evid == 0, "%s: no evidence among honest validators", name);
	/* Proposers: each decided block came from that height's round's proposer. */
	bool prop_ok = true;
	for (uint64_t h = 1; h <= heights; h++) {
		const proposal *found = NULL;
		int k = -1;
		for (int i = 0; i < (int)nval; i++)
			for (size_t j = 0; j < s.nd[i].nsentp; j++)
				if (!memcmp(s.nd[i].sentp[j].block_hash, s.hash[h], 32)) {
					found = &s.nd[i].sentp[j];
					k = i;
				}
		prop_ok = prop_ok && found && found->height == h &&
			  !memcmp(s.nd[k].addr, valset_proposer(&s.vs, h, found->round), 20);
	}
	ok(prop_ok, "%s: every decided block was proposed by its round's proposer", name);
	/* A commit one vote short does not verify. */
	commit c = s.cm[heights];
	size_t need = 0;
	uint64_t pw = 0;
	while (!valset_quorum(&s.vs, pw))
		pw += s.vs.v[need++].power;
	c.nvotes = need - 1;
	ok(c.nvotes < s.cm[heights].nvotes && valset_verify_commit(&s.vs, CHAIN, heights, s.hash[heights], &c) < 0,
	   "%s: the last commit minus votes (below quorum) does not verify", name);
	finish(&s, name);
}

static void test_lossy(void)
{
	const char *name = "lossy 20%";
	sim s;
	sim_init(&s, 4, NULL, 0, 7);
	s.drop_pct = 20;
	s.rb_every = 250;
	sim_create(&s);
	start_all(&s, 1);
	run_heights(&s, 20, 10000000, false);
	ok(min_decided(&s, false) >= 20, "%s: 20 heights decided by every node (%.1f s simulated, %d synced, %d in round > 0)",
	   name, (double)s.now / 1000, s.synced, s.late_round);
	check_safety(&s, name);
	ok(s.evid == 0, "%s: no evidence among honest validators", name);
	finish(&s, name);

	/* The same without rebroadcast stalls: the retransmission is what keeps it live. */
	sim_init(&s, 4, NULL, 0, 7);
	s.drop_pct = 20;
	s.rb_every = 0;
	sim_create(&s);
	start_all(&s, 1);
	run_heights(&s, 20, 600000, false);
	ok(min_decided(&s, false) < 20, "%s without rebroadcast: stalls (min height %llu in 600 s)", name,
	   (unsigned long long)min_decided(&s, false));
	check_safety(&s, "lossy, no rebroadcast");
	finish(&s, "lossy, no rebroadcast");
}

static void test_one_crashed(size_t nval, int crashed)
{
	char name[64];
	snprintf(name, sizeof(name), "%zu validators, %d crashed", nval, crashed);
	sim s;
	sim_init(&s, nval, NULL, 0, 11 + nval);
	sim_create(&s);
	for (int i = 0; i < crashed; i++)
		s.nd[(int)nval - 1 - i * 2].up = false;
	start_all(&s, 1);
	run_heights(&s, 15, 10000000, false);
	ok(min_decided(&s, false) >= 15, "%s: 15 heights decided (%.1f s simulated)", name, (double)s.now / 1000);
	ok(s.late_round > 0, "%s: the rounds of the crashed proposers time out: %d decisions after round 0", name,
	   s.late_round);
	/* Exactly the heights whose round-0 proposer is down end in a later round. */
	bool rounds_ok = true;
	node *n0 = &s.nd[0];
	for (uint64_t h = 1; h <= 15; h++) {
		int k = valset_index(&s.vs, valset_proposer(&s.vs, h, 0));
		rounds_ok = rounds_ok && (s.nd[k].up || n0->dround[h] > 0);
	}
	ok(rounds_ok, "%s: a height whose round-0 proposer is down is decided in a later round", name);
	check_safety(&s, name);
	finish(&s, name);
}

static void test_two_crashed(void)
{
	const char *name = "2 of 4 crashed";
	sim s;
	sim_init(&s, 4, NULL, 0, 23);
	sim_create(&s);
	s.nd[1].up = false;
	s.nd[3].up = false;
	start_all(&s, 1);
	run_for(&s, 300000);
	ok(s.decisions == 0 && count_have(&s) == 0, "%s: no decision in 300 s simulated", name);
	ok(cs_height(s.nd[0].c) == 1 && cs_height(s.nd[2].c) == 1 && !cs_decided(s.nd[0].c),
	   "%s: both still at height 1, undecided (rounds %u, %u)", name, cs_round(s.nd[0].c), cs_round(s.nd[2].c));
	/* One comes back, at the current height. */
	s.nd[1].up = true;
	node_start(&s.nd[1], cs_height(s.nd[0].c), 0, -1, NULL);
	uint64_t back = s.now;
	run_heights(&s, 10, s.now + 10000000, false);
	ok(min_decided(&s, false) >= 10, "%s: one back: 10 heights decided (%.1f s after)", name,
	   (double)(s.now - back) / 1000);
	check_safety(&s, name);
	finish(&s, name);
}

static void test_partition(void)
{
	const char *name = "partition 2|2";
	sim s;
	sim_init(&s, 4, NULL, 0, 31);
	sim_create(&s);
	start_all(&s, 1);
	run_heights(&s, 3, 10000000, false);
	ok(min_decided(&s, false) >= 3, "%s: 3 heights before the partition", name);
	/* Let the ones in flight settle, then cut. */
	s.group[0] = s.group[1] = 0;
	s.group[2] = s.group[3] = 1;
	run_for(&s, 5000);
	int before = s.decisions, hbefore = count_have(&s);
	run_for(&s, 120000);
	ok(s.decisions == before && count_have(&s) == hbefore, "%s: no decision while partitioned (120 s)", name);
	bool stuck = true;
	for (int i = 0; i < 4; i++)
		stuck = stuck && !cs_decided(s.nd[i].c);
	ok(stuck, "%s: nobody decided the height in progress", name);
	s.group[2] = s.group[3] = 0;
	uint64_t healed = s.now, target = (uint64_t)hbefore + 10;
	run_heights(&s, target, s.now + 10000000, false);
	ok(min_decided(&s, false) >= target, "%s: healed: 10 more heights (%.1f s after)", name,
	   (double)(s.now - healed) / 1000);
	check_safety(&s, name);
	finish(&s, name);
}

static void test_byzantine(uint64_t seed)
{
	const char *name = "byzantine";
	sim s;
	sim_init(&s, 4, NULL, 0, seed);
	sim_create(&s);
	s.byz = 2;
	s.nd[2].byz = true;
	start_all(&s, 1);
	run_heights(&s, 30, 20000000, false);
	ok(min_decided(&s, false) >= 30, "%s: 30 heights decided (%.1f s simulated, %d synced, %d late rounds)", name,
	   (double)s.now / 1000, s.synced, s.late_round);
	check_safety(&s, name);
	ok(s.evid > 0, "%s: the evidence callback fired (%d times)", name, s.evid);
	ok(s.evid_bad == 0, "%s: each evidence pair really conflicts (same H/R/type, other hash, both verify)", name);
	ok(s.evid_honest == 0, "%s: no evidence against an honest validator", name);
	int byz_props = (int)s.nd[2].nsentp;
	ok(byz_props > 0, "%s: the byzantine validator proposed (%d times, two blocks each)", name, byz_props);
	finish(&s, name);
}

/* ---- hand-driven scenarios (manual network: messages are fed directly) ---- */

static vote mkvote(sim *s, int signer_key, uint8_t type, uint64_t h, uint32_t r, const uint8_t hash[32],
		   uint64_t chain)
{
	vote v;
	memset(&v, 0, sizeof(v));
	v.type = type;
	v.chain_id = chain;
	v.height = h;
	v.round = r;
	memcpy(v.block_hash, hash, 32);
	if (vote_sign(&v, keys[signer_key], addrs[signer_key]) < 0)
		abort();
	return v;
}

/* Through the wire: encode, decode (recovering the signer), deliver. */
static void feed_vote(sim *s, int to, const vote *v)
{
	buf b = BUF_INIT;
	vote d;
	vote_encode(&b, v);
	if (vote_decode(&d, b.p, b.len) < 0 || memcmp(d.validator, v->validator, 20))
		s->bad_decode++;
	else
		cs_on_vote(s->nd[to].c, &d, s->now);
	buf_free(&b);
}

static void vote_from(sim *s, int to, int signer, uint8_t type, uint64_t h, uint32_t r, const uint8_t *hash)
{
	vote v = mkvote(s, s->nd[signer].key, type, h, r, hash, CHAIN);
	feed_vote(s, to, &v);
}

static void feed_prop(sim *s, int to, int signer_key, uint64_t h, uint32_t r, int32_t pol, cs_value *v,
		      const uint8_t *claimed_hash, uint64_t chain)
{
	proposal p, d;
	memset(&p, 0, sizeof(p));
	p.chain_id = chain;
	p.height = h;
	p.round = r;
	p.pol_round = pol;
	memcpy(p.block_hash, claimed_hash ? claimed_hash : v->hash, 32);
	if (proposal_sign(&p, keys[signer_key], addrs[signer_key]) < 0)
		abort();
	buf b = BUF_INIT;
	proposal_encode(&b, &p);
	if (proposal_decode(&d, b.p, b.len) < 0 || memcmp(d.proposer, addrs[signer_key], 20))
		s->bad_decode++;
	else
		cs_on_proposal(s->nd[to].c, &d, v, v->valid, s->now);
	buf_free(&b);
}

static int proposer_node(sim *s, uint64_t h, uint32_t r)
{
	return valset_index(&s->vs, valset_proposer(&s->vs, h, r));
}

static bool sent_is(node *n, size_t idx, uint8_t type, uint32_t round, const uint8_t *hash)
{
	if (idx >= n->nsent)
		return false;
	const vote *v = &n->sent[idx];
	return v->type == type && v->round == round && !memcmp(v->block_hash, hash, 32) && vote_verify(v) == 0 &&
	       !memcmp(v->validator, n->addr, 20);
}

/* Advance the simulated time to t, firing due timeouts of every started node. */
static void advance(sim *s, uint64_t t)
{
	s->now = t;
	for (int i = 0; i < s->n; i++)
		if (s->nd[i].started)
			cs_tick(s->nd[i].c, t);
}

/* A validator that proposes none of the rounds listed (ending with -1) at height h. */
static int not_proposing(sim *s, uint64_t h, const int *rounds)
{
	for (int x = 0; x < (int)s->vs.n; x++) {
		bool okx = true;
		for (int i = 0; rounds[i] >= 0; i++)
			okx = okx && proposer_node(s, h, (uint32_t)rounds[i]) != x;
		if (okx)
			return x;
	}
	abort();
}

static void test_round_skip(void)
{
	const char *name = "round skip";
	sim s;
	/* By hand: one node at round 0 fed round-3 messages. */
	sim_init(&s, 4, NULL, 0, 41);
	s.manual = true;
	sim_create(&s);
	uint64_t h = 1;
	int x = not_proposing(&s, h, (const int[]){0, 3, -1});
	int o[3], no = 0;
	for (int i = 0; i < 4; i++)
		if (i != x)
			o[no++] = i;
	node_start(&s.nd[x], h, 0, -1, NULL);
	ok(cs_round(s.nd[x].c) == 0 && cs_step(s.nd[x].c) == CS_PROPOSE, "%s: starts at round 0, propose", name);
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 3, nil_hash);
	vote_from(&s, x, o[0], VOTE_PRECOMMIT, h, 3, nil_hash);
	ok(cs_round(s.nd[x].c) == 0, "%s: two messages from one validator (1/4) do not skip", name);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h + 1, 3, nil_hash);
	vote v = mkvote(&s, s.nd[o[2]].key, VOTE_PREVOTE, h, 3, nil_hash, CHAIN + 1);
	feed_vote(&s, x, &v);
	v = mkvote(&s, OUTSIDER, VOTE_PREVOTE, h, 3, nil_hash, CHAIN);
	feed_vote(&s, x, &v);
	ok(cs_round(s.nd[x].c) == 0, "%s: other height, other chain, non-validator do not count", name);
	vote_from(&s, x, o[1], VOTE_PRECOMMIT, h, 3, nil_hash);
	ok(cs_round(s.nd[x].c) == 3 && cs_step(s.nd[x].c) == CS_PROPOSE, "%s: f+1 (2 of 4) in round 3: jumps to round 3",
	   name);
	ok(s.nd[x].nsent == 0, "%s: no vote for skipped rounds", name);
	uint64_t t0 = s.now;
	while (s.nd[x].nsent == 0 && cs_deadline(s.nd[x].c) != UINT64_MAX)
		advance(&s, cs_deadline(s.nd[x].c));
	ok(s.now == t0 + s.to.propose_ms + 3 * s.to.delta_ms, "%s: propose timeout of round 3 grows by 3 deltas (%llu)",
	   name, (unsigned long long)(s.now - t0));
	ok(sent_is(&s.nd[x], 0, VOTE_PREVOTE, 3, nil_hash), "%s: prevotes nil at round 3 on timeout", name);
	/* Messages 65 rounds ahead are beyond the window and are ignored. */
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 3 + 65, nil_hash);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h, 3 + 65, nil_hash);
	ok(cs_round(s.nd[x].c) == 3, "%s: messages 65 rounds ahead are not taken", name);
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 3 + 64, nil_hash);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h, 3 + 64, nil_hash);
	ok(cs_round(s.nd[x].c) == 67, "%s: 64 rounds ahead is within the window", name);
	check_safety(&s, name);
	finish(&s, name);

	/* 7 validators: f+1 is 3. */
	sim_init(&s, 7, NULL, 0, 43);
	s.manual = true;
	sim_create(&s);
	h = 1;
	x = not_proposing(&s, h, (const int[]){0, 2, -1});
	int o7[6], n7 = 0;
	for (int i = 0; i < 7; i++)
		if (i != x)
			o7[n7++] = i;
	node_start(&s.nd[x], h, 0, -1, NULL);
	vote_from(&s, x, o7[0], VOTE_PREVOTE, h, 2, nil_hash);
	vote_from(&s, x, o7[1], VOTE_PREVOTE, h, 2, nil_hash);
	ok(cs_round(s.nd[x].c) == 0, "%s, 7 validators: 2 of 7 do not skip", name);
	vote_from(&s, x, o7[2], VOTE_PREVOTE, h, 5, nil_hash);
	ok(cs_round(s.nd[x].c) == 0, "%s, 7 validators: 2 in round 2 + 1 in round 5 do not skip", name);
	vote_from(&s, x, o7[3], VOTE_PRECOMMIT, h, 2, nil_hash);
	ok(cs_round(s.nd[x].c) == 2, "%s, 7 validators: 3 of 7 in round 2 skip to 2", name);
	finish(&s, "round skip, 7");

	/* Over the network: three nodes reach round >= 3 (proposals lost), the fourth starts late. */
	sim_init(&s, 4, NULL, 0, 47);
	sim_create(&s);
	s.drop_proposals = true;
	s.nd[3].up = false;
	start_all(&s, 1);
	while (cs_round(s.nd[0].c) < 3 && sim_step(&s, 600000))
		;
	uint32_t r0 = cs_round(s.nd[0].c);
	ok(r0 >= 3 && s.decisions == 0, "%s, network: three nodes at round %u without proposals", name, r0);
	s.nd[3].up = true;
	node_start(&s.nd[3], 1, 0, -1, NULL);
	uint64_t late = s.now;
	while (cs_round(s.nd[3].c) < r0 && sim_step(&s, late + 5000))
		;
	/* (The others' rebroadcast carries their previous round too, so it may pass through r0 - 1.) */
	bool skipped = true;
	for (size_t k = 0; k < s.nd[3].nsent; k++)
		skipped = skipped && (s.nd[3].sent[k].round == 0 || s.nd[3].sent[k].round + 1 >= r0);
	ok(cs_round(s.nd[3].c) >= r0 && skipped && s.now - late < 1000,
	   "%s, network: the late node jumps from round 0 to %u in %llu ms, voting in no round before %u", name,
	   cs_round(s.nd[3].c), (unsigned long long)(s.now - late), r0 - 1);
	s.drop_proposals = false;
	run_heights(&s, 5, s.now + 10000000, false);
	ok(min_decided(&s, false) >= 5, "%s, network: proposals back, 5 heights", name);
	check_safety(&s, "round skip, network");
	finish(&s, "round skip, network");
}

static void test_locking(void)
{
	const char *name = "locking";
	sim s;
	sim_init(&s, 4, NULL, 0, 53);
	s.manual = true;
	sim_create(&s);
	uint64_t h = 1;
	int x = not_proposing(&s, h, (const int[]){0, 1, 2, -1});
	int p0 = proposer_node(&s, h, 0), p1 = proposer_node(&s, h, 1), p2 = proposer_node(&s, h, 2);
	int o[3], no = 0; /* the others */
	for (int i = 0; i < 4; i++)
		if (i != x)
			o[no++] = i;
	node *n = &s.nd[x];
	node_start(n, h, 0, -1, NULL);
	cs_value *v = value_new(h, 0, p0, true), *w = value_new(h, 1, p1, true);

	/* Round 0: proposal v, prevote v, 2f+1 prevotes v -> lock on v, precommit v. */
	feed_prop(&s, x, s.nd[p0].key, h, 0, -1, v, NULL, CHAIN);
	ok(sent_is(n, 0, VOTE_PREVOTE, 0, v->hash), "%s: round 0: prevotes the proposal v", name);
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 0, v->hash);
	ok(n->nsent == 1, "%s: 2 prevotes for v (own + 1) are not 2f+1", name);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h, 0, v->hash);
	ok(sent_is(n, 1, VOTE_PRECOMMIT, 0, v->hash) && cs_step(n->c) == CS_PRECOMMIT,
	   "%s: 2f+1 prevotes for v: precommits v (locks)", name);
	/* The others precommit nil: the round ends without a decision. */
	vote_from(&s, x, o[0], VOTE_PRECOMMIT, h, 0, nil_hash);
	vote_from(&s, x, o[1], VOTE_PRECOMMIT, h, 0, nil_hash);
	ok(!cs_decided(n->c), "%s: 1 precommit for v of 4: no decision", name);
	uint64_t d = cs_deadline(n->c);
	ok(d == s.now + s.to.precommit_ms, "%s: 2f+1 precommits (any): precommit timeout scheduled", name);
	advance(&s, d);
	ok(cs_round(n->c) == 1 && cs_step(n->c) == CS_PROPOSE, "%s: precommit timeout: round 1", name);

	/* Round 1: a new block w, pol_round -1: the locked validator prevotes nil. */
	feed_prop(&s, x, s.nd[p1].key, h, 1, -1, w, NULL, CHAIN);
	ok(sent_is(n, 2, VOTE_PREVOTE, 1, nil_hash), "%s: round 1: locked on v, prevotes nil for w (pol -1)", name);
	/* Round 1 ends with nil precommits from the others; round 2. */
	for (int i = 0; i < 3; i++)
		vote_from(&s, x, o[i], VOTE_PRECOMMIT, h, 1, nil_hash);
	advance(&s, cs_deadline(n->c));
	while (cs_round(n->c) == 1 && cs_deadline(n->c) != UINT64_MAX)
		advance(&s, cs_deadline(n->c));
	ok(cs_round(n->c) == 2, "%s: round 2", name);
	size_t k = n->nsent;

	/* Round 2: w again with pol_round 0 but no 2f+1 prevotes for w in round 0: waits. */
	feed_prop(&s, x, s.nd[p2].key, h, 2, 0, w, NULL, CHAIN);
	ok(n->nsent == k && cs_step(n->c) == CS_PROPOSE, "%s: w with pol_round 0 lacking a POL: no prevote yet", name);
	while (n->nsent == k && cs_deadline(n->c) != UINT64_MAX)
		advance(&s, cs_deadline(n->c));
	ok(sent_is(n, 3, VOTE_PREVOTE, 2, nil_hash), "%s: ... then the propose timeout: prevote nil", name);
	vunref(v);
	vunref(w);
	finish(&s, name);

	/* Again, with round 2 proposing v with pol_round 0 (2f+1 prevotes for v in round 0): prevote v. */
	sim_init(&s, 4, NULL, 0, 53);
	s.manual = true;
	sim_create(&s);
	n = &s.nd[x];
	node_start(n, h, 0, -1, NULL);
	v = value_new(h, 0, p0, true);
	w = value_new(h, 1, p1, true);
	feed_prop(&s, x, s.nd[p0].key, h, 0, -1, v, NULL, CHAIN);
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 0, v->hash);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h, 0, v->hash);
	for (int i = 0; i < 3; i++)
		vote_from(&s, x, o[i], VOTE_PRECOMMIT, h, 0, nil_hash);
	ok(!cs_decided(n->c) && sent_is(n, 1, VOTE_PRECOMMIT, 0, v->hash), "%s (b): locked on v in round 0", name);
	while (cs_round(n->c) == 0)
		advance(&s, cs_deadline(n->c));
	feed_prop(&s, x, s.nd[p1].key, h, 1, -1, w, NULL, CHAIN);
	ok(sent_is(n, 2, VOTE_PREVOTE, 1, nil_hash), "%s (b): round 1: prevotes nil for w", name);
	for (int i = 0; i < 3; i++)
		vote_from(&s, x, o[i], VOTE_PRECOMMIT, h, 1, nil_hash);
	while (cs_round(n->c) == 1)
		advance(&s, cs_deadline(n->c));
	feed_prop(&s, x, s.nd[p2].key, h, 2, 0, v, NULL, CHAIN);
	ok(sent_is(n, 3, VOTE_PREVOTE, 2, v->hash), "%s (b): round 2: v with pol_round 0 and its POL: prevotes v", name);
	/* And the others' precommits for v in round 2 decide v. */
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 2, v->hash);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h, 2, v->hash);
	ok(sent_is(n, 4, VOTE_PRECOMMIT, 2, v->hash), "%s (b): precommits v in round 2", name);
	vote_from(&s, x, o[0], VOTE_PRECOMMIT, h, 2, v->hash);
	vote_from(&s, x, o[2], VOTE_PRECOMMIT, h, 2, v->hash);
	ok(cs_decided(n->c) && s.have[h] && !memcmp(s.hash[h], v->hash, 32) && s.cm[h].round == 2 &&
		   s.cm[h].nvotes == 3,
	   "%s (b): decides v with a round-2 commit of 3 precommits", name);
	check_safety(&s, "locking (b)");
	vunref(v);
	vunref(w);
	finish(&s, "locking (b)");

	/* Unlock: locked on v in round 0, a proposal of w with a newer POL (round 1) is prevoted. */
	sim_init(&s, 4, NULL, 0, 53);
	s.manual = true;
	sim_create(&s);
	n = &s.nd[x];
	node_start(n, h, 0, -1, NULL);
	v = value_new(h, 0, p0, true);
	w = value_new(h, 1, p1, true);
	feed_prop(&s, x, s.nd[p0].key, h, 0, -1, v, NULL, CHAIN);
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 0, v->hash);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h, 0, v->hash);
	for (int i = 0; i < 3; i++)
		vote_from(&s, x, o[i], VOTE_PRECOMMIT, h, 0, nil_hash);
	while (cs_round(n->c) == 0)
		advance(&s, cs_deadline(n->c));
	feed_prop(&s, x, s.nd[p1].key, h, 1, -1, w, NULL, CHAIN);
	ok(sent_is(n, 2, VOTE_PREVOTE, 1, nil_hash), "%s (c): round 1: prevotes nil for w", name);
	/* Round 2 arrives via round skip (2 of 4) before round 1's prevotes for w. */
	feed_prop(&s, x, s.nd[p2].key, h, 2, 1, w, NULL, CHAIN);
	vote_from(&s, x, o[0] == p2 ? o[1] : o[0], VOTE_PREVOTE, h, 2, w->hash);
	ok(cs_round(n->c) == 2 && cs_step(n->c) == CS_PROPOSE && n->nsent == 3,
	   "%s (c): skips to round 2; w with pol_round 1 waits for its POL", name);
	for (int i = 0; i < 3; i++)
		vote_from(&s, x, o[i], VOTE_PREVOTE, h, 1, w->hash);
	ok(sent_is(n, 3, VOTE_PREVOTE, 2, w->hash),
	   "%s (c): 2f+1 prevotes for w in round 1 > locked round 0: prevotes w", name);
	vunref(v);
	vunref(w);
	finish(&s, "locking (c)");

	/* Restart with a persisted lock (cs_start_height's locked_round): a new block gets nil. */
	sim_init(&s, 4, NULL, 0, 53);
	s.manual = true;
	sim_create(&s);
	n = &s.nd[x];
	v = value_new(h, 0, p0, true);
	w = value_new(h, 1, p1, true);
	node_start(n, h, 1, 0, v->hash);
	ok(cs_round(n->c) == 1, "%s (d): restarted in round 1", name);
	feed_prop(&s, x, s.nd[p1].key, h, 1, -1, w, NULL, CHAIN);
	ok(sent_is(n, 0, VOTE_PREVOTE, 1, nil_hash), "%s (d): the persisted lock on v: prevotes nil for w", name);
	vunref(v);
	vunref(w);
	finish(&s, "locking (d)");
}

static void test_ignored(void)
{
	const char *name = "ignored";
	sim s;
	sim_init(&s, 4, NULL, 0, 59);
	s.manual = true;
	sim_create(&s);
	uint64_t h = 2;
	int x = not_proposing(&s, h, (const int[]){0, 1, -1});
	int p0 = proposer_node(&s, h, 0), other = -1;
	int o[3], no = 0;
	for (int i = 0; i < 4; i++)
		if (i != x)
			o[no++] = i;
	for (int i = 0; i < 3; i++)
		if (o[i] != p0)
			other = o[i];
	node *n = &s.nd[x];
	node_start(n, h, 0, -1, NULL);
	cs_value *v = value_new(h, 0, p0, true), *bad = value_new(h, 0, p0, false);
	cs_value *vn = value_new(h + 1, 0, p0, true);

	feed_prop(&s, x, s.nd[p0].key, h + 1, 0, -1, vn, NULL, CHAIN);
	feed_prop(&s, x, s.nd[p0].key, h - 1, 0, -1, v, NULL, CHAIN);
	ok(n->nsent == 0 && cs_step(n->c) == CS_PROPOSE, "%s: proposals for other heights", name);
	feed_prop(&s, x, s.nd[p0].key, h, 0, -1, v, NULL, CHAIN + 1);
	ok(n->nsent == 0, "%s: a proposal for another chain id", name);
	feed_prop(&s, x, s.nd[other].key, h, 0, -1, v, NULL, CHAIN);
	ok(n->nsent == 0, "%s: a proposal from a validator that is not the proposer", name);
	feed_prop(&s, x, OUTSIDER, h, 0, -1, v, NULL, CHAIN);
	ok(n->nsent == 0, "%s: a proposal from a non-validator", name);
	feed_prop(&s, x, s.nd[p0].key, h, 0, -1, v, vn->hash, CHAIN);
	ok(n->nsent == 0, "%s: a proposal whose hash is not its block's", name);
	feed_prop(&s, x, s.nd[p0].key, h, 1, -1, v, NULL, CHAIN);
	ok(n->nsent == 0 && cs_round(n->c) == 0, "%s: a proposal from round 0's proposer for round 1", name);

	/* None of those was kept: the right proposal now gets a prevote for v. */
	feed_prop(&s, x, s.nd[p0].key, h, 0, -1, v, NULL, CHAIN);
	ok(sent_is(n, 0, VOTE_PREVOTE, 0, v->hash), "%s: then the right proposal gets a prevote for its block", name);

	/* Votes: 2f+1 nil prevotes from the wrong places cause no precommit. */
	for (int i = 1; i < 4; i++) {
		vote a = mkvote(&s, s.nd[o[i - 1]].key, VOTE_PREVOTE, h + 1, 0, nil_hash, CHAIN);
		feed_vote(&s, x, &a);
		a = mkvote(&s, s.nd[o[i - 1]].key, VOTE_PREVOTE, h, 0, nil_hash, CHAIN + 1);
		feed_vote(&s, x, &a);
	}
	for (int k = 0; k < 3; k++) {
		vote a = mkvote(&s, OUTSIDER - k, VOTE_PREVOTE, h, 0, nil_hash, CHAIN);
		feed_vote(&s, x, &a);
	}
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 0, nil_hash);
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 0, nil_hash);
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 0, nil_hash);
	vote q = mkvote(&s, s.nd[o[2]].key, VOTE_PREVOTE, h, 0, nil_hash, CHAIN); /* bad type, fed directly */
	q.type = 7;
	cs_on_vote(n->c, &q, s.now);
	ok(n->nsent == 1 && cs_step(n->c) == CS_PREVOTE && cs_deadline(n->c) == s.now + s.to.propose_ms,
	   "%s: other heights, chains, non-validators, repeats and bad types make no quorum", name);
	ok(s.evid == 0, "%s: a repeated identical vote is not evidence", name);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h, 0, vn->hash);
	ok(cs_deadline(n->c) == s.now + s.to.prevote_ms && n->nsent == 1,
	   "%s: a third validator's prevote: 2f+1 of any: prevote timeout, no precommit yet", name);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h, 0, nil_hash);
	ok(s.evid == 1, "%s: a validator's second, different prevote is evidence, not counted", name);
	vote_from(&s, x, o[2], VOTE_PREVOTE, h, 0, nil_hash);
	ok(n->nsent == 1, "%s: ... so 2 nil prevotes (1 and 3) are no quorum", name);
	advance(&s, cs_deadline(n->c));
	ok(sent_is(n, 1, VOTE_PRECOMMIT, 0, nil_hash), "%s: prevote timeout: precommit nil", name);

	/* An invalid block gets a nil prevote. */
	sim_free(&s);
	sim_init(&s, 4, NULL, 0, 59);
	s.manual = true;
	sim_create(&s);
	n = &s.nd[x];
	node_start(n, h, 0, -1, NULL);
	feed_prop(&s, x, s.nd[p0].key, h, 0, -1, bad, NULL, CHAIN);
	ok(sent_is(n, 0, VOTE_PREVOTE, 0, nil_hash), "%s: an invalid block gets a nil prevote", name);
	/* ... and is never decided, even with 2f+1 precommits for it. */
	for (int i = 1; i < 4; i++)
		vote_from(&s, x, o[i - 1], VOTE_PRECOMMIT, h, 0, bad->hash);
	ok(!cs_decided(n->c), "%s: 2f+1 precommits for an invalid block decide nothing", name);
	ok(cs_missing_block(n->c) == NULL, "%s: ... nor is it a missing block (we have it)", name);
	/* Precommits for a block never seen: missing block. */
	int p1 = proposer_node(&s, h, 1);
	cs_value *u = value_new(h, 1, p1, true);
	for (int i = 1; i < 4; i++)
		vote_from(&s, x, o[i - 1], VOTE_PRECOMMIT, h, 1, u->hash);
	ok(!cs_decided(n->c) && cs_missing_block(n->c) && !memcmp(cs_missing_block(n->c), u->hash, 32),
	   "%s: 2f+1 precommits for an unknown block: cs_missing_block names it", name);
	/* The block arrives (round 1's proposal): decided from the round-1 precommits. */
	feed_prop(&s, x, s.nd[p1].key, h, 1, -1, u, NULL, CHAIN);
	ok(cs_decided(n->c) && s.have[h] && !memcmp(s.hash[h], u->hash, 32) && s.cm[h].round == 1,
	   "%s: the block arrives: decided with the round-1 commit", name);
	check_safety(&s, name);
	vunref(v);
	vunref(bad);
	vunref(vn);
	vunref(u);
	finish(&s, name);
}

static void test_unequal(void)
{
	const char *name = "powers 1,1,1,3";
	static const uint64_t pw[] = {1, 1, 1, 3};
	sim s;
	sim_init(&s, 4, pw, 0, 61);
	sim_create(&s);
	int big = -1, small[3], ns = 0;
	for (int i = 0; i < 4; i++) {
		if (s.vs.v[i].power == 3)
			big = i;
		else
			small[ns++] = i;
	}
	/* The power-3 validator alone: 3 of 6. */
	for (int i = 0; i < 3; i++)
		s.nd[small[i]].up = false;
	start_all(&s, 1);
	run_for(&s, 100000);
	ok(s.decisions == 0, "%s: the power-3 validator alone (3/6) decides nothing", name);
	/* Plus one: 4 of 6 is exactly 2/3, not more. */
	s.nd[small[0]].up = true;
	node_start(&s.nd[small[0]], 1, 0, -1, NULL);
	run_for(&s, 200000);
	ok(s.decisions == 0, "%s: power 3+1 = 4/6 (exactly 2/3) decides nothing in 200 s", name);
	/* Plus two: 5 of 6. */
	s.nd[small[1]].up = true;
	node_start(&s.nd[small[1]], 1, 0, -1, NULL);
	run_heights(&s, 10, s.now + 10000000, false);
	ok(min_decided(&s, false) >= 10, "%s: power 3+1+1 = 5/6 decides (10 heights)", name);
	/* The three small ones alone (3/6) cannot; with the big one back they can. */
	check_safety(&s, name);
	finish(&s, name);

	sim_init(&s, 4, pw, 0, 67);
	sim_create(&s);
	s.nd[big].up = false;
	start_all(&s, 1);
	run_for(&s, 100000);
	ok(s.decisions == 0, "%s: the three power-1 validators (3/6) decide nothing", name);
	s.nd[big].up = true;
	node_start(&s.nd[big], 1, 0, -1, NULL);
	run_heights(&s, 20, s.now + 10000000, false);
	ok(min_decided(&s, false) >= 20, "%s: all four: 20 heights", name);
	/* The power-3 validator proposes 3 of every 6 slots. */
	int bigp = 0;
	for (uint64_t h = 1; h <= 18; h++)
		bigp += proposer_node(&s, h, 0) == big;
	ok(bigp == 9, "%s: the power-3 validator proposes at 9 of 18 heights", name);
	check_safety(&s, "powers 1,1,1,3 all");
	finish(&s, "powers 1,1,1,3 all");

	/* By hand, the exact boundary of the decision rule: precommits of power 4 vs 5. */
	sim_init(&s, 4, pw, 0, 71);
	s.manual = true;
	sim_create(&s);
	int x = small[2];
	uint64_t h = 1;
	while (proposer_node(&s, h, 0) == x)
		h++;
	node *n = &s.nd[x];
	node_start(n, h, 0, -1, NULL);
	cs_value *v = value_new(h, 0, proposer_node(&s, h, 0), true);
	feed_prop(&s, x, s.nd[proposer_node(&s, h, 0)].key, h, 0, -1, v, NULL, CHAIN);
	vote_from(&s, x, big, VOTE_PREVOTE, h, 0, v->hash);
	ok(n->nsent == 1, "%s, by hand: prevotes 1+3 = 4/6: no precommit", name);
	vote_from(&s, x, small[0], VOTE_PREVOTE, h, 0, v->hash);
	ok(sent_is(n, 1, VOTE_PRECOMMIT, 0, v->hash), "%s, by hand: prevotes 5/6: precommit", name);
	vote_from(&s, x, big, VOTE_PRECOMMIT, h, 0, v->hash);
	ok(!cs_decided(n->c), "%s, by hand: precommits 1+3 = 4/6: no decision", name);
	vote_from(&s, x, small[1], VOTE_PRECOMMIT, h, 0, v->hash);
	ok(cs_decided(n->c) && s.cm[h].nvotes == 3, "%s, by hand: precommits 5/6: decided, commit of 3 votes", name);
	check_safety(&s, "powers by hand");
	vunref(v);
	finish(&s, "powers by hand");
}

/* Signing callbacks that fill in only the signature, as consensus.h documents them. */
static int sig_only_vote(void *ctx, vote *v)
{
	node *n = ctx;
	vote w = *v;
	if (vote_sign(&w, n->priv, n->addr) < 0)
		return -1;
	memcpy(v->sig, w.sig, 65);
	return 0;
}

static int sig_only_proposal(void *ctx, proposal *p)
{
	node *n = ctx;
	proposal q = *p;
	if (proposal_sign(&q, n->priv, n->addr) < 0)
		return -1;
	memcpy(p->sig, q.sig, 65);
	return 0;
}

static void test_callbacks(void)
{
	const char *name = "sign callbacks filling only the signature";
	sim s;
	sim_init(&s, 4, NULL, 0, 83);
	cs_app a = app;
	a.sign_vote = sig_only_vote;
	a.sign_proposal = sig_only_proposal;
	sim_create_with(&s, &a);
	start_all(&s, 1);
	run_heights(&s, 8, 10000000, false);
	ok(min_decided(&s, false) >= 8, "%s: 8 heights", name);
	bool signer = true;
	for (int i = 0; i < 4; i++)
		for (size_t k = 0; k < s.nd[i].nsentp; k++)
			signer = signer && !memcmp(s.nd[i].sentp[k].proposer, s.nd[i].addr, 20);
	ok(signer, "%s: the proposals sent name their proposer", name);
	check_safety(&s, name);
	finish(&s, name);

	name = "next height started inside decide";
	sim_init(&s, 4, NULL, 0, 89);
	s.immediate = true;
	s.start_delay = 0;
	sim_create(&s);
	start_all(&s, 1);
	run_heights(&s, 20, 10000000, false);
	ok(min_decided(&s, false) >= 20, "%s: 20 heights", name);
	check_safety(&s, name);
	finish(&s, name);
}

/* Locked on v in round 1, a proposal of w whose POL (round 0) is older than the lock: nil. */
static void test_lock_older_pol(void)
{
	const char *name = "locking (e)";
	sim s;
	sim_init(&s, 4, NULL, 0, 97);
	s.manual = true;
	sim_create(&s);
	uint64_t h = 1;
	int x = not_proposing(&s, h, (const int[]){0, 1, 2, -1});
	int p0 = proposer_node(&s, h, 0), p1 = proposer_node(&s, h, 1), p2 = proposer_node(&s, h, 2);
	int o[3], no = 0;
	for (int i = 0; i < 4; i++)
		if (i != x)
			o[no++] = i;
	node *n = &s.nd[x];
	node_start(n, h, 0, -1, NULL);
	cs_value *w = value_new(h, 0, p0, true), *v = value_new(h, 1, p1, true);
	/* Round 0: no proposal reaches x: nil prevote, nil precommits, round 1. */
	while (n->nsent == 0)
		advance(&s, cs_deadline(n->c));
	for (int i = 0; i < 3; i++)
		vote_from(&s, x, o[i], VOTE_PRECOMMIT, h, 0, nil_hash);
	while (cs_round(n->c) == 0)
		advance(&s, cs_deadline(n->c));
	/* Round 1: v, locked. */
	feed_prop(&s, x, s.nd[p1].key, h, 1, -1, v, NULL, CHAIN);
	vote_from(&s, x, o[0], VOTE_PREVOTE, h, 1, v->hash);
	vote_from(&s, x, o[1], VOTE_PREVOTE, h, 1, v->hash);
	ok(sent_is(n, 2, VOTE_PRECOMMIT, 1, v->hash), "%s: locked on v in round 1", name);
	for (int i = 0; i < 3; i++)
		vote_from(&s, x, o[i], VOTE_PRECOMMIT, h, 1, nil_hash);
	while (cs_round(n->c) == 1)
		advance(&s, cs_deadline(n->c));
	/* w had 2f+1 prevotes in round 0 (x did not see them in time). */
	feed_prop(&s, x, s.nd[p0].key, h, 0, -1, w, NULL, CHAIN);
	for (int i = 0; i < 3; i++)
		vote_from(&s, x, o[i], VOTE_PREVOTE, h, 0, w->hash);
	ok(cs_round(n->c) == 2 && n->nsent == 3, "%s: round 2, nothing sent for the old POL", name);
	feed_prop(&s, x, s.nd[p2].key, h, 2, 0, w, NULL, CHAIN);
	ok(sent_is(n, 3, VOTE_PREVOTE, 2, nil_hash), "%s: w with POL round 0 < locked round 1: prevote nil", name);
	/* The proposer of round 3 re-proposes v with its POL of round 1: prevote v. */
	for (int i = 0; i < 3; i++)
		vote_from(&s, x, o[i], VOTE_PRECOMMIT, h, 2, nil_hash);
	while (cs_round(n->c) == 2)
		advance(&s, cs_deadline(n->c));
	vote_from(&s, x, o[2], VOTE_PREVOTE, h, 1, v->hash);
	int p3 = proposer_node(&s, h, 3);
	if (p3 != x) {
		feed_prop(&s, x, s.nd[p3].key, h, 3, 1, v, NULL, CHAIN);
		ok(sent_is(n, 5, VOTE_PREVOTE, 3, v->hash), "%s: round 3: v with its round-1 POL: prevote v", name);
	} else {
		ok(n->nsentp == 1 && n->sentp[0].round == 3 && n->sentp[0].pol_round == 1 &&
			   !memcmp(n->sentp[0].block_hash, v->hash, 32),
		   "%s: round 3, x proposes its valid value v with pol_round 1", name);
	}
	vunref(v);
	vunref(w);
	finish(&s, name);
}

/* kill -9: the state machine is gone, and so is what it had not sent yet (its file is kept). */
static void privval_crash(node *n)
{
	sim *s = n->s;
	for (size_t k = 0; k < s->nq;) {
		if (s->q[k].from == n->id) {
			msg_free(&s->q[k]);
			s->q[k] = s->q[--s->nq];
		} else {
			k++;
		}
	}
	n->up = false;
	n->started = false;
	cs_free(n->c);
	n->c = NULL;
	privval_close(&n->pv);
	for (size_t k = 0; k < n->nfut; k++)
		msg_free(&n->fut[k]);
	n->nfut = 0;
}

/*
 * Restart from the file, as lib/node.c does: at the height it last signed in (its round, its
 * lock) if the others are still there, else where the others are (after block sync). True when
 * it resumed the same height.
 */
static bool privval_restart(node *n)
{
	sim *s = n->s;
	if (privval_open(&n->pv, n->pv_path) < 0)
		abort();
	cs_app a = app;
	a.ctx = n;
	n->c = cs_new(&a, &s->to, CHAIN, n->addr);
	n->up = true;
	uint64_t hh = n->height, cur = 0;
	for (int i = 0; i < s->n; i++)
		if (s->nd[i].up && s->nd[i].height > cur)
			cur = s->nd[i].height;
	if (cur > hh) {
		for (uint64_t t = hh; t < cur; t++) {
			n->height = t;
			if (!n->ndecided[t])
				record_decision(n, s->val[t], &s->cm[t], true);
		}
		node_start(n, cur, 0, -1, NULL);
		return false;
	}
	bool same = n->pv.height == hh, locked = same && n->pv.locked_height == hh;
	node_start(n, hh, same ? n->pv.round : 0, locked ? (int32_t)n->pv.locked_round : -1,
		   locked ? n->pv.locked_hash : NULL);
	return true;
}

/* Every validator signs through privval; one crashes mid-height and restarts from its file. */
static void test_privval_network(void)
{
	const char *name = "privval";
	char dir[] = "/tmp/lst-t-consensus-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	char *paths[4];
	sim s;
	sim_init(&s, 4, NULL, 0, 73);
	sim_create(&s);
	bool opened = true;
	for (int i = 0; i < 4; i++) {
		paths[i] = xasprintf("%s/privval-%d.json", dir, i);
		s.nd[i].use_pv = true;
		s.nd[i].pv_path = paths[i];
		opened = opened && privval_open(&s.nd[i].pv, paths[i]) == 0;
	}
	ok(opened, "%s: four fresh privval files", name);
	start_all(&s, 1);
	run_heights(&s, 5, 10000000, false);
	ok(min_decided(&s, false) >= 5, "%s: 5 heights signed through privval", name);

	/* Crash node 1 right after it locked (a non-nil precommit), and cut node 3 off at the same
	 * moment so that nodes 0 and 2 (2 of 4) cannot finish the height without node 1. */
	node *n = &s.nd[1];
	uint64_t crash_h = 0;
	while (sim_step(&s, s.now + 100000)) {
		if (n->started && !n->start_at && n->pv.height == n->height && n->pv.step == PV_PRECOMMIT &&
		    n->pv.locked_height == n->height && !cs_decided(n->c) && n->height > 5) {
			crash_h = n->height;
			break;
		}
	}
	s.group[3] = 1;
	ok(crash_h > 5, "%s: node 1 crashes at height %llu just after locking (round %u)", name,
	   (unsigned long long)crash_h, n->pv.locked_round);
	privval_crash(n);
	run_for(&s, 2000);
	ok(!s.have[crash_h], "%s: the height cannot end without node 1", name);
	struct stat st;
	ok(stat(paths[1], &st) == 0 && (st.st_mode & 0777) == 0600, "%s: the file is 0600", name);
	int refused = s.refused_signs;
	bool same = privval_restart(n);
	ok(same && n->pv.locked_height == crash_h && cs_round(n->c) == n->pv.round,
	   "%s: restarted at height %llu, round %u, with its lock", name, (unsigned long long)crash_h, cs_round(n->c));
	run_for(&s, 1000);
	s.group[3] = 0;
	run_heights(&s, crash_h + 5, s.now + 10000000, false);
	ok(min_decided(&s, false) >= crash_h + 5, "%s: the height ends and 5 more follow", name);
	ok(s.evid == 0, "%s: no conflicting vote from the restarted validator (no evidence)", name);
	diagf("privval refusals after the restart: %d", s.refused_signs - refused);

	/* Crash node 2 and restart it after the others moved on: it starts where they are. */
	n = &s.nd[2];
	privval_crash(n);
	uint64_t h2 = n->height;
	run_heights(&s, h2 + 5, s.now + 10000000, false);
	same = privval_restart(n);
	ok(!same && n->height > h2 + 4, "%s: node 2 restarted at height %llu, after block sync", name,
	   (unsigned long long)n->height);
	run_heights(&s, n->height + 5, s.now + 10000000, false);
	ok(min_decided(&s, false) >= h2 + 10, "%s: and decides with the others", name);
	ok(s.evid == 0, "%s: still no evidence", name);
	check_safety(&s, name);
	uint64_t top = min_decided(&s, false);
	bool last = true;
	for (int i = 0; i < 4; i++)
		last = last && s.nd[i].pv.height >= top;
	ok(last, "%s: every file records the latest height signed", name);
	sim_free(&s);
	for (int i = 0; i < 4; i++) {
		unlink(paths[i]);
		char *tmp = xasprintf("%s.tmp", paths[i]);
		unlink(tmp);
		free(tmp);
		free(paths[i]);
	}
	rmdir(dir);
	ok(live_values == 0 && bad_refs == 0, "%s: every value released", name);
	live_values = bad_refs = 0;
}

int main(void)
{
	keys_init();
	test_honest(4, 50, 1);
	test_honest(7, 20, 2);
	test_lossy();
	test_one_crashed(4, 1);
	test_one_crashed(7, 2);
	test_two_crashed();
	test_partition();
	test_byzantine(3);
	test_byzantine(5);
	test_round_skip();
	test_locking();
	test_ignored();
	test_unequal();
	test_lock_older_pol();
	test_callbacks();
	test_privval_network();
	return unit_done();
}
