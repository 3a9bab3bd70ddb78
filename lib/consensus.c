/* consensus.c: see consensus.h. Line numbers (L22...) are Algorithm 1's. */
#include "lst.h"
#include "consensus.h"
#include "diag.h"

#define MAX_ROUND_AHEAD 64 /* rounds kept beyond the current one */

typedef struct {
	uint8_t hash[32];
	uint64_t power;
} tally;

typedef struct {
	bool *have;            /* per validator */
	vote *votes;
	tally *t;
	size_t nt;
	uint64_t power;        /* all votes of this type */
} vote_set;

typedef struct {
	vote_set vs[2];        /* prevotes, precommits */
	bool *sent;            /* validators with any message in this round */
	uint64_t sent_power;
	bool has_proposal, valid;
	proposal prop;
	cs_value *value;
	bool t_prevote, t_precommit, l36;
} cs_round_state;

typedef struct {
	uint64_t at, height;
	uint32_t round;
	int kind;
} timeout;

struct cs {
	cs_app app;
	cs_timeouts to;
	uint64_t chain_id;
	bool has_self;
	uint8_t self[20];
	valset vs;
	uint64_t height;
	uint32_t round;
	int step;
	bool decided, started;
	int32_t locked_round, valid_round;
	uint8_t locked_hash[32];
	cs_value *valid_value;
	cs_round_state **rounds;
	size_t nrounds;
	timeout *timeouts;
	size_t ntimeouts;
	uint64_t now;
	bool own_proposal;
	proposal my_prop;
	cs_value *my_value;
};

static const uint8_t nil_hash[32];

static void vote_set_init(vote_set *s, size_t n)
{
	s->have = xcalloc(n + 1, 1);
	s->votes = xcalloc(n + 1, sizeof(vote));
	s->t = xcalloc(n + 1, sizeof(tally));
	s->nt = 0;
	s->power = 0;
}

static void vote_set_free(vote_set *s)
{
	free(s->have);
	free(s->votes);
	free(s->t);
}

static uint64_t power_for(const vote_set *s, const uint8_t hash[32])
{
	for (size_t i = 0; i < s->nt; i++)
		if (!memcmp(s->t[i].hash, hash, 32))
			return s->t[i].power;
	return 0;
}

static cs_round_state *round_get(cs *c, uint32_t r)
{
	if (r >= c->nrounds) {
		size_t n = r + 1;
		c->rounds = xrealloc(c->rounds, n * sizeof(*c->rounds));
		for (size_t i = c->nrounds; i < n; i++)
			c->rounds[i] = NULL;
		c->nrounds = n;
	}
	if (!c->rounds[r]) {
		cs_round_state *s = xcalloc(1, sizeof(*s));
		vote_set_init(&s->vs[0], c->vs.n);
		vote_set_init(&s->vs[1], c->vs.n);
		s->sent = xcalloc(c->vs.n + 1, 1);
		c->rounds[r] = s;
	}
	return c->rounds[r];
}

static void clear_height(cs *c)
{
	for (size_t i = 0; i < c->nrounds; i++) {
		cs_round_state *s = c->rounds[i];
		if (!s)
			continue;
		vote_set_free(&s->vs[0]);
		vote_set_free(&s->vs[1]);
		free(s->sent);
		if (s->value)
			c->app.unref(c->app.ctx, s->value);
		free(s);
	}
	free(c->rounds);
	c->rounds = NULL;
	c->nrounds = 0;
	if (c->valid_value)
		c->app.unref(c->app.ctx, c->valid_value);
	c->valid_value = NULL;
	if (c->my_value)
		c->app.unref(c->app.ctx, c->my_value);
	c->my_value = NULL;
	c->own_proposal = false;
	c->ntimeouts = 0;
}

cs *cs_new(const cs_app *app, const cs_timeouts *t, uint64_t chain_id, const uint8_t *self)
{
	cs *c = xcalloc(1, sizeof(*c));
	c->app = *app;
	c->to = *t;
	c->chain_id = chain_id;
	if (self) {
		c->has_self = true;
		memcpy(c->self, self, 20);
	}
	return c;
}

void cs_free(cs *c)
{
	if (!c)
		return;
	clear_height(c);
	free(c->timeouts);
	valset_free(&c->vs);
	free(c);
}

static void schedule(cs *c, int kind, unsigned base)
{
	c->timeouts = xrealloc(c->timeouts, (c->ntimeouts + 1) * sizeof(timeout));
	timeout *t = &c->timeouts[c->ntimeouts++];
	t->at = c->now + base + (uint64_t)c->to.delta_ms * c->round;
	t->height = c->height;
	t->round = c->round;
	t->kind = kind;
}

