/* The LST token contract against an in-memory chain. */
#include "lst.h"
#include "unit.h"
#include "abi.h"
#include "buf.h"
#include "contract.h"
#include "diag.h"
#include "fakeenv.h"
#include "hex.h"
#include "token.h"

static const uint8_t token_addr[20] = TOKEN_ADDRESS_BYTES;
static uint8_t A[20], B[20], C[20];
static fake_chain chain;

static void reset_chain(void)
{
	memset(&chain, 0, sizeof(chain));
	fake_fund(&chain, A, 1000);
	fake_fund(&chain, B, 0);
	fake_fund(&chain, C, 5);
}

static contract_env env_for(const uint8_t caller[20])
{
	return fake_env(&chain, token_addr, caller, 7);
}

/* Calls the token; 0 or -1 from call, result in *r (caller frees r->ret). */
static int call_env(contract_result *r, contract_env *e, const buf *calldata)
{
	const contract_def *c = contract_find(token_addr);
	r->ok = false;
	r->ret = (buf)BUF_INIT;
	return c->call(r, e, calldata->p, calldata->len);
}

/* sig(args) from caller; the result. */
static int call(contract_result *r, const uint8_t caller[20], const char *sig,
		const abi_value *args, size_t n)
{
	buf cd = BUF_INIT;
	contract_env e = env_for(caller);
	int rc;
	if (abi_encode_call(&cd, sig, args, n) < 0)
		diag_die(LST_EFAIL, "cannot encode %s", sig);
	rc = call_env(r, &e, &cd);
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

static bool returned_true(contract_result *r)
{
	static const uint8_t one[32] = {[31] = 1};
	return r->ok && r->ret.len == 32 && !memcmp(r->ret.p, one, 32);
}

static uint64_t bal(const uint8_t a[20])
{
	return fake_balance_u64(&chain, a);
}

static bool log_is(size_t i, const char *event, const uint8_t a[20], const uint8_t b[20],
		   uint64_t value)
{
	uint8_t t[32], wa[32], wb[32], data[32];
	u256 v = u256_from_u64(value);
	const fake_logrec *l = fake_log_at(&chain, i);
	if (!l)
		return false;
	abi_event_topic(t, event);
	abi_address_word(wa, a);
	abi_address_word(wb, b);
	u256_to_be32(data, &v);
	return !memcmp(l->self, token_addr, 20) && l->ntopics == 3 && !memcmp(l->topics[0], t, 32) &&
	       !memcmp(l->topics[1], wa, 32) && !memcmp(l->topics[2], wb, 32) && l->len == 32 &&
	       !memcmp(l->data, data, 32);
}

static void done(contract_result *r)
{
	buf_free(&r->ret);
}

/* ---- tests ---- */

static void test_registry(void)
{
	uint8_t other[20] = {0x4c, 0x53, 0x54};
	const contract_def *c = contract_find(token_addr);
	char s[43];
	ok(c == &token_contract && !strcmp(c->name, "token"), "contract_find finds the token");
	hex_encode(s, c->address, 20);
	ok(!strcmp(s, "0x4c53540000000000000000000000000000000001"), "token address is %s", s);
	ok(!contract_find(other) && !contract_find(A), "contract_find: NULL for other addresses");
}

/* Every function in token.abi.json is dispatched, with its stated mutability. */
static void test_abi_json(void)
{
	json_error_t err;
	json_t *abi = json_load_file("contracts/token.abi.json", 0, &err);
	size_t i, nfn = 0, nev = 0, bad = 0;
	json_t *e;
	if (!abi)
		diagf("contracts/token.abi.json: %s", err.text);
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
			nev++;
			bad += strcmp((char *)sig.p, "Transfer(address,address,uint256)") &&
			       strcmp((char *)sig.p, "Approval(address,address,uint256)");
		} else {
			/* Zero arguments of the right size: a known selector never says unknown. */
			contract_result r;
			buf cd = BUF_INIT;
			uint8_t sel[4], zero[96] = {0};
			contract_env env = env_for(A);
			const char *mut = json_string_value(json_object_get(e, "stateMutability"));
			nfn++;
			abi_selector(sel, (char *)sig.p);
			buf_add(&cd, sel, 4);
			buf_add(&cd, zero, 32 * json_array_size(json_object_get(e, "inputs")));
			env.readonly = true;
			if (call_env(&r, &env, &cd) < 0) {
				bad++;
			} else if (!strcmp(mut, "view") ? !r.ok : r.ok) {
				diagf("%s: %s in a read-only call", (char *)sig.p,
				      r.ok ? "returned" : "reverted");
				bad++;
			}
			done(&r);
			buf_free(&cd);
		}
		buf_free(&sig);
	}
	ok(abi && nfn == 9 && nev == 2 && !bad,
	   "token.abi.json: %zu functions all dispatched, views read-only, %zu events", nfn, nev);
	json_decref(abi);
}

