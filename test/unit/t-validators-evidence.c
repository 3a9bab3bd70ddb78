/* The validators and evidence contracts against an in-memory chain. */
#include "lst.h"
#include "unit.h"
#include "abi.h"
#include "block.h"
#include "buf.h"
#include "contract.h"
#include "diag.h"
#include "evidence.h"
#include "fakeenv.h"
#include "hex.h"
#include "secp.h"
#include "validators.h"

#define CHAIN_ID 4242

static const uint8_t validators_addr[20] = VALIDATORS_ADDRESS_BYTES;
static const uint8_t evidence_addr[20] = EVIDENCE_ADDRESS_BYTES;
static uint8_t F[20], A[20], V1[20], V2[20];
static fake_chain chain;

static void reset_chain(void)
{
	memset(&chain, 0, sizeof(chain));
}

static contract_env env_for(const uint8_t self[20], const uint8_t caller[20], uint64_t height)
{
	contract_env e = fake_env(&chain, self, caller, height);
	e.chain_id = CHAIN_ID;
	e.foundation = F;
	return e;
}

/* Calls e->self; 0 or -1 from call, result in *r (caller frees r->ret). */
static int call_env(contract_result *r, contract_env *e, const buf *calldata)
{
	const contract_def *c = contract_find(e->self);
	r->ok = false;
	r->ret = (buf)BUF_INIT;
	if (!c)
		diag_die(LST_EFAIL, "no contract at self");
	return c->call(r, e, calldata->p, calldata->len);
}

static int call_at(contract_result *r, contract_env *e, const char *sig, const abi_value *args,
		   size_t n)
{
	buf cd = BUF_INIT;
	int rc;
	if (abi_encode_call(&cd, sig, args, n) < 0)
		diag_die(LST_EFAIL, "cannot encode %s", sig);
	rc = call_env(r, e, &cd);
	buf_free(&cd);
	return rc;
}

static bool returned_u256(contract_result *r, uint64_t want)
{
	abi_value v[1];
	size_t n;
	bool same = false;
	if (r->ok && abi_decode(v, 1, &n, "uint256", r->ret.p, r->ret.len) == 0) {
		same = r->ret.len == 32 && u256_fits_u64(&v[0].u) && v[0].u.w[0] == want;
		abi_free(v, n);
	}
	return same;
}

static void done(contract_result *r)
{
	buf_free(&r->ret);
}

static void be64(uint8_t *p, uint64_t x)
{
	for (int i = 7; i >= 0; i--, x >>= 8)
		p[i] = (uint8_t)x;
}

static void word_u64(uint8_t w[32], uint64_t x)
{
	memset(w, 0, 32);
	be64(w + 24, x);
}

static const char *topic_hex(const uint8_t t[32])
{
	static char s[67];
	hex_encode(s, t, 32);
	return s;
}

/* ---- validators ---- */

/* setValidator(v, power) from caller at height. */
static int set_validator(contract_result *r, const uint8_t caller[20], uint64_t height,
			 const uint8_t v[20], const u256 *power)
{
	contract_env e = env_for(validators_addr, caller, height);
	abi_value args[2] = {abi_address(v), abi_u256(power)};
	return call_at(r, &e, "setValidator(address,uint256)", args, 2);
}

static int set_validator64(contract_result *r, const uint8_t caller[20], uint64_t height,
			   const uint8_t v[20], uint64_t power)
{
	u256 p = u256_from_u64(power);
	return set_validator(r, caller, height, v, &p);
}

static fake_slot *update_slot(uint64_t effective)
{
	uint8_t key[12];
	validators_update_key(key, effective);
	return fake_find_slot(&chain, validators_addr, key, sizeof(key));
}

/* The stored record i of the update at effective is (v, power). */
static bool record_is(const fake_slot *s, size_t i, const uint8_t v[20], uint64_t power)
{
	uint8_t p[8];
	be64(p, power);
	return s && s->vlen >= (i + 1) * 28 && !memcmp(s->val + 28 * i, v, 20) &&
	       !memcmp(s->val + 28 * i + 20, p, 8);
}