static bool is_validator(const cs *c)
{
	return c->has_self && valset_index(&c->vs, c->self) >= 0;
}

static void add_vote(cs *c, const vote *v);

/* Sign, send and count our own vote. */
static void cast(cs *c, int type, const uint8_t hash[32])
{
	if (!is_validator(c))
		return;
	vote v;
	memset(&v, 0, sizeof(v));
	v.type = (uint8_t)type;
	v.chain_id = c->chain_id;
	v.height = c->height;
	v.round = c->round;
	memcpy(v.block_hash, hash, 32);
	memcpy(v.validator, c->self, 20);
	if (c->app.sign_vote(c->app.ctx, &v) != 0)
		return;
	c->app.send_vote(c->app.ctx, &v);
	add_vote(c, &v);
}

static void start_round(cs *c, uint32_t r);

static void take_proposal(cs *c, const proposal *p, cs_value *v, bool valid);

static void start_round(cs *c, uint32_t r)
{
	c->round = r;
	c->step = CS_PROPOSE;
	round_get(c, r);
	if (is_validator(c) && !memcmp(valset_proposer(&c->vs, c->height, r), c->self, 20)) {
		/* L14-19 */
		cs_value *v = c->valid_value;
		int32_t pol = c->valid_round;
		if (v)
			c->app.ref(c->app.ctx, v);
		else {
			v = c->app.get_value(c->app.ctx, c->height, r);
			pol = -1;
		}
		if (v) {
			proposal p;
			memset(&p, 0, sizeof(p));
			p.chain_id = c->chain_id;
			p.height = c->height;
			p.round = r;
			p.pol_round = pol;
			memcpy(p.block_hash, c->app.hash(c->app.ctx, v), 32);
			memcpy(p.proposer, c->self, 20); /* as cast() does: the callback only signs */
			if (c->app.sign_proposal(c->app.ctx, &p) == 0) {
				if (c->my_value)
					c->app.unref(c->app.ctx, c->my_value);
				c->my_prop = p;
				c->my_value = v;
				c->app.ref(c->app.ctx, v);
				c->own_proposal = true;
				c->app.send_proposal(c->app.ctx, &p, v);
				take_proposal(c, &p, v, true);
			}
			c->app.unref(c->app.ctx, v);
		}
	}
	schedule(c, CS_PROPOSE, c->to.propose_ms); /* L21 (a proposer that cannot propose times out too) */
}

/* Messages of round r from validator k count toward a round skip (L55). */
static void note_sender(cs *c, uint32_t r, int k)
{
	if (k < 0)
		return;
	cs_round_state *s = round_get(c, r);
	if (!s->sent[k]) {
		s->sent[k] = true;
		s->sent_power += c->vs.v[k].power;
	}
}

static void take_proposal(cs *c, const proposal *p, cs_value *v, bool valid)
{
	cs_round_state *s = round_get(c, p->round);
	if (s->has_proposal)
		return; /* the first one counts; a proposer sending two is byzantine */
	s->has_proposal = true;
	s->prop = *p;
	s->valid = valid;
	s->value = v;
	c->app.ref(c->app.ctx, v);
	note_sender(c, p->round, valset_index(&c->vs, p->proposer));
}

static void add_vote(cs *c, const vote *v)
{
	int k = valset_index(&c->vs, v->validator);
	if (k < 0)
		return;
	cs_round_state *s = round_get(c, v->round);
	vote_set *set = &s->vs[v->type == VOTE_PREVOTE ? 0 : 1];
	if (set->have[k]) {
		if (memcmp(set->votes[k].block_hash, v->block_hash, 32))
			c->app.evidence(c->app.ctx, &set->votes[k], v);
		return;
	}
	set->have[k] = true;
	set->votes[k] = *v;
	set->power += c->vs.v[k].power;
	size_t i;
	for (i = 0; i < set->nt && memcmp(set->t[i].hash, v->block_hash, 32); i++)
		;
	if (i == set->nt) {
		memcpy(set->t[i].hash, v->block_hash, 32);
		set->t[i].power = 0;
		set->nt++;
	}
	set->t[i].power += c->vs.v[k].power;
	note_sender(c, v->round, k);
}

/* A block with this hash, from any round's proposal. */
static cs_round_state *find_value(cs *c, const uint8_t hash[32])
{
	for (size_t r = 0; r < c->nrounds; r++)
		if (c->rounds[r] && c->rounds[r]->has_proposal && !memcmp(c->rounds[r]->prop.block_hash, hash, 32))
			return c->rounds[r];
	return NULL;
}