static void test_views(void)
{
	contract_result r;
	abi_value v[1];
	size_t n;
	reset_chain();
	ok(call(&r, A, "name()", NULL, 0) == 0 && r.ok &&
		   abi_decode(v, 1, &n, "string", r.ret.p, r.ret.len) == 0 &&
		   !strcmp((char *)v[0].data, "Lightstreams Token"),
	   "name() is \"Lightstreams Token\"");
	abi_free(v, 1);
	done(&r);
	ok(call(&r, A, "symbol()", NULL, 0) == 0 && r.ok &&
		   abi_decode(v, 1, &n, "string", r.ret.p, r.ret.len) == 0 &&
		   !strcmp((char *)v[0].data, "LST") && r.ret.len == 96,
	   "symbol() is \"LST\"");
	abi_free(v, 1);
	done(&r);
	ok(call(&r, A, "decimals()", NULL, 0) == 0 && r.ok &&
		   abi_decode(v, 1, &n, "uint8", r.ret.p, r.ret.len) == 0 && v[0].u.w[0] == 18,
	   "decimals() is 18");
	done(&r);
	ok(call(&r, B, "totalSupply()", NULL, 0) == 0 && returned_u256(&r, 1005),
	   "totalSupply() is the chain's supply");
	done(&r);
	abi_value who = abi_address(A);
	ok(call(&r, B, "balanceOf(address)", &who, 1) == 0 && returned_u256(&r, 1000),
	   "balanceOf(A) is A's native balance");
	done(&r);
	uint8_t nobody[20];
	memset(nobody, 0x77, 20);
	who = abi_address(nobody);
	ok(call(&r, B, "balanceOf(address)", &who, 1) == 0 && returned_u256(&r, 0),
	   "balanceOf(unknown account) is 0");
	done(&r);
	ok(chain.nlog == 0 && chain.nslot == 0, "views log and store nothing");
}

static void test_transfer(void)
{
	contract_result r;
	reset_chain();
	abi_value args[2] = {abi_address(B), abi_u64(300)};
	ok(call(&r, A, "transfer(address,uint256)", args, 2) == 0 && returned_true(&r),
	   "transfer(B, 300) from A returns true");
	done(&r);
	ok(bal(A) == 700 && bal(B) == 300, "native balances moved: A 700, B 300");
	ok(chain.nlog == 1 && log_is(0, "Transfer(address,address,uint256)", A, B, 300),
	   "Transfer(A, B, 300) logged with exact topics and data");
	{
		static const char *want_topic =
			"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
		char t0[67];
		hex_encode(t0, chain.logs[0].topics[0], 32);
		ok(!strcmp(t0, want_topic), "topic 0 is %s", t0);
	}

	args[1] = abi_u64(701);
	ok(call(&r, A, "transfer(address,uint256)", args, 2) == 0 &&
		   reverted_with(&r, "insufficient balance"),
	   "transfer of 701 from A (700) reverts \"insufficient balance\"");
	done(&r);
	ok(bal(A) == 700 && bal(B) == 300 && chain.nlog == 1, "... and changes nothing");

	args[1] = abi_u64(0);
	ok(call(&r, C, "transfer(address,uint256)", args, 2) == 0 && returned_true(&r) &&
		   chain.nlog == 2 && log_is(1, "Transfer(address,address,uint256)", C, B, 0),
	   "a transfer of 0 succeeds and logs Transfer");
	done(&r);

	args[0] = abi_address(A);
	args[1] = abi_u64(5);
	ok(call(&r, A, "transfer(address,uint256)", args, 2) == 0 && returned_true(&r) &&
		   bal(A) == 700,
	   "a transfer to oneself keeps the balance");
	done(&r);
}