static bool update_log_is(size_t i, const uint8_t v[20], uint64_t power, uint64_t effective)
{
	uint8_t t[32], wv[32], data[64];
	const fake_logrec *l = fake_log_at(&chain, i);
	if (!l)
		return false;
	abi_event_topic(t, "ValidatorUpdate(address,uint256,uint256)");
	abi_address_word(wv, v);
	word_u64(data, power);
	word_u64(data + 32, effective);
	return !memcmp(l->self, validators_addr, 20) && l->ntopics == 2 &&
	       !memcmp(l->topics[0], t, 32) && !memcmp(l->topics[1], wv, 32) && l->len == 64 &&
	       !memcmp(l->data, data, 64);
}

static void test_registry(void)
{
	uint8_t four[20] = VALIDATORS_ADDRESS_BYTES;
	const contract_def *v = contract_find(validators_addr), *e = contract_find(evidence_addr);
	char s[43];
	ok(v == &validators_contract && !strcmp(v->name, "validators"),
	   "contract_find finds the validators contract");
	hex_encode(s, v->address, 20);
	ok(!strcmp(s, "0x4c53540000000000000000000000000000000002") &&
		   !memcmp(VALIDATORS_ADDRESS, v->address, 20),
	   "validators address is %s", s);
	ok(e == &evidence_contract && !strcmp(e->name, "evidence"),
	   "contract_find finds the evidence contract");
	hex_encode(s, e->address, 20);
	ok(!strcmp(s, "0x4c53540000000000000000000000000000000003") &&
		   !memcmp(EVIDENCE_ADDRESS, e->address, 20),
	   "evidence address is %s", s);
	four[19] = 6;
	ok(!contract_find(four) && contract_find(validators_addr) != contract_find(evidence_addr),
	   "0x...06 is no contract (0x...04 is the market, 0x...05 the subscriptions)");
}

/*
 * Every function in an ABI JSON file is dispatched with its stated
 * mutability, and its events are the ones the contract logs.
 */
static void check_abi_json(const char *path, const uint8_t self[20], size_t want_fn,
			   const char *const *events, size_t want_ev)
{
	json_error_t err;
	json_t *abi = json_load_file(path, 0, &err);
	size_t i, nfn = 0, nev = 0, bad = 0;
	json_t *e;
	if (!abi)
		diagf("%s: %s", path, err.text);
	json_array_foreach(abi, i, e) {
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *name = json_string_value(json_object_get(e, "name"));
		buf sig = BUF_INIT;
		size_t k;
		json_t *in;
		buf_addf(&sig, "%s(", name);
		json_array_foreach(json_object_get(e, "inputs"), k, in)
			buf_addf(&sig, "%s%s", k ? "," : "",
				 json_string_value(json_object_get(in, "type")));
		buf_adds(&sig, ")");
		if (!strcmp(type, "event")) {
			bool known = false;
			nev++;
			for (size_t j = 0; j < want_ev; j++)
				known |= !strcmp((char *)sig.p, events[j]);
			if (!known)
				diagf("%s: unexpected event %s", path, (char *)sig.p);
			bad += !known;
		} else {
			/* Zero arguments of the right size, read-only: views return, writes refuse. */
			contract_result r;
			buf cd = BUF_INIT;
			uint8_t sel[4], zero[96] = {0};
			contract_env env = env_for(self, A, 7);
			const char *mut = json_string_value(json_object_get(e, "stateMutability"));
			bool view = !strcmp(mut, "view");
			nfn++;
			abi_selector(sel, (char *)sig.p);
			buf_add(&cd, sel, 4);
			buf_add(&cd, zero, 32 * json_array_size(json_object_get(e, "inputs")));
			env.readonly = true;
			if (call_env(&r, &env, &cd) < 0) {
				bad++;
			} else if (view ? !r.ok : !reverted_with(&r, "state change in a read-only call")) {
				diagf("%s: %s in a read-only call", (char *)sig.p,
				      r.ok ? "returned" : "reverted");
				bad++;
			}
			done(&r);
			buf_free(&cd);
		}
		buf_free(&sig);
	}
	ok(abi && nfn == want_fn && nev == want_ev && !bad && chain.nput == 0 && chain.nlog == 0,
	   "%s: %zu functions all dispatched, views read-only, %zu events", path, nfn, nev);
	json_decref(abi);
}

