/* fakeenv.c: an in-memory chain state for calling native contracts in tests. */
#include "lst.h"
#include "fakeenv.h"
#include "abi.h"
#include "diag.h"
#include "msg.h"
#include "unit.h"

#include <jansson.h>

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

int fake_call(contract_result *r, fake_chain *f, fake_undo *u, contract_env *e, const uint8_t *cd, size_t len)
{
	const contract_def *c = contract_find(e->self);
	u->before = *f;
	r->ok = false;
	r->ret = (buf)BUF_INIT;
	if (!u256_is_zero(&e->value) && fake_transfer(f, e->caller, e->self, &e->value))
		return 0;
	memcpy(u->paid, f->acct, sizeof(u->paid));
	u->npaid = f->nacct;
	return c->call(r, e, cd, len);
}

bool fake_same_accounts(const fake_account *a, size_t na, const fake_account *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (memcmp(a[i].addr, b[i].addr, 20) || u256_cmp(&a[i].bal, &b[i].bal))
			return false;
	return true;
}

bool fake_unchanged(contract_result *r, fake_chain *f, const fake_undo *u, bool same, const char *why)
{
	if (same && (f->nput != u->before.nput || f->nlog != u->before.nlog ||
		     !fake_same_accounts(f->acct, f->nacct, u->paid, u->npaid))) {
		diagf("the revert \"%s\" came after a change of state", why);
		same = false;
	}
	buf_free(&r->ret);
	*f = u->before;
	return same && fake_same_accounts(f->acct, f->nacct, u->before.acct, u->before.nacct);
}

void fake_sign32(uint8_t sig[65], const uint8_t priv[32], const uint8_t hash[32])
{
	uint8_t digest[32];
	msg_hash(digest, hash, 32);
	if (msg_sign(sig, priv, digest) < 0)
		diag_die(LST_EFAIL, "msg_sign");
}

static bool indexed_as(json_t *inputs, const char *flags)
{
	size_t k;
	json_t *in;
	if (json_array_size(inputs) != strlen(flags))
		return false;
	json_array_foreach(inputs, k, in)
		if (json_is_true(json_object_get(in, "indexed")) != (flags[k] == 'i'))
			return false;
	return true;
}

/* Calldata of signature with each input zero or empty, by its type in the ABI json. */
static int zero_call(buf *out, const char *signature, json_t *inputs)
{
	static const uint8_t zero[32];
	abi_value args[8];
	size_t k;
	json_t *in;
	u256 z = u256_from_u64(0);
	if (json_array_size(inputs) > ARRAY_SIZE(args))
		return -1;
	json_array_foreach(inputs, k, in) {
		const char *t = json_string_value(json_object_get(in, "type"));
		if (!t)
			return -1;
		if (!strcmp(t, "address"))
			args[k] = abi_address(zero);
		else if (!strcmp(t, "bytes32"))
			args[k] = abi_fixed_bytes(zero, 32);
		else if (!strcmp(t, "uint256"))
			args[k] = abi_u256(&z);
		else if (!strcmp(t, "bool"))
			args[k] = abi_bool(false);
		else if (!strcmp(t, "string"))
			args[k] = abi_string("");
		else if (!strcmp(t, "bytes"))
			args[k] = abi_bytes(zero, 0);
		else if (!strcmp(t, "uint256[]"))
			args[k] = abi_array(NULL, 0, false);
		else
			return -1;
	}
	return abi_encode_call(out, signature, args, json_array_size(inputs));
}