static void test_allowances(void)
{
	contract_result r;
	reset_chain();
	abi_value ap[2] = {abi_address(C), abi_u64(500)};
	ok(call(&r, A, "approve(address,uint256)", ap, 2) == 0 && returned_true(&r),
	   "approve(C, 500) from A returns true");
	done(&r);
	ok(chain.nlog == 1 && log_is(0, "Approval(address,address,uint256)", A, C, 500),
	   "Approval(A, C, 500) logged with exact topics and data");
	uint8_t key[41] = {'a'};
	memcpy(key + 1, A, 20);
	memcpy(key + 21, C, 20);
	ok(chain.nslot == 1 && chain.slots[0].klen == 41 && !memcmp(chain.slots[0].key, key, 41) &&
		   chain.slots[0].vlen == 32 && chain.slots[0].val[31] == 0xf4 &&
		   chain.slots[0].val[30] == 0x01,
	   "the allowance is stored at \"a\" || owner || spender, 32 bytes big-endian");
	abi_value al[2] = {abi_address(A), abi_address(C)};
	ok(call(&r, B, "allowance(address,address)", al, 2) == 0 && returned_u256(&r, 500),
	   "allowance(A, C) is 500");
	done(&r);
	al[1] = abi_address(B);
	ok(call(&r, B, "allowance(address,address)", al, 2) == 0 && returned_u256(&r, 0),
	   "allowance(A, B) is 0");
	done(&r);

	abi_value tf[3] = {abi_address(A), abi_address(B), abi_u64(200)};
	ok(call(&r, C, "transferFrom(address,address,uint256)", tf, 3) == 0 && returned_true(&r),
	   "transferFrom(A, B, 200) by C returns true");
	done(&r);
	ok(bal(A) == 800 && bal(B) == 200 && bal(C) == 5, "A 800, B 200, C untouched");
	ok(chain.nlog == 2 && log_is(1, "Transfer(address,address,uint256)", A, B, 200),
	   "transferFrom logs Transfer(A, B, 200)");
	al[1] = abi_address(C);
	ok(call(&r, B, "allowance(address,address)", al, 2) == 0 && returned_u256(&r, 300),
	   "allowance(A, C) is down to 300");
	done(&r);

	tf[2] = abi_u64(301);
	ok(call(&r, C, "transferFrom(address,address,uint256)", tf, 3) == 0 &&
		   reverted_with(&r, "insufficient allowance"),
	   "transferFrom beyond the allowance reverts \"insufficient allowance\"");
	done(&r);
	ok(bal(A) == 800 && bal(B) == 200 && chain.nlog == 2, "... and changes nothing");
	tf[1] = abi_address(C);
	ok(call(&r, B, "transferFrom(address,address,uint256)", tf, 3) == 0 &&
		   reverted_with(&r, "insufficient allowance"),
	   "transferFrom without any allowance reverts");
	done(&r);

	ap[1] = abi_u64(10000);
	ok(call(&r, A, "approve(address,uint256)", ap, 2) == 0 && returned_true(&r), "approve 10000");
	done(&r);
	tf[1] = abi_address(B);
	tf[2] = abi_u64(801);
	ok(call(&r, C, "transferFrom(address,address,uint256)", tf, 3) == 0 &&
		   reverted_with(&r, "insufficient balance"),
	   "transferFrom beyond the owner's balance reverts \"insufficient balance\"");
	done(&r);
	ok(call(&r, B, "allowance(address,address)", al, 2) == 0 && returned_u256(&r, 10000) &&
		   bal(A) == 800 && chain.nlog == 3,
	   "... and leaves the allowance and balances");
	done(&r);

	u256 max;
	memset(&max, 0xff, sizeof(max));
	ap[1] = abi_u256(&max);
	tf[2] = abi_u64(100);
	ok(call(&r, A, "approve(address,uint256)", ap, 2) == 0 && returned_true(&r), "approve 2^256-1");
	done(&r);
	ok(call(&r, C, "transferFrom(address,address,uint256)", tf, 3) == 0 && returned_true(&r),
	   "transferFrom under an infinite allowance");
	done(&r);
	abi_value v[1];
	size_t n;
	ok(call(&r, B, "allowance(address,address)", al, 2) == 0 && r.ok &&
		   abi_decode(v, 1, &n, "uint256", r.ret.p, r.ret.len) == 0 && !u256_cmp(&v[0].u, &max),
	   "an infinite allowance is not spent");
	done(&r);

	ap[1] = abi_u64(0);
	ok(call(&r, A, "approve(address,uint256)", ap, 2) == 0 && returned_true(&r) &&
		   chain.nslot == 0 && log_is(chain.nlog - 1, "Approval(address,address,uint256)", A, C, 0),
	   "approve 0 deletes the slot and logs Approval");
	done(&r);
}