static void test_abi_json(void)
{
	static const char *const vev[] = {"ValidatorUpdate(address,uint256,uint256)"};
	static const char *const eev[] = {"DoubleSign(address,uint256,uint256,uint8,address)"};
	uint8_t sel[4];
	char s[11];
	reset_chain();
	check_abi_json("contracts/validators.abi.json", validators_addr, 1, vev, 1);
	check_abi_json("contracts/evidence.abi.json", evidence_addr, 2, eev, 1);
	abi_selector(sel, "setValidator(address,uint256)");
	hex_encode(s, sel, 4);
	ok(!strcmp(s, "0xabb9406b"), "setValidator(address,uint256) is %s", s);
	abi_selector(sel, "submit(bytes,bytes)");
	hex_encode(s, sel, 4);
	ok(!strcmp(s, "0x39b973ad"), "submit(bytes,bytes) is %s", s);
	abi_selector(sel, "count(address)");
	hex_encode(s, sel, 4);
	ok(!strcmp(s, "0x05d85eda"), "count(address) is %s", s);
}

static void test_update_key_and_parse(void)
{
	static const uint8_t want[12] = {'u', 'p', 'd', ':', 0x01, 0x02, 0x03, 0x04,
					 0x05, 0x06, 0x07, 0x08};
	uint8_t key[12], val[57];
	validator_update *u = (validator_update *)&u; /* not NULL: must be reset */
	size_t n = 99;

	validators_update_key(key, UINT64_C(0x0102030405060708));
	ok(!memcmp(key, want, 12), "validators_update_key is \"upd:\" || 8-byte big-endian height");

	memcpy(val, V1, 20);
	be64(val + 20, 10);
	memcpy(val + 28, V2, 20);
	be64(val + 48, UINT64_C(1) << 62);
	ok(validators_parse_updates(&u, &n, val, 56) == 0 && n == 2 &&
		   !memcmp(u[0].address, V1, 20) && u[0].power == 10 &&
		   !memcmp(u[1].address, V2, 20) && u[1].power == UINT64_C(1) << 62,
	   "validators_parse_updates: two records in order");
	free(u);
	u = (validator_update *)&u;
	ok(validators_parse_updates(&u, &n, val, 0) == 0 && n == 0 && !u,
	   "validators_parse_updates: empty value, no records");
	ok(validators_parse_updates(&u, &n, val, 27) < 0 && !u && n == 0 &&
		   validators_parse_updates(&u, &n, val, 29) < 0 &&
		   validators_parse_updates(&u, &n, val, 57) < 0 &&
		   validators_parse_updates(&u, &n, val, 1) < 0,
	   "validators_parse_updates: lengths 27, 29, 57, 1 refused");
}