/* A function of the ABI json called read-only with zero arguments, then with LST sent. The problems. */
static size_t check_function(fake_chain *f, fake_undo *u, contract_env env, const char *sig, const char *mut,
			     json_t *inputs, const char *view_reason, const char *no_value)
{
	contract_result r;
	char *why = NULL;
	buf cd = BUF_INIT;
	size_t bad = 0;
	if (zero_call(&cd, sig, inputs) < 0) {
		diagf("%s: cannot encode zero arguments", sig);
		bad++;
	}
	env.readonly = true;
	if (fake_call(&r, f, u, &env, cd.p, cd.len) < 0 || (!r.ok && abi_revert_reason(&why, r.ret.p, r.ret.len) < 0)) {
		bad++;
	} else if (mut && !strcmp(mut, "view") ? !r.ok && strcmp(why, view_reason)
					       : !why || strcmp(why, "state change in a read-only call")) {
		diagf("%s (%s): %s", sig, mut ? mut : "?", why ? why : "returned");
		bad++;
	}
	free(why);
	why = NULL;
	buf_free(&r.ret);
	*f = u->before;
	env.readonly = false;
	env.value = u256_from_u64(1);
	if (fake_call(&r, f, u, &env, cd.p, cd.len) < 0) {
		bad++;
	} else {
		bool refused = !r.ok && abi_revert_reason(&why, r.ret.p, r.ret.len) == 0 && !strcmp(why, no_value);
		if (refused != (mut && strcmp(mut, "payable") != 0)) {
			diagf("%s (%s) with LST sent: %s", sig, mut ? mut : "?", why ? why : "returned");
			bad++;
		}
	}
	free(why);
	buf_free(&r.ret);
	*f = u->before;
	buf_free(&cd);
	return bad;
}

int fake_abi_check(size_t *nfn, size_t *nev, uint32_t *seen_fn, uint32_t *seen_ev, fake_chain *f, fake_undo *u,
		   contract_env env, const char *path, const char *header, const fake_abi_fn *fns, size_t nfns,
		   const fake_abi_event *evs, size_t nevs, const char *view_reason, const char *no_value)
{
	json_error_t err;
	json_t *abi = json_load_file(path, 0, &err), *e;
	size_t i, bad = 0;
	*nfn = *nev = 0;
	*seen_fn = *seen_ev = 0;
	if (!abi) {
		diagf("%s: %s", path, err.text);
		return -1;
	}
	json_array_foreach(abi, i, e) {
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *name = json_string_value(json_object_get(e, "name"));
		json_t *inputs = json_object_get(e, "inputs"), *in;
		buf sig = BUF_INIT;
		size_t k, x;
		buf_addf(&sig, "%s(", name ? name : "?");
		json_array_foreach(inputs, k, in) {
			const char *n = json_string_value(json_object_get(in, "name"));
			buf_addf(&sig, "%s%s", k ? "," : "", json_string_value(json_object_get(in, "type")));
			if (!n || !*n) {
				diagf("%s: an input without a name", name);
				bad++;
			}
		}
		buf_adds(&sig, ")");
		if (type && !strcmp(type, "event")) {
			(*nev)++;
			for (x = 0; x < nevs && strcmp(evs[x].sig, (char *)sig.p); x++)
				;
			if (x == nevs || !indexed_as(inputs, evs[x].indexed) ||
			    json_is_true(json_object_get(e, "anonymous"))) {
				diagf("event %s: not in %s or indexed otherwise", (char *)sig.p, header);
				bad++;
			} else {
				if (evs[x].topic)
					abi_event_topic(evs[x].topic, (char *)sig.p);
				*seen_ev |= 1u << x;
			}
		} else if (type && !strcmp(type, "function")) {
			const char *mut = json_string_value(json_object_get(e, "stateMutability"));
			(*nfn)++;
			for (x = 0; x < nfns && strcmp(fns[x].sig, (char *)sig.p); x++)
				;
			if (x == nfns || !mut || strcmp(fns[x].mut, mut)) {
				diagf("function %s (%s): not so in %s", (char *)sig.p, mut ? mut : "?", header);
				bad++;
			} else {
				*seen_fn |= 1u << x;
			}
			bad += check_function(f, u, env, (char *)sig.p, mut, inputs, view_reason, no_value);
		} else {
			bad++;
		}
		buf_free(&sig);
	}
	json_decref(abi);
	return (int)bad;
}