static bool locked_allows(const cs *c, const uint8_t hash[32], int32_t from_round)
{
	return c->locked_round == -1 || c->locked_round <= from_round || !memcmp(c->locked_hash, hash, 32);
}

static void decide(cs *c, uint32_t r, cs_round_state *with)
{
	cs_round_state *s = c->rounds[r];
	vote_set *set = &s->vs[1];
	commit cm;
	memset(&cm, 0, sizeof(cm));
	cm.height = c->height;
	cm.round = r;
	memcpy(cm.block_hash, with->prop.block_hash, 32);
	cm.votes = xcalloc(c->vs.n + 1, sizeof(vote));
	for (size_t k = 0; k < c->vs.n; k++)
		if (set->have[k] && !memcmp(set->votes[k].block_hash, cm.block_hash, 32))
			cm.votes[cm.nvotes++] = set->votes[k];
	c->decided = true;
	c->ntimeouts = 0;
	c->app.decide(c->app.ctx, with->value, &cm);
	free(cm.votes);
}

/* Apply every rule whose condition holds, until none does. */
static void run_rules(cs *c)
{
	bool again = true;
	while (again && !c->decided && c->started) {
		again = false;
		/* L49: a decision, in any round. */
		for (uint32_t r = 0; r < c->nrounds; r++) {
			cs_round_state *s = c->rounds[r];
			if (!s)
				continue;
			for (size_t i = 0; i < s->vs[1].nt; i++) {
				if (!memcmp(s->vs[1].t[i].hash, nil_hash, 32) || !valset_quorum(&c->vs, s->vs[1].t[i].power))
					continue;
				cs_round_state *w = find_value(c, s->vs[1].t[i].hash);
				if (w && w->valid) {
					decide(c, r, w);
					return;
				}
			}
		}
		/* L55: more than 1/3 of the power is already in a later round. */
		for (uint32_t r = c->round + 1; r < c->nrounds; r++)
			if (c->rounds[r] && valset_one_third(&c->vs, c->rounds[r]->sent_power)) {
				start_round(c, r);
				again = true;
				break;
			}
		if (again)
			continue;
		cs_round_state *s = round_get(c, c->round);
		if (c->step == CS_PROPOSE && s->has_proposal) {
			const uint8_t *h = s->prop.block_hash;
			int32_t vr = s->prop.pol_round;
			if (vr == -1) { /* L22 */
				cast(c, VOTE_PREVOTE, s->valid && locked_allows(c, h, -2) ? h : nil_hash);
				c->step = CS_PREVOTE;
				again = true;
			} else if (vr >= 0 && (uint32_t)vr < c->round && c->rounds[vr] &&
				   valset_quorum(&c->vs, power_for(&c->rounds[vr]->vs[0], h))) { /* L28 */
				cast(c, VOTE_PREVOTE, s->valid && locked_allows(c, h, vr) ? h : nil_hash);
				c->step = CS_PREVOTE;
				again = true;
			}
		}
		if (c->step == CS_PREVOTE && !s->t_prevote && valset_quorum(&c->vs, s->vs[0].power)) { /* L34 */
			s->t_prevote = true;
			schedule(c, CS_PREVOTE, c->to.prevote_ms);
		}
		if (c->step >= CS_PREVOTE && !s->l36 && s->has_proposal && s->valid &&
		    valset_quorum(&c->vs, power_for(&s->vs[0], s->prop.block_hash))) { /* L36 */
			s->l36 = true;
			if (c->step == CS_PREVOTE) {
				c->locked_round = (int32_t)c->round;
				memcpy(c->locked_hash, s->prop.block_hash, 32);
				cast(c, VOTE_PRECOMMIT, s->prop.block_hash);
				c->step = CS_PRECOMMIT;
			}
			if (c->valid_value)
				c->app.unref(c->app.ctx, c->valid_value);
			c->valid_value = s->value;
			c->app.ref(c->app.ctx, s->value);
			c->valid_round = (int32_t)c->round;
			again = true;
		}
		if (c->step == CS_PREVOTE && valset_quorum(&c->vs, power_for(&s->vs[0], nil_hash))) { /* L44 */
			cast(c, VOTE_PRECOMMIT, nil_hash);
			c->step = CS_PRECOMMIT;
			again = true;
		}
		if (!s->t_precommit && valset_quorum(&c->vs, s->vs[1].power)) { /* L47 */
			s->t_precommit = true;
			schedule(c, CS_PRECOMMIT, c->to.precommit_ms);
		}
	}
}