static void test_set_validator(void)
{
	contract_result r;
	fake_slot *s;
	reset_chain();

	ok(set_validator64(&r, F, 7, V1, 10) == 0 && r.ok && r.ret.len == 0,
	   "foundation setValidator(V1, 10) at height 7 returns nothing");
	done(&r);
	s = update_slot(9);
	ok(s && chain.nslot == 1 && s->klen == 12 && s->vlen == 28 && record_is(s, 0, V1, 10),
	   "stored at \"upd:\" || 9: V1 || 10 (28 bytes)");
	ok(chain.nlog == 1 && update_log_is(0, V1, 10, 9),
	   "ValidatorUpdate(V1, 10, 9) logged with exact topics and data");
	ok(!strcmp(topic_hex(chain.logs[0].topics[0]),
		   "0x78541d2f9291fed7a3831bc54e30de85edd8467ffad13c71b65aeb68521255d6"),
	   "topic 0 is keccak(\"ValidatorUpdate(address,uint256,uint256)\")");

	ok(set_validator64(&r, F, 7, V2, 5) == 0 && r.ok, "setValidator(V2, 5) in the same block");
	done(&r);
	s = update_slot(9);
	ok(s && s->vlen == 56 && record_is(s, 0, V1, 10) && record_is(s, 1, V2, 5) &&
		   chain.nlog == 2 && update_log_is(1, V2, 5, 9),
	   "... appended after V1, in call order");
	ok(set_validator64(&r, F, 7, V1, 20) == 0 && r.ok, "setValidator(V1, 20) in the same block");
	done(&r);
	s = update_slot(9);
	ok(s && s->vlen == 56 && record_is(s, 0, V1, 20) && record_is(s, 1, V2, 5) &&
		   chain.nlog == 3 && update_log_is(2, V1, 20, 9),
	   "... replaces V1's power in place");

	ok(set_validator64(&r, F, 8, V1, 0) == 0 && r.ok, "setValidator(V1, 0) at height 8");
	done(&r);
	s = update_slot(10);
	ok(s && s->vlen == 28 && record_is(s, 0, V1, 0) && update_log_is(3, V1, 0, 10) &&
		   update_slot(9) && update_slot(9)->vlen == 56,
	   "removal recorded at \"upd:\" || 10 with power 0; height 9's changes kept");

	validator_update *u;
	size_t n;
	s = update_slot(9);
	ok(s && validators_parse_updates(&u, &n, s->val, s->vlen) == 0 && n == 2 &&
		   !memcmp(u[0].address, V1, 20) && u[0].power == 20 &&
		   !memcmp(u[1].address, V2, 20) && u[1].power == 5,
	   "the stored value parses back: V1 20, V2 5");
	free(u);

	ok(set_validator64(&r, F, 8, V2, UINT64_C(1) << 62) == 0 && r.ok &&
		   record_is(update_slot(10), 1, V2, UINT64_C(1) << 62),
	   "power 2^62 is accepted");
	done(&r);
}

static void test_set_validator_refusals(void)
{
	contract_result r;
	contract_env e;
	u256 big;
	size_t nput, nlog;
	buf cd = BUF_INIT;
	static const uint8_t zero[20];
	reset_chain();

	ok(set_validator64(&r, A, 7, V1, 10) == 0 && reverted_with(&r, "not the foundation"),
	   "setValidator from another account reverts \"not the foundation\"");
	done(&r);
	ok(set_validator64(&r, V1, 7, V1, 10) == 0 && reverted_with(&r, "not the foundation"),
	   "a validator cannot set itself");
	done(&r);
	ok(set_validator64(&r, F, 7, V1, (UINT64_C(1) << 62) + 1) == 0 &&
		   reverted_with(&r, "power too large"),
	   "power 2^62 + 1 reverts \"power too large\"");
	done(&r);
	big = u256_from_u64(1);
	big.w[1] = 1; /* 2^64 + 1: its low word is small */
	ok(set_validator(&r, F, 7, V1, &big) == 0 && reverted_with(&r, "power too large"),
	   "power 2^64 + 1 reverts \"power too large\"");
	done(&r);
	ok(set_validator64(&r, F, 7, zero, 10) == 0 &&
		   reverted_with(&r, "the zero address cannot be a validator"),
	   "the zero address reverts");
	done(&r);
	ok(set_validator64(&r, F, 7, zero, 0) == 0 &&
		   reverted_with(&r, "the zero address cannot be a validator"),
	   "removing the zero address reverts too");
	done(&r);

	abi_value args[2] = {abi_address(V1), abi_u64(10)};
	e = env_for(validators_addr, F, 7);
	e.value = u256_from_u64(1);
	ok(call_at(&r, &e, "setValidator(address,uint256)", args, 2) == 0 &&
		   reverted_with(&r, "validators does not accept LST sent with a call"),
	   "setValidator with LST sent reverts");
	done(&r);
	e = env_for(validators_addr, F, 7);
	e.readonly = true;
	ok(call_at(&r, &e, "setValidator(address,uint256)", args, 2) == 0 &&
		   reverted_with(&r, "state change in a read-only call"),
	   "setValidator in a read-only call reverts");
	done(&r);
	e = env_for(validators_addr, F, 7);
	e.foundation = NULL;
	ok(call_at(&r, &e, "setValidator(address,uint256)", args, 2) == 0 &&
		   reverted_with(&r, "not the foundation"),
	   "without a foundation nobody may set validators");
	done(&r);
	ok(chain.nput == 0 && chain.nslot == 0 && chain.nlog == 0,
	   "the refused calls stored and logged nothing");

	e = env_for(validators_addr, F, 7);
	ok(call_env(&r, &e, &cd) == 0 && reverted_with(&r, "no function selector"),
	   "empty calldata reverts \"no function selector\"");
	done(&r);
	buf_add(&cd, "\xde\xad\xbe\xef", 4);
	ok(call_env(&r, &e, &cd) == 0 && reverted_with(&r, "unknown function selector 0xdeadbeef"),
	   "unknown selector reverts");
	done(&r);
	buf_reset(&cd);
	if (abi_encode_call(&cd, "setValidator(address,uint256)", args, 2) < 0)
		diag_die(LST_EFAIL, "encode");
	cd.p[4 + 3] = 1; /* dirty address padding */
	ok(call_env(&r, &e, &cd) == 0 &&
		   reverted_with(&r, "invalid arguments for setValidator(address,uint256)"),
	   "dirty padding in the address is refused");
	done(&r);
	cd.p[4 + 3] = 0;
	cd.len--;
	ok(call_env(&r, &e, &cd) == 0 &&
		   reverted_with(&r, "invalid arguments for setValidator(address,uint256)"),
	   "truncated arguments are refused");
	done(&r);
	cd.len++;

	/* A failing state is not a revert: call returns -1. */
	chain.fail = true;
	ok(call_env(&r, &e, &cd) < 0, "a failing storage makes setValidator return -1");
	done(&r);
	chain.fail = false;
	ok(chain.nput == 0 && chain.nlog == 0, "... and nothing is logged");

	/* A stored value that is not a sequence of records is not ours: -1. */
	uint8_t key[12], junk[5] = {1, 2, 3, 4, 5};
	validators_update_key(key, 9);
	if (fake_storage_put(&chain, validators_addr, key, 12, junk, sizeof(junk)) < 0)
		diag_die(LST_EFAIL, "fake put");
	nput = chain.nput;
	nlog = chain.nlog;
	ok(call_env(&r, &e, &cd) < 0 && chain.nput == nput && chain.nlog == nlog,
	   "a stored update of 5 bytes makes setValidator return -1");
	done(&r);
	buf_free(&cd);
}