static void test_refusals(void)
{
	contract_result r;
	contract_env env;
	buf cd = BUF_INIT;
	reset_chain();

	env = env_for(A);
	ok(call_env(&r, &env, &cd) == 0 && reverted_with(&r, "no function selector"),
	   "empty calldata reverts \"no function selector\"");
	done(&r);
	buf_add(&cd, "\xa9\x05\x9c", 3);
	ok(call_env(&r, &env, &cd) == 0 && reverted_with(&r, "no function selector"),
	   "3 bytes of calldata revert \"no function selector\"");
	done(&r);
	buf_reset(&cd);
	buf_add(&cd, "\xde\xad\xbe\xef", 4);
	ok(call_env(&r, &env, &cd) == 0 && reverted_with(&r, "unknown function selector 0xdeadbeef"),
	   "unknown selector reverts \"unknown function selector 0xdeadbeef\"");
	done(&r);

	/* transfer(B, 1) with a dirty byte in the address's padding. */
	abi_value args[2] = {abi_address(B), abi_u64(1)};
	buf_reset(&cd);
	if (abi_encode_call(&cd, "transfer(address,uint256)", args, 2) < 0)
		diag_die(LST_EFAIL, "encode");
	cd.p[4 + 5] = 0x01;
	ok(call_env(&r, &env, &cd) == 0 &&
		   reverted_with(&r, "invalid arguments for transfer(address,uint256)"),
	   "dirty padding in the address argument is refused");
	done(&r);
	ok(bal(A) == 1000 && bal(B) == 0 && chain.nlog == 0, "... and changes nothing");
	cd.p[4 + 5] = 0;
	cd.len -= 1;
	ok(call_env(&r, &env, &cd) == 0 &&
		   reverted_with(&r, "invalid arguments for transfer(address,uint256)"),
	   "truncated arguments are refused");
	done(&r);
	cd.len += 1;

	env.readonly = true;
	ok(call_env(&r, &env, &cd) == 0 && reverted_with(&r, "state change in a read-only call"),
	   "transfer in a read-only call reverts");
	done(&r);
	ok(bal(A) == 1000 && chain.nlog == 0, "... and changes nothing");
	abi_value ap[2] = {abi_address(C), abi_u64(5)};
	buf_reset(&cd);
	if (abi_encode_call(&cd, "approve(address,uint256)", ap, 2) < 0)
		diag_die(LST_EFAIL, "encode");
	ok(call_env(&r, &env, &cd) == 0 && reverted_with(&r, "state change in a read-only call") &&
		   chain.nslot == 0,
	   "approve in a read-only call reverts");
	done(&r);

	env = env_for(A);
	env.value = u256_from_u64(1);
	buf_reset(&cd);
	if (abi_encode_call(&cd, "transfer(address,uint256)", args, 2) < 0)
		diag_die(LST_EFAIL, "encode");
	ok(call_env(&r, &env, &cd) == 0 &&
		   reverted_with(&r, "token does not accept LST sent with a call"),
	   "transfer with LST sent reverts");
	done(&r);
	buf_reset(&cd);
	abi_value who = abi_address(A);
	if (abi_encode_call(&cd, "balanceOf(address)", &who, 1) < 0)
		diag_die(LST_EFAIL, "encode");
	ok(call_env(&r, &env, &cd) == 0 &&
		   reverted_with(&r, "token does not accept LST sent with a call"),
	   "balanceOf with LST sent reverts");
	done(&r);
	ok(bal(A) == 1000 && bal(B) == 0 && chain.nlog == 0, "... and changes nothing");

	/* A failing state is not a revert: call returns -1. */
	env = env_for(A);
	chain.fail = true;
	ok(call_env(&r, &env, &cd) < 0, "a failing balance() makes call return -1");
	done(&r);
	buf_reset(&cd);
	if (abi_encode_call(&cd, "transfer(address,uint256)", args, 2) < 0)
		diag_die(LST_EFAIL, "encode");
	ok(call_env(&r, &env, &cd) < 0, "a failing state during transfer makes call return -1");
	done(&r);
	chain.fail = false;
	buf_free(&cd);
}

int main(void)
{
	memset(A, 0xaa, 20);
	memset(B, 0xbb, 20);
	memset(C, 0xcc, 20);
	test_registry();
	test_abi_json();
	test_views();
	test_transfer();
	test_allowances();
	test_refusals();
	return unit_done();
}
