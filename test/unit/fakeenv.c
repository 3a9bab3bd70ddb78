/* fakeenv.c: an in-memory chain state for calling native contracts in tests. */
#include "lst.h"
#include "fakeenv.h"
#include "abi.h"
#include "diag.h"
#include "unit.h"

fake_account *fake_find_account(fake_chain *f, const uint8_t addr[20], bool create)
{
	for (size_t i = 0; i < f->nacct; i++)
		if (!memcmp(f->acct[i].addr, addr, 20))
			return &f->acct[i];
	if (!create || f->nacct == ARRAY_SIZE(f->acct))
		return NULL;
	fake_account *x = &f->acct[f->nacct++];
	memcpy(x->addr, addr, 20);
	x->bal = u256_from_u64(0);
	return x;
}

void fake_fund(fake_chain *f, const uint8_t addr[20], uint64_t amount)
{
	fake_account *x = fake_find_account(f, addr, true);
	if (!x)
		diag_die(LST_EFAIL, "fake accounts full");
	x->bal = u256_from_u64(amount);
}

uint64_t fake_balance_u64(fake_chain *f, const uint8_t addr[20])
{
	fake_account *x = fake_find_account(f, addr, false);
	return x ? x->bal.w[0] : 0;
}

int fake_balance(void *ctx, u256 *out, const uint8_t addr[20])
{
	fake_chain *f = ctx;
	fake_account *a = fake_find_account(f, addr, false);
	if (f->fail)
		return -1;
	*out = a ? a->bal : u256_from_u64(0);
	return 0;
}

int fake_transfer(void *ctx, const uint8_t from[20], const uint8_t to[20], const u256 *amount)
{
	fake_chain *f = ctx;
	fake_account *a = fake_find_account(f, from, false), *b;
	u256 na, nb;
	if (f->fail)
		return -1;
	if (!a || u256_cmp(&a->bal, amount) < 0)
		return 1;
	if (!(b = fake_find_account(f, to, true)))
		return -1;
	if (u256_sub(&na, &a->bal, amount) < 0)
		return 1;
	a->bal = na;
	if (u256_add(&nb, &b->bal, amount) < 0)
		return -1;
	b->bal = nb;
	return 0;
}

int fake_total_supply(void *ctx, u256 *out)
{
	fake_chain *f = ctx;
	u256 s = u256_from_u64(0);
	if (f->fail)
		return -1;
	for (size_t i = 0; i < f->nacct; i++)
		if (u256_add(&s, &s, &f->acct[i].bal) < 0)
			return -1;
	*out = s;
	return 0;
}

fake_slot *fake_find_slot(fake_chain *f, const uint8_t self[20], const uint8_t *key, size_t klen)
{
	for (size_t i = 0; i < f->nslot; i++)
		if (!memcmp(f->slots[i].self, self, 20) && f->slots[i].klen == klen &&
		    !memcmp(f->slots[i].key, key, klen))
			return &f->slots[i];
	return NULL;
}

int fake_storage_get(void *ctx, buf *out, const uint8_t self[20], const uint8_t *key, size_t klen)
{
	fake_chain *f = ctx;
	fake_slot *s = fake_find_slot(f, self, key, klen);
	if (f->fail)
		return -1;
	if (!s)
		return 1;
	buf_reset(out);
	buf_add(out, s->val, s->vlen);
	return 0;
}

int fake_storage_put(void *ctx, const uint8_t self[20], const uint8_t *key, size_t klen,
		     const uint8_t *val, size_t vlen)
{
	fake_chain *f = ctx;
	fake_slot *s = fake_find_slot(f, self, key, klen);
	if (f->fail || klen > sizeof(s->key) || vlen > sizeof(s->val))
		return -1;
	f->nput++;
	if (!vlen) { /* delete */
		if (s)
			*s = f->slots[--f->nslot];
		return 0;
	}
	if (!s) {
		if (f->nslot == ARRAY_SIZE(f->slots))
			return -1;
		s = &f->slots[f->nslot++];
		memcpy(s->self, self, 20);
		memcpy(s->key, key, klen);
		s->klen = klen;
	}
	memcpy(s->val, val, vlen);
	s->vlen = vlen;
	return 0;
}

void fake_log(void *ctx, const uint8_t self[20], const uint8_t (*topics)[32], size_t ntopics,
	      const uint8_t *data, size_t len)
{
	fake_chain *f = ctx;
	if (f->nlog == ARRAY_SIZE(f->logs) || ntopics > ARRAY_SIZE(f->logs[0].topics) ||
	    len > sizeof(f->logs[0].data))
		diag_die(LST_EFAIL, "fake log full");
	fake_logrec *l = &f->logs[f->nlog++];
	memcpy(l->self, self, 20);
	memcpy(l->topics, topics, 32 * ntopics);
	l->ntopics = ntopics;
	memcpy(l->data, data, len);
	l->len = len;
}

const fake_logrec *fake_log_at(const fake_chain *f, size_t i)
{
	return i < f->nlog ? &f->logs[i] : NULL;
}

contract_env fake_env(fake_chain *f, const uint8_t self[20], const uint8_t caller[20],
		      uint64_t height)
{
	contract_env e = {
		.ctx = f, .caller = caller, .self = self, .height = height, .time = 1700000000,
		.balance = fake_balance, .transfer = fake_transfer,
		.total_supply = fake_total_supply, .storage_get = fake_storage_get,
		.storage_put = fake_storage_put, .log = fake_log,
	};
	return e;
}

bool reverted_with(const contract_result *r, const char *want)
{
	char *why = NULL;
	bool same = !r->ok && abi_revert_reason(&why, r->ret.p, r->ret.len) == 0 &&
		    !strcmp(why, want);
	if (!same)
		diagf("want revert \"%s\", got %s \"%s\"", want, r->ok ? "ok" : "revert",
		      why ? why : "");
	free(why);
	return same;
}