/* ---- evidence ---- */

static uint8_t K1[32], K2[32]; /* V1's and V2's keys */

/* A signed vote by key (address addr), encoded into out. */
static void make_vote(buf *out, const uint8_t key[32], const uint8_t addr[20], uint8_t type,
		      uint64_t chain_id, uint64_t height, uint32_t round, uint8_t hash_byte)
{
	vote v = {.type = type, .chain_id = chain_id, .height = height, .round = round};
	memset(v.block_hash, hash_byte, 32);
	if (vote_sign(&v, key, addr) < 0)
		diag_die(LST_EFAIL, "vote_sign");
	buf_reset(out);
	vote_encode(out, &v);
}

static int submit_env(contract_result *r, contract_env *e, const buf *a, const buf *b)
{
	abi_value args[2] = {abi_bytes(a->p, a->len), abi_bytes(b->p, b->len)};
	return call_at(r, e, "submit(bytes,bytes)", args, 2);
}

static int submit(contract_result *r, const uint8_t caller[20], const buf *a, const buf *b)
{
	contract_env e = env_for(evidence_addr, caller, 30);
	return submit_env(r, &e, a, b);
}

static bool count_is(const uint8_t v[20], uint64_t want)
{
	contract_result r;
	contract_env e = env_for(evidence_addr, A, 30);
	abi_value who = abi_address(v);
	bool same;
	e.readonly = true; /* a view works under eth_call */
	same = call_at(&r, &e, "count(address)", &who, 1) == 0 && returned_u256(&r, want);
	done(&r);
	return same;
}

static bool double_sign_log_is(size_t i, const uint8_t v[20], uint64_t height, uint32_t round,
			       uint8_t type, const uint8_t reporter[20])
{
	uint8_t t[32], wv[32], data[128];
	const fake_logrec *l = fake_log_at(&chain, i);
	if (!l)
		return false;
	abi_event_topic(t, "DoubleSign(address,uint256,uint256,uint8,address)");
	abi_address_word(wv, v);
	word_u64(data, height);
	word_u64(data + 32, round);
	word_u64(data + 64, type);
	abi_address_word(data + 96, reporter);
	return !memcmp(l->self, evidence_addr, 20) && l->ntopics == 2 &&
	       !memcmp(l->topics[0], t, 32) && !memcmp(l->topics[1], wv, 32) && l->len == 128 &&
	       !memcmp(l->data, data, 128);
}