void cs_start_height(cs *c, uint64_t height, const valset *vs, uint64_t now_ms, uint32_t first_round,
		     int32_t locked_round, const uint8_t locked_hash[32])
{
	clear_height(c);
	valset_free(&c->vs);
	valset_copy(&c->vs, vs);
	c->now = now_ms;
	c->height = height;
	c->decided = false;
	c->started = true;
	c->locked_round = locked_round;
	memset(c->locked_hash, 0, 32);
	if (locked_round >= 0 && locked_hash)
		memcpy(c->locked_hash, locked_hash, 32);
	c->valid_round = -1;
	start_round(c, first_round);
	run_rules(c);
}

static bool in_window(const cs *c, uint64_t height, uint32_t round)
{
	return c->started && !c->decided && height == c->height && round <= c->round + MAX_ROUND_AHEAD;
}

void cs_on_proposal(cs *c, const proposal *p, cs_value *v, bool valid, uint64_t now_ms)
{
	c->now = now_ms;
	if (!in_window(c, p->height, p->round) || p->chain_id != c->chain_id ||
	    memcmp(p->proposer, valset_proposer(&c->vs, p->height, p->round), 20) ||
	    memcmp(p->block_hash, c->app.hash(c->app.ctx, v), 32))
		return;
	take_proposal(c, p, v, valid);
	run_rules(c);
}

void cs_on_vote(cs *c, const vote *v, uint64_t now_ms)
{
	c->now = now_ms;
	if (!in_window(c, v->height, v->round) || v->chain_id != c->chain_id ||
	    (v->type != VOTE_PREVOTE && v->type != VOTE_PRECOMMIT))
		return;
	add_vote(c, v);
	run_rules(c);
}

void cs_tick(cs *c, uint64_t now_ms)
{
	c->now = now_ms;
	for (size_t i = 0; i < c->ntimeouts && !c->decided;) {
		timeout t = c->timeouts[i];
		if (t.at > now_ms) {
			i++;
			continue;
		}
		c->timeouts[i] = c->timeouts[--c->ntimeouts];
		if (t.height != c->height)
			continue;
		if (t.kind == CS_PROPOSE && t.round == c->round && c->step == CS_PROPOSE) { /* L57 */
			cast(c, VOTE_PREVOTE, nil_hash);
			c->step = CS_PREVOTE;
		} else if (t.kind == CS_PREVOTE && t.round == c->round && c->step == CS_PREVOTE) { /* L61 */
			cast(c, VOTE_PRECOMMIT, nil_hash);
			c->step = CS_PRECOMMIT;
		} else if (t.kind == CS_PRECOMMIT && t.round == c->round) { /* L65 */
			start_round(c, c->round + 1);
		}
		run_rules(c);
		i = 0;
	}
}

uint64_t cs_deadline(const cs *c)
{
	uint64_t d = UINT64_MAX;
	for (size_t i = 0; i < c->ntimeouts; i++)
		if (c->timeouts[i].at < d)
			d = c->timeouts[i].at;
	return d;
}

void cs_rebroadcast(cs *c)
{
	if (!c->started || c->decided || !is_validator(c))
		return;
	int k = valset_index(&c->vs, c->self);
	if (c->own_proposal && c->my_prop.round == c->round)
		c->app.send_proposal(c->app.ctx, &c->my_prop, c->my_value);
	for (uint32_t r = c->round > 0 ? c->round - 1 : 0; r <= c->round; r++) {
		cs_round_state *s = r < c->nrounds ? c->rounds[r] : NULL;
		for (int t = 0; s && t < 2; t++)
			if (s->vs[t].have[k])
				c->app.send_vote(c->app.ctx, &s->vs[t].votes[k]);
	}
}

uint64_t cs_height(const cs *c)
{
	return c->height;
}

uint32_t cs_round(const cs *c)
{
	return c->round;
}

int cs_step(const cs *c)
{
	return c->step;
}

bool cs_decided(const cs *c)
{
	return c->decided;
}

const uint8_t *cs_missing_block(const cs *c)
{
	for (uint32_t r = 0; r < c->nrounds; r++) {
		cs_round_state *s = c->rounds[r];
		for (size_t i = 0; s && i < s->vs[1].nt; i++)
			if (memcmp(s->vs[1].t[i].hash, nil_hash, 32) && valset_quorum(&c->vs, s->vs[1].t[i].power) &&
			    !find_value((cs *)c, s->vs[1].t[i].hash))
				return s->vs[1].t[i].hash;
	}
	return NULL;
}