/* A refused submit: the reason, and no storage written nor log. */
static bool refused(const buf *a, const buf *b, const char *why)
{
	contract_result r;
	size_t nput = chain.nput, nslot = chain.nslot, nlog = chain.nlog;
	bool same = submit(&r, A, a, b) == 0 && reverted_with(&r, why) && chain.nput == nput &&
		    chain.nslot == nslot && chain.nlog == nlog;
	done(&r);
	return same;
}

static void test_evidence(void)
{
	contract_result r;
	buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
	uint8_t key[EVIDENCE_KEY_SIZE], ckey[EVIDENCE_COUNT_KEY_SIZE];
	fake_slot *s;
	reset_chain();

	ok(count_is(V1, 0), "count(V1) is 0 at first");
	make_vote(&a, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 1, 0x11);
	make_vote(&b, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 1, 0x22);
	ok(submit(&r, A, &a, &b) == 0 && r.ok && r.ret.len == 0,
	   "a double-signed prevote pair is recorded (returns nothing)");
	done(&r);
	ok(chain.nlog == 1 && double_sign_log_is(0, V1, 5, 1, VOTE_PREVOTE, A),
	   "DoubleSign(V1, 5, 1, 1, reporter A) logged with exact topics and data");
	ok(!strcmp(topic_hex(chain.logs[0].topics[0]),
		   "0x8f973c2b96ef34025f220f3138fe3d6bf8896a1fccc940399be4b2a66677bd35"),
	   "topic 0 is keccak(\"DoubleSign(address,uint256,uint256,uint8,address)\")");

	static const uint8_t want_key[EVIDENCE_KEY_SIZE] = {
		'd', 'b', 'l', ':', [24 + 7] = 5, [35] = 1, [36] = VOTE_PREVOTE};
	uint8_t wk[EVIDENCE_KEY_SIZE], rec[EVIDENCE_RECORD_SIZE];
	memcpy(wk, want_key, sizeof(wk));
	memcpy(wk + 4, V1, 20);
	evidence_key(key, V1, 5, 1, VOTE_PREVOTE);
	ok(!memcmp(key, wk, sizeof(key)),
	   "evidence_key: \"dbl:\" || validator || height (8) || round (4) || type (1)");
	memset(rec, 0x11, 32);
	memset(rec + 32, 0x22, 32);
	memcpy(rec + 64, A, 20);
	be64(rec + 84, 30);
	s = fake_find_slot(&chain, evidence_addr, key, sizeof(key));
	ok(s && s->vlen == EVIDENCE_RECORD_SIZE && !memcmp(s->val, rec, sizeof(rec)),
	   "the record holds both block hashes, the reporter and the height recorded");
	evidence_count_key(ckey, V1);
	s = fake_find_slot(&chain, evidence_addr, ckey, sizeof(ckey));
	ok(s && !memcmp(s->val, "\0\0\0\0\0\0\0\1", 8) && s->vlen == 8 && chain.nslot == 2 &&
		   !memcmp(ckey, "cnt:", 4) && !memcmp(ckey + 4, V1, 20),
	   "the count is stored at \"cnt:\" || validator, 8 bytes big-endian");
	ok(count_is(V1, 1) && count_is(V2, 0), "count(V1) is 1, count(V2) is 0");

	ok(refused(&a, &b, "evidence already recorded"), "the same pair again is refused");
	ok(refused(&b, &a, "evidence already recorded"), "the pair swapped is refused");
	make_vote(&c, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 1, 0x33);
	ok(refused(&a, &c, "evidence already recorded"),
	   "a third hash at the same height, round and type is refused");
	ok(count_is(V1, 1), "count(V1) is still 1");

	/* A nil precommit and a block precommit: the same height, another type. */
	make_vote(&a, K1, V1, VOTE_PRECOMMIT, CHAIN_ID, 5, 1, 0x00);
	make_vote(&b, K1, V1, VOTE_PRECOMMIT, CHAIN_ID, 5, 1, 0x22);
	ok(submit(&r, V2, &a, &b) == 0 && r.ok && chain.nlog == 2 &&
		   double_sign_log_is(1, V1, 5, 1, VOTE_PRECOMMIT, V2),
	   "a nil precommit against a block precommit is recorded (reported by V2)");
	done(&r);
	ok(count_is(V1, 2), "count(V1) is 2");
	make_vote(&a, K2, V2, VOTE_PREVOTE, CHAIN_ID, UINT64_MAX, UINT32_MAX, 0x01);
	make_vote(&b, K2, V2, VOTE_PREVOTE, CHAIN_ID, UINT64_MAX, UINT32_MAX, 0x02);
	ok(submit(&r, A, &a, &b) == 0 && r.ok &&
		   double_sign_log_is(2, V2, UINT64_MAX, UINT32_MAX, VOTE_PREVOTE, A) &&
		   count_is(V2, 1) && count_is(V1, 2),
	   "V2 at the largest height and round: recorded, counted apart");
	done(&r);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

static void test_evidence_refusals(void)
{
	contract_result r;
	contract_env e;
	buf a = BUF_INIT, b = BUF_INIT, x = BUF_INIT;
	reset_chain();

	make_vote(&a, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 0, 0x11);
	make_vote(&b, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 0, 0x11);
	ok(refused(&a, &b, "votes agree: not a double sign"), "the same block hash is refused");
	ok(refused(&a, &a, "votes agree: not a double sign"), "one vote twice is refused");
	make_vote(&b, K2, V2, VOTE_PREVOTE, CHAIN_ID, 5, 0, 0x22);
	ok(refused(&a, &b, "different validators"), "votes by two validators are refused");
	make_vote(&b, K1, V1, VOTE_PREVOTE, CHAIN_ID, 6, 0, 0x22);
	ok(refused(&a, &b, "not the same height, round and type"), "different heights are refused");
	make_vote(&b, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 1, 0x22);
	ok(refused(&a, &b, "not the same height, round and type"), "different rounds are refused");
	make_vote(&b, K1, V1, VOTE_PRECOMMIT, CHAIN_ID, 5, 0, 0x22);
	ok(refused(&a, &b, "not the same height, round and type"), "different types are refused");
	make_vote(&b, K1, V1, VOTE_PREVOTE, CHAIN_ID + 1, 5, 0, 0x22);
	ok(refused(&a, &b, "wrong chain"), "one vote of another chain is refused");
	make_vote(&a, K1, V1, VOTE_PREVOTE, CHAIN_ID + 1, 5, 0, 0x11);
	ok(refused(&a, &b, "wrong chain"), "a double sign on another chain is refused");

	/* Forged signatures. The sig is the last 65 bytes of the encoding. */
	make_vote(&a, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 0, 0x11);
	make_vote(&b, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 0, 0x22);
	b.p[b.len - 1] ^= 0x04; /* v: 27/28 -> 31/24 */
	ok(refused(&a, &b, "bad vote signature"), "a vote with a bad recovery id is refused");
	ok(refused(&b, &a, "bad vote signature"), "... in either place");
	b.p[b.len - 1] ^= 0x04;
	memset(b.p + b.len - 65, 0, 32); /* r = 0 */
	ok(refused(&a, &b, "bad vote signature"), "a vote with r = 0 is refused");
	make_vote(&b, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 0, 0x22);
	b.p[b.len - 65 + 40] ^= 0x01; /* a bit of s: recovers someone else's key */
	{
		contract_result rr;
		char *why = NULL;
		size_t nput = chain.nput, nlog = chain.nlog;
		bool refusedok = submit(&rr, A, &a, &b) == 0 && !rr.ok &&
				 abi_revert_reason(&why, rr.ret.p, rr.ret.len) == 0 &&
				 (!strcmp(why, "different validators") ||
				  !strcmp(why, "bad vote signature"));
		ok(refusedok && chain.nput == nput && chain.nlog == nlog,
		   "a vote with a flipped bit of s is refused (\"%s\")", why ? why : "");
		free(why);
		done(&rr);
	}
	make_vote(&b, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 0, 0x22);
	b.p[b.len - 68] ^= 0x01; /* the block hash after signing: the sig recovers another key */
	ok(refused(&a, &b, "different validators"),
	   "a vote whose block hash was altered after signing is refused");

	/* Malformed votes. */
	make_vote(&b, K1, V1, VOTE_PREVOTE, CHAIN_ID, 5, 0, 0x22);
	buf_reset(&x);
	buf_add(&x, "garbage, not a vote", 19);
	ok(refused(&a, &x, "malformed vote"), "garbage bytes are refused \"malformed vote\"");
	ok(refused(&x, &b, "malformed vote"), "... in either place");
	buf_reset(&x);
	ok(refused(&a, &x, "malformed vote"), "an empty vote is refused");
	buf_reset(&x);
	buf_add(&x, b.p, b.len - 1);
	ok(refused(&a, &x, "malformed vote"), "a truncated vote is refused");
	buf_reset(&x);
	buf_add(&x, b.p, b.len);
	buf_addc(&x, 0);
	ok(refused(&a, &x, "malformed vote"), "a vote with a trailing byte is refused");
	{
		vote v = {.type = SIGN_PROPOSAL, .chain_id = CHAIN_ID, .height = 5};
		memset(v.block_hash, 0x22, 32);
		if (vote_sign(&v, K1, V1) < 0)
			diag_die(LST_EFAIL, "vote_sign");
		buf_reset(&x);
		vote_encode(&x, &v);
		ok(refused(&a, &x, "malformed vote"), "a signed vote of type 3 is refused");
	}
	ok(chain.nput == 0 && chain.nslot == 0 && chain.nlog == 0 && count_is(V1, 0),
	   "no refused submit wrote storage or logged; count(V1) is 0");

	/* The calls themselves. */
	e = env_for(evidence_addr, A, 30);
	e.value = u256_from_u64(1);
	ok(submit_env(&r, &e, &a, &b) == 0 &&
		   reverted_with(&r, "evidence does not accept LST sent with a call"),
	   "submit with LST sent reverts");
	done(&r);
	abi_value who = abi_address(V1);
	ok(call_at(&r, &e, "count(address)", &who, 1) == 0 &&
		   reverted_with(&r, "evidence does not accept LST sent with a call"),
	   "count with LST sent reverts");
	done(&r);
	e = env_for(evidence_addr, A, 30);
	e.readonly = true;
	ok(submit_env(&r, &e, &a, &b) == 0 && reverted_with(&r, "state change in a read-only call"),
	   "submit in a read-only call reverts");
	done(&r);
	buf_reset(&x);
	if (abi_encode_call(&x, "count(address)", &who, 1) < 0)
		diag_die(LST_EFAIL, "encode");
	x.len--;
	ok(call_env(&r, &e, &x) == 0 && reverted_with(&r, "invalid arguments for count(address)"),
	   "truncated count arguments are refused");
	done(&r);
	ok(chain.nput == 0 && chain.nlog == 0, "... none of them wrote or logged");

	/* A failing state is not a revert. */
	e = env_for(evidence_addr, A, 30);
	chain.fail = true;
	ok(submit_env(&r, &e, &a, &b) < 0, "a failing storage makes submit return -1");
	done(&r);
	ok(call_at(&r, &e, "count(address)", &who, 1) < 0, "... and count return -1");
	done(&r);
	chain.fail = false;
	ok(submit_env(&r, &e, &a, &b) == 0 && r.ok && count_is(V1, 1),
	   "the same pair is recorded once the state works");
	done(&r);
	buf_free(&a);
	buf_free(&b);
	buf_free(&x);
}

int main(void)
{
	memset(F, 0xf0, 20);
	memset(A, 0xaa, 20);
	memset(K1, 0x11, 32);
	memset(K2, 0x22, 32);
	if (secp_address_from_priv(V1, K1) < 0 || secp_address_from_priv(V2, K2) < 0)
		diag_die(LST_EFAIL, "secp_address_from_priv");
	test_registry();
	test_abi_json();
	test_update_key_and_parse();
	test_set_validator();
	test_set_validator_refusals();
	test_evidence();
	test_evidence_refusals();
	return unit_done();
}
