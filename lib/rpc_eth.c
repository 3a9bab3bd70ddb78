/*
 * rpc_eth.c: the JSON-RPC methods: the Ethereum ones ethers v6, viem and
 * web3 use, and lst_* for the plumbing. Quantities are 0x-hex as Ethereum
 * JSON-RPC wants; blocks carry a non-zero baseFeePerGas so wallets send
 * type 2 transactions, though no fee is ever charged.
 */
#include "lst.h"
#include "rpc.h"
#include "addr.h"
#include "block.h"
#include "contract.h"
#include "diag.h"
#include "exec.h"
#include "hex.h"
#include "jsonio.h"
#include "tx.h"
#include "txjson.h"

#define BASE_FEE 7          /* wei per gas, shown, never charged */
#define BLOCK_GAS_LIMIT 30000000000ULL
#define MAX_LOGS 10000
#define MAX_LOG_RANGE 100000

static const char empty_uncles[] = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
static const char zero_hash[] = "0x0000000000000000000000000000000000000000000000000000000000000000";

static json_t *qty(uint64_t v)
{
	char s[24];
	snprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
	return json_string(s);
}

static json_t *qty256(const u256 *v)
{
	char s[67];
	u256_to_hex(s, v);
	return json_string(s);
}

static json_t *addr_json(const uint8_t a[20])
{
	char s[ADDR_STR];
	addr_to_str(s, a);
	return json_string(s);
}

static json_t *param(json_t *params, size_t i)
{
	return json_is_array(params) ? json_array_get(params, i) : NULL;
}

static int need_params(rpc_ctx *c, json_t *params, size_t min)
{
	if (json_array_size(params) < min)
		return rpc_fail(c, RPC_INVALID_PARAMS, "missing value for required argument %zu", min - 1);
	return 0;
}

static int get_addr(rpc_ctx *c, uint8_t out[20], json_t *v, const char *what)
{
	const char *why;
	if (!json_is_string(v) || addr_parse(out, json_string_value(v), &why) < 0)
		return rpc_fail(c, RPC_INVALID_PARAMS, "invalid %s: %s", what, json_is_string(v) ? why : "not a string");
	return 0;
}

static int get_hash(rpc_ctx *c, uint8_t out[32], json_t *v, const char *what)
{
	if (!json_is_string(v) || hex_decode(out, 32, json_string_value(v)) < 0)
		return rpc_fail(c, RPC_INVALID_PARAMS, "invalid %s: expected 32 bytes of 0x-hex", what);
	return 0;
}

static int get_qty(rpc_ctx *c, uint64_t *out, json_t *v, const char *what)
{
	u256 t;
	if (!json_is_string(v) || u256_from_hex(&t, json_string_value(v)) < 0 || !u256_fits_u64(&t))
		return rpc_fail(c, RPC_INVALID_PARAMS, "invalid %s: expected a 0x-hex quantity", what);
	*out = t.w[0];
	return 0;
}

static void head(rpc_ctx *c, block_info *b)
{
	node_head(c->n, b);
}

/* A block tag or number; missing means latest. */
static int block_number(rpc_ctx *c, uint64_t *out, json_t *v)
{
	block_info h;
	head(c, &h);
	if (!v || json_is_null(v)) {
		*out = h.h.height;
		return 0;
	}
	if (json_is_object(v)) { /* EIP-1898 {blockNumber} / {blockHash} */
		json_t *num = json_object_get(v, "blockNumber"), *hash = json_object_get(v, "blockHash");
		if (num)
			return block_number(c, out, num);
		uint8_t hh[32];
		block_info b;
		if (get_hash(c, hh, hash, "blockHash") < 0)
			return -1;
		int r = state_block_by_hash(c->st, &b, hh);
		if (r != 0)
			return rpc_fail(c, r < 0 ? RPC_INTERNAL : RPC_INVALID_PARAMS, "header not found");
		*out = b.h.height;
		return 0;
	}
	const char *s = json_string_value(v);
	if (!s)
		return rpc_fail(c, RPC_INVALID_PARAMS, "invalid block number");
	if (!strcmp(s, "latest") || !strcmp(s, "pending") || !strcmp(s, "safe") || !strcmp(s, "finalized"))
		*out = h.h.height;
	else if (!strcmp(s, "earliest"))
		*out = 0;
	else if (get_qty(c, out, v, "block number") < 0)
		return -1;
	return 0;
}

/* ---- transactions, receipts, blocks as JSON-RPC objects ---- */

static json_t *tx_rpc_json(const tx *t, const uint8_t *block_hash, uint64_t height, uint32_t idx)
{
	json_t *o = json_object();
	json_object_set_new(o, "hash", jsonio_hex(t->hash, 32));
	json_object_set_new(o, "type", qty((uint64_t)t->type));
	json_object_set_new(o, "blockHash", block_hash ? jsonio_hex(block_hash, 32) : json_null());
	json_object_set_new(o, "blockNumber", block_hash ? qty(height) : json_null());
	json_object_set_new(o, "transactionIndex", block_hash ? qty(idx) : json_null());
	json_object_set_new(o, "from", addr_json(t->from));
	json_object_set_new(o, "to", t->has_to ? addr_json(t->to) : json_null());
	json_object_set_new(o, "nonce", qty(t->nonce));
	json_object_set_new(o, "gas", qty(t->gas));
	json_object_set_new(o, "value", qty256(&t->value));
	json_object_set_new(o, "input", jsonio_hex(t->data, t->data_len));
	if (t->type == 2) {
		u256 base = u256_from_u64(BASE_FEE), eff;
		if (u256_add(&eff, &base, &t->max_priority_fee) < 0 || u256_cmp(&eff, &t->max_fee) > 0)
			eff = t->max_fee;
		json_object_set_new(o, "maxFeePerGas", qty256(&t->max_fee));
		json_object_set_new(o, "maxPriorityFeePerGas", qty256(&t->max_priority_fee));
		json_object_set_new(o, "gasPrice", qty256(&eff));
	} else {
		json_object_set_new(o, "gasPrice", qty256(&t->gas_price));
	}
	if (t->has_chain_id)
		json_object_set_new(o, "chainId", qty(t->chain_id));
	if (t->type != 0) {
		json_t *al = json_array();
		for (size_t i = 0; i < t->naccess; i++) {
			json_t *keys = json_array();
			for (size_t k = 0; k < t->access[i].nkeys; k++)
				json_array_append_new(keys, jsonio_hex(t->access[i].keys[k], 32));
			json_array_append_new(al, jsonio_obj("address", addr_json(t->access[i].address),
							     "storageKeys", keys, NULL));
		}
		json_object_set_new(o, "accessList", al);
		json_object_set_new(o, "yParity", qty256(&t->v));
	}
	json_object_set_new(o, "v", qty256(&t->v));
	json_object_set_new(o, "r", jsonio_hex(t->r, 32));
	json_object_set_new(o, "s", jsonio_hex(t->s, 32));
	return o;
}

static int decode_row(rpc_ctx *c, tx *t, const tx_row *row)
{
	char err[256];
	if (tx_decode_trusted(t, err, sizeof(err), row->raw.p, row->raw.len, row->from) < 0)
		return rpc_fail(c, RPC_INTERNAL, "stored transaction does not decode: %s", err);
	return 0;
}

static json_t *log_json(const log_row *l)
{
	json_t *topics = json_array();
	for (int i = 0; i < l->ntopics; i++)
		json_array_append_new(topics, jsonio_hex(l->topics[i], 32));
	return jsonio_obj("address", addr_json(l->address), "topics", topics,
			  "data", jsonio_hex(l->data.p, l->data.len), "blockNumber", qty(l->height),
			  "blockHash", jsonio_hex(l->block_hash, 32), "transactionHash", jsonio_hex(l->tx_hash, 32),
			  "transactionIndex", qty(l->tx_idx), "logIndex", qty(l->log_idx),
			  "removed", json_false(), NULL);
}

static json_t *bloom(void)
{
	static char z[2 + 512 + 1];
	if (!z[0]) {
		z[0] = '0';
		z[1] = 'x';
		memset(z + 2, '0', 512);
	}
	return json_string(z);
}

static int block_json(rpc_ctx *c, json_t **out, const block_info *b, bool full)
{
	tx_row *rows;
	size_t n;
	if (state_block_txs(c->st, &rows, &n, b->h.height) < 0)
		return rpc_fail(c, RPC_INTERNAL, "cannot read the block's transactions");
	json_t *txs = json_array();
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		if (!full) {
			json_array_append_new(txs, jsonio_hex(rows[i].hash, 32));
			continue;
		}
		tx t;
		if (r == 0 && decode_row(c, &t, &rows[i]) == 0) {
			json_array_append_new(txs, tx_rpc_json(&t, b->hash, b->h.height, rows[i].idx));
			tx_free(&t);
		} else {
			r = -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		tx_row_free(&rows[i]);
	free(rows);
	if (r < 0) {
		json_decref(txs);
		return -1;
	}
	json_t *o = json_object();
	json_object_set_new(o, "number", qty(b->h.height));
	json_object_set_new(o, "hash", jsonio_hex(b->hash, 32));
	json_object_set_new(o, "parentHash", jsonio_hex(b->h.parent, 32));
	json_object_set_new(o, "nonce", json_string("0x0000000000000000"));
	json_object_set_new(o, "sha3Uncles", json_string(empty_uncles));
	json_object_set_new(o, "logsBloom", bloom());
	json_object_set_new(o, "transactionsRoot", jsonio_hex(b->h.tx_root, 32));
	json_object_set_new(o, "stateRoot", jsonio_hex(b->h.app_hash, 32));
	json_object_set_new(o, "receiptsRoot", jsonio_hex(b->h.tx_root, 32));
	json_object_set_new(o, "miner", addr_json(b->h.proposer));
	json_object_set_new(o, "difficulty", json_string("0x0"));
	json_object_set_new(o, "totalDifficulty", json_string("0x0"));
	json_object_set_new(o, "extraData", json_string("0x"));
	json_object_set_new(o, "size", qty(600 + 120 * n));
	json_object_set_new(o, "gasLimit", qty(BLOCK_GAS_LIMIT));
	json_object_set_new(o, "gasUsed", qty(b->gas_used));
	json_object_set_new(o, "timestamp", qty(b->h.time));
	json_object_set_new(o, "mixHash", json_string(zero_hash));
	json_object_set_new(o, "baseFeePerGas", qty(BASE_FEE));
	json_object_set_new(o, "transactions", txs);
	json_object_set_new(o, "uncles", json_array());
	*out = o;
	return 0;
}

/* ---- methods ---- */

typedef int (*method_fn)(rpc_ctx *c, json_t *params, json_t **out);

static int m_chain_id(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = qty(c->n->g.chain_id);
	return 0;
}

static int m_net_version(rpc_ctx *c, json_t *p, json_t **out)
{
	char s[24];
	snprintf(s, sizeof(s), "%llu", (unsigned long long)c->n->g.chain_id);
	*out = json_string(s);
	return 0;
}

static int m_client_version(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = json_string("lst/" LST_VERSION);
	return 0;
}

static int m_true(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = json_true();
	return 0;
}

static int m_false(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = json_false();
	return 0;
}

static int m_zero(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = json_string("0x0");
	return 0;
}

static int m_empty_array(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = json_array();
	return 0;
}

static int m_block_number(rpc_ctx *c, json_t *p, json_t **out)
{
	block_info h;
	head(c, &h);
	*out = qty(h.h.height);
	return 0;
}

static int m_gas_price(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = qty(BASE_FEE + 1);
	return 0;
}

static int m_max_priority(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = qty(1);
	return 0;
}

static int m_fee_history(rpc_ctx *c, json_t *p, json_t **out)
{
	uint64_t count = 1, newest;
	json_t *cnt = param(p, 0);
	if (json_is_integer(cnt))
		count = (uint64_t)json_integer_value(cnt);
	else if (cnt && get_qty(c, &count, cnt, "block count") < 0)
		return -1;
	if (block_number(c, &newest, param(p, 1)) < 0)
		return -1;
	if (count > 1024)
		count = 1024;
	if (count > newest + 1)
		count = newest + 1;
	json_t *fees = json_array(), *ratio = json_array(), *reward = json_array();
	json_t *pct = param(p, 2);
	for (uint64_t i = 0; i <= count; i++)
		json_array_append_new(fees, qty(BASE_FEE));
	for (uint64_t i = 0; i < count; i++) {
		json_array_append_new(ratio, json_real(0.5));
		json_t *rw = json_array();
		for (size_t k = 0; k < json_array_size(pct); k++)
			json_array_append_new(rw, qty(1));
		json_array_append_new(reward, rw);
	}
	*out = jsonio_obj("oldestBlock", qty(newest + 1 - count), "baseFeePerGas", fees, "gasUsedRatio", ratio, NULL);
	if (json_array_size(pct))
		json_object_set_new(*out, "reward", reward);
	else
		json_decref(reward);
	return 0;
}

/* [address, block] -> the account (latest state: no archive is kept). */
static int account_param(rpc_ctx *c, account *acc, uint8_t a[20], json_t *p)
{
	uint64_t at;
	if (need_params(c, p, 1) < 0 || get_addr(c, a, param(p, 0), "address") < 0 ||
	    block_number(c, &at, param(p, 1)) < 0)
		return -1;
	if (state_get_account(c->st, acc, a) < 0)
		return rpc_fail(c, RPC_INTERNAL, "cannot read the account");
	return 0;
}

static int m_get_balance(rpc_ctx *c, json_t *p, json_t **out)
{
	uint8_t a[20];
	account acc;
	if (account_param(c, &acc, a, p) < 0)
		return -1;
	*out = qty256(&acc.balance);
	return 0;
}

static int m_get_tx_count(rpc_ctx *c, json_t *p, json_t **out)
{
	uint8_t a[20];
	account acc;
	if (account_param(c, &acc, a, p) < 0)
		return -1;
	const char *tag = json_string_value(param(p, 1));
	uint64_t n = acc.nonce;
	if (tag && !strcmp(tag, "pending"))
		n = mempool_pending_nonce(c->n->mp, a, acc.nonce);
	*out = qty(n);
	return 0;
}

static int m_get_code(rpc_ctx *c, json_t *p, json_t **out)
{
	uint8_t a[20];
	if (need_params(c, p, 1) < 0 || get_addr(c, a, param(p, 0), "address") < 0)
		return -1;
	/* Native contracts have no EVM code; one INVALID opcode marks them as contracts. */
	*out = json_string(contract_find(a) ? "0xfe" : "0x");
	return 0;
}

static int m_get_storage(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = json_string(zero_hash);
	return 0;
}

static int m_send_raw(rpc_ctx *c, json_t *p, json_t **out)
{
	const char *hexraw = json_string_value(param(p, 0));
	uint8_t *raw;
	size_t len;
	char err[256];
	if (!hexraw || hex_decode_alloc(&raw, &len, hexraw) < 0)
		return rpc_fail(c, RPC_INVALID_PARAMS, "invalid raw transaction: expected 0x-hex bytes");
	pooled_tx *pt = xcalloc(1, sizeof(*pt));
	buf_add(&pt->raw, raw, len);
	free(raw);
	if (tx_decode(&pt->t, err, sizeof(err), pt->raw.p, pt->raw.len) < 0) {
		buf_free(&pt->raw);
		free(pt);
		return rpc_fail(c, RPC_INVALID_PARAMS, "invalid transaction: %s", err);
	}
	uint8_t hash[32];
	bool internal;
	memcpy(hash, pt->t.hash, 32);
	if (node_admit_tx(c->n, c->st, err, sizeof(err), &internal, pt, -1) < 0)
		return rpc_fail(c, internal ? RPC_INTERNAL : RPC_REFUSED, "%s", err);
	*out = jsonio_hex(hash, 32);
	return 0;
}

static int m_get_tx(rpc_ctx *c, json_t *p, json_t **out)
{
	uint8_t h[32];
	tx_row row;
	tx t;
	if (need_params(c, p, 1) < 0 || get_hash(c, h, param(p, 0), "transaction hash") < 0)
		return -1;
	int r = state_get_tx(c->st, &row, h);
	if (r < 0)
		return rpc_fail(c, RPC_INTERNAL, "cannot read the transaction");
	if (r == 0) {
		block_info b;
		int k = -1;
		if (state_block(c->st, &b, row.height) == 0 && decode_row(c, &t, &row) == 0) {
			*out = tx_rpc_json(&t, b.hash, row.height, row.idx);
			tx_free(&t);
			k = 0;
		}
		tx_row_free(&row);
		return k < 0 ? rpc_fail(c, RPC_INTERNAL, "cannot read the transaction's block") : 0;
	}
	buf raw = BUF_INIT;
	char err[256];
	if (mempool_find(c->n->mp, &raw, h) == 0 && tx_decode(&t, err, sizeof(err), raw.p, raw.len) == 0) {
		*out = tx_rpc_json(&t, NULL, 0, 0);
		tx_free(&t);
	} else {
		*out = json_null();
	}
	buf_free(&raw);
	return 0;
}

static json_t *receipt_json(const tx_row *row, const tx *t, const block_info *b, log_row *logs, size_t nlogs,
			    uint64_t cumulative)
{
	json_t *lj = json_array();
	for (size_t i = 0; i < nlogs; i++)
		json_array_append_new(lj, log_json(&logs[i]));
	json_t *o = json_object();
	json_object_set_new(o, "transactionHash", jsonio_hex(row->hash, 32));
	json_object_set_new(o, "transactionIndex", qty(row->idx));
	json_object_set_new(o, "blockHash", jsonio_hex(b->hash, 32));
	json_object_set_new(o, "blockNumber", qty(row->height));
	json_object_set_new(o, "from", addr_json(row->from));
	json_object_set_new(o, "to", row->has_to ? addr_json(row->to) : json_null());
	json_object_set_new(o, "cumulativeGasUsed", qty(cumulative));
	json_object_set_new(o, "gasUsed", qty(row->gas_used));
	u256 eff = t->gas_price;
	if (t->type == 2) {
		u256 base = u256_from_u64(BASE_FEE);
		if (u256_add(&eff, &base, &t->max_priority_fee) < 0 || u256_cmp(&eff, &t->max_fee) > 0)
			eff = t->max_fee;
	}
	json_object_set_new(o, "effectiveGasPrice", qty256(&eff));
	json_object_set_new(o, "contractAddress", json_null());
	json_object_set_new(o, "logs", lj);
	json_object_set_new(o, "logsBloom", bloom());
	json_object_set_new(o, "type", qty((uint64_t)t->type));
	json_object_set_new(o, "status", qty((uint64_t)row->status));
	return o;
}

static int m_get_receipt(rpc_ctx *c, json_t *p, json_t **out)
{
	uint8_t h[32];
	tx_row row;
	if (need_params(c, p, 1) < 0 || get_hash(c, h, param(p, 0), "transaction hash") < 0)
		return -1;
	int r = state_get_tx(c->st, &row, h);
	if (r < 0)
		return rpc_fail(c, RPC_INTERNAL, "cannot read the transaction");
	if (r == 1) {
		*out = json_null();
		return 0;
	}
	block_info b;
	tx t;
	log_row *logs = NULL;
	size_t nlogs = 0;
	int k = -1;
	if (state_block(c->st, &b, row.height) == 0 && decode_row(c, &t, &row) == 0) {
		if (state_tx_logs(c->st, &logs, &nlogs, row.height, row.idx) == 0) {
			/* Gas is not metered per block position; cumulative is an estimate by index. */
			*out = receipt_json(&row, &t, &b, logs, nlogs, row.gas_used * (row.idx + 1ULL));
			k = 0;
		}
		log_rows_free(logs, nlogs);
		tx_free(&t);
	}
	tx_row_free(&row);
	return k < 0 ? rpc_fail(c, RPC_INTERNAL, "cannot read the receipt") : 0;
}

static int get_block_at(rpc_ctx *c, json_t **out, int r, const block_info *b, json_t *full)
{
	if (r < 0)
		return rpc_fail(c, RPC_INTERNAL, "cannot read the block");
	if (r == 1) {
		*out = json_null();
		return 0;
	}
	return block_json(c, out, b, json_is_true(full));
}

static int m_block_by_number(rpc_ctx *c, json_t *p, json_t **out)
{
	uint64_t h;
	block_info b;
	if (need_params(c, p, 1) < 0 || block_number(c, &h, param(p, 0)) < 0)
		return -1;
	return get_block_at(c, out, state_block(c->st, &b, h), &b, param(p, 1));
}

static int m_block_by_hash(rpc_ctx *c, json_t *p, json_t **out)
{
	uint8_t h[32];
	block_info b;
	if (need_params(c, p, 1) < 0 || get_hash(c, h, param(p, 0), "block hash") < 0)
		return -1;
	return get_block_at(c, out, state_block_by_hash(c->st, &b, h), &b, param(p, 1));
}

static int m_block_tx_count(rpc_ctx *c, json_t *p, json_t **out)
{
	uint64_t h;
	block_info b;
	if (need_params(c, p, 1) < 0 || block_number(c, &h, param(p, 0)) < 0)
		return -1;
	int r = state_block(c->st, &b, h);
	*out = r == 0 ? qty(b.ntx) : json_null();
	return r < 0 ? rpc_fail(c, RPC_INTERNAL, "cannot read the block") : 0;
}

/* The call object of eth_call / eth_estimateGas. */
static int call_args(rpc_ctx *c, json_t *o, uint8_t from[20], bool *has_to, uint8_t to[20], u256 *value,
		     buf *data)
{
	if (!json_is_object(o))
		return rpc_fail(c, RPC_INVALID_PARAMS, "invalid call: expected a transaction object");
	memset(from, 0, 20);
	*value = u256_from_u64(0);
	json_t *f = json_object_get(o, "from"), *t = json_object_get(o, "to"), *v = json_object_get(o, "value");
	json_t *d = json_object_get(o, "data");
	if (!d)
		d = json_object_get(o, "input");
	if (f && !json_is_null(f) && get_addr(c, from, f, "from") < 0)
		return -1;
	*has_to = t && !json_is_null(t);
	if (*has_to && get_addr(c, to, t, "to") < 0)
		return -1;
	if (v && !json_is_null(v) && (!json_is_string(v) || u256_from_hex(value, json_string_value(v)) < 0))
		return rpc_fail(c, RPC_INVALID_PARAMS, "invalid value: expected a 0x-hex quantity");
	if (d && !json_is_null(d)) {
		uint8_t *b;
		size_t n;
		if (!json_is_string(d) || hex_decode_alloc(&b, &n, json_string_value(d)) < 0)
			return rpc_fail(c, RPC_INVALID_PARAMS, "invalid data: expected 0x-hex bytes");
		buf_add(data, b, n);
		free(b);
	}
	return 0;
}

static int m_call(rpc_ctx *c, json_t *p, json_t **out)
{
	uint8_t from[20], to[20];
	bool has_to, ok;
	u256 value;
	buf data = BUF_INIT, ret = BUF_INIT;
	uint64_t at;
	int r = -1;
	if (need_params(c, p, 1) < 0 ||
	    call_args(c, param(p, 0), from, &has_to, to, &value, &data) < 0 || block_number(c, &at, param(p, 1)) < 0)
		goto out;
	if (!has_to) {
		rpc_fail(c, RPC_REFUSED, "contract creation is not permitted: only Lightstreams contract templates run on this chain");
		goto out;
	}
	block_info h;
	head(c, &h);
	exec_block_info info = {h.h.height + 1, h.h.time + 1, c->n->g.supply, c->n->g.chain_id, c->n->g.foundation,
				c->n->g.service_fee_bps, &c->n->g.listing_fee, c->n->g.subscription_period};
	if (exec_call(c->st, &ok, &ret, &info, from, to, &value, data.p, data.len) < 0) {
		rpc_fail(c, RPC_INTERNAL, "call failed: database error");
		goto out;
	}
	if (!ok) {
		/* geth's form: code 3, "execution reverted: REASON", data = revert bytes */
		char reason[160] = "";
		if (ret.len >= 68 && !memcmp(ret.p, "\x08\xc3\x79\xa0", 4)) {
			uint64_t n = 0;
			for (int i = 60; i < 68; i++)
				n = n << 8 | ret.p[i];
			if (n <= ret.len - 68)
				snprintf(reason, sizeof(reason), ": %.*s", (int)(n < 150 ? n : 150), ret.p + 68);
		}
		c->data = jsonio_hex(ret.p, ret.len);
		rpc_fail(c, RPC_REVERTED, "execution reverted%s", reason);
		goto out;
	}
	*out = jsonio_hex(ret.p, ret.len);
	r = 0;
out:
	buf_free(&data);
	buf_free(&ret);
	return r;
}

static int m_estimate_gas(rpc_ctx *c, json_t *p, json_t **out)
{
	uint8_t from[20], to[20];
	bool has_to;
	u256 value;
	buf data = BUF_INIT;
	if (need_params(c, p, 1) < 0 || call_args(c, param(p, 0), from, &has_to, to, &value, &data) < 0) {
		buf_free(&data);
		return -1;
	}
	if (!has_to) {
		buf_free(&data);
		return rpc_fail(c, RPC_REFUSED, "contract creation is not permitted: only Lightstreams contract templates run on this chain");
	}
	tx t;
	tx_init(&t);
	t.has_to = true;
	t.data = data.p;
	t.data_len = data.len;
	uint64_t g = tx_intrinsic_gas(&t);
	if (contract_find(to)) {
		/* Run it as eth_call does: a call that would revert fails here, as on Ethereum. */
		json_t *res = NULL;
		int r = m_call(c, p, &res);
		json_decref(res);
		if (r < 0) {
			buf_free(&data);
			return -1;
		}
		/* Native contracts are not metered: a flat margin keeps wallets' limits valid. */
		g += 100000;
	}
	buf_free(&data);
	*out = qty(g);
	return 0;
}

static int topic_list(rpc_ctx *c, log_filter *f, int pos, json_t *v, uint8_t (**store)[32])
{
	if (!v || json_is_null(v))
		return 0;
	json_t *one = json_is_array(v) ? NULL : v;
	size_t n = one ? 1 : json_array_size(v);
	uint8_t (*t)[32] = xmalloc((n + 1) * 32);
	*store = t;
	for (size_t i = 0; i < n; i++) {
		json_t *e = one ? one : json_array_get(v, i);
		if (json_is_null(e)) { /* null inside an OR-list: any */
			f->ntopics[pos] = 0;
			return 0;
		}
		if (get_hash(c, t[i], e, "topic") < 0)
			return -1;
	}
	f->topics[pos] = (const uint8_t (*)[32])t;
	f->ntopics[pos] = n;
	return 0;
}

static int m_get_logs(rpc_ctx *c, json_t *p, json_t **out)
{
	json_t *o = param(p, 0);
	log_filter f;
	uint8_t (*addrs)[20] = NULL, (*topics[4])[32] = {NULL, NULL, NULL, NULL};
	int r = -1;
	memset(&f, 0, sizeof(f));
	if (!json_is_object(o))
		return rpc_fail(c, RPC_INVALID_PARAMS, "invalid filter: expected an object");
	json_t *bh = json_object_get(o, "blockHash");
	if (bh) {
		uint8_t h[32];
		block_info b;
		if (get_hash(c, h, bh, "blockHash") < 0)
			return -1;
		int k = state_block_by_hash(c->st, &b, h);
		if (k != 0)
			return rpc_fail(c, k < 0 ? RPC_INTERNAL : RPC_INVALID_PARAMS, "unknown block");
		f.from = f.to = b.h.height;
	} else {
		json_t *fb = json_object_get(o, "fromBlock"), *tb = json_object_get(o, "toBlock");
		if (block_number(c, &f.from, fb) < 0 || block_number(c, &f.to, tb) < 0)
			return -1;
		if (f.to >= f.from && f.to - f.from > MAX_LOG_RANGE)
			return rpc_fail(c, RPC_INVALID_PARAMS, "block range too large (at most %d blocks)", MAX_LOG_RANGE);
	}
	json_t *a = json_object_get(o, "address");
	if (a && !json_is_null(a)) {
		size_t n = json_is_array(a) ? json_array_size(a) : 1;
		addrs = xmalloc((n + 1) * 20);
		for (size_t i = 0; i < n; i++)
			if (get_addr(c, addrs[i], json_is_array(a) ? json_array_get(a, i) : a, "address") < 0)
				goto out;
		f.addresses = (const uint8_t (*)[20])addrs;
		f.naddresses = n;
	}
	json_t *t = json_object_get(o, "topics");
	if (t && !json_is_null(t) && (!json_is_array(t) || json_array_size(t) > 4)) {
		rpc_fail(c, RPC_INVALID_PARAMS, "invalid topics: at most 4 positions");
		goto out;
	}
	for (int i = 0; i < 4 && t && (size_t)i < json_array_size(t); i++)
		if (topic_list(c, &f, i, json_array_get(t, i), &topics[i]) < 0)
			goto out;
	f.limit = MAX_LOGS;
	log_row *rows;
	size_t n;
	if (state_logs(c->st, &rows, &n, &f) < 0) {
		rpc_fail(c, RPC_INVALID_PARAMS, "query returned more than %d results", MAX_LOGS);
		goto out;
	}
	*out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(*out, log_json(&rows[i]));
	log_rows_free(rows, n);
	r = 0;
out:
	free(addrs);
	for (int i = 0; i < 4; i++)
		free(topics[i]);
	return r;
}

/* ---- lst_* ---- */

static int m_lst_status(rpc_ctx *c, json_t *p, json_t **out)
{
	block_info h;
	uint8_t app[32];
	pthread_mutex_lock(&c->n->head_lock);
	h = c->n->head;
	memcpy(app, c->n->app_hash, 32);
	pthread_mutex_unlock(&c->n->head_lock);
	*out = jsonio_obj("chain_id", json_integer((json_int_t)c->n->g.chain_id), "height", json_integer((json_int_t)h.h.height),
			  "latest_hash", jsonio_hex(h.hash, 32), "latest_time", json_integer((json_int_t)h.h.time),
			  "rpc", json_string(c->n->rpc_url),
			  "peers", json_integer(c->n->net ? (json_int_t)p2p_count(c->n->net) : 0),
			  "validator", json_boolean(c->n->is_validator),
			  "validator_address", c->n->is_validator ? addr_json(c->n->validator_addr) : json_null(),
			  "mempool", json_integer((json_int_t)mempool_size(c->n->mp)),
			  "genesis_hash", jsonio_hex(c->n->g.hash, 32), "app_hash", jsonio_hex(app, 32), NULL);
	return 0;
}

/*
 * lst_validators [BLOCK]: the set that signs the given block (default: the
 * next one), {"height", "total_power", "validators": [{"address", "power"}]}.
 */
static int m_lst_validators(rpc_ctx *c, json_t *p, json_t **out)
{
	uint64_t h;
	json_t *b = param(p, 0);
	if (b && !json_is_null(b)) {
		if (block_number(c, &h, b) < 0)
			return -1;
	} else {
		block_info hd;
		head(c, &hd);
		h = hd.h.height + 1;
	}
	if (h == 0)
		h = 1; /* block 0 is genesis: its set is the first one */
	buf raw = BUF_INIT;
	uint64_t from;
	valset vs;
	int r = state_valset_get(c->st, &from, &raw, h);
	if (r != 0 || valset_decode(&vs, raw.p, raw.len) < 0) {
		buf_free(&raw);
		return rpc_fail(c, RPC_INTERNAL, "cannot read the validator set");
	}
	buf_free(&raw);
	json_t *arr = json_array();
	for (size_t i = 0; i < vs.n; i++)
		json_array_append_new(arr, jsonio_obj("address", addr_json(vs.v[i].address), "power",
						      json_integer((json_int_t)vs.v[i].power), NULL));
	*out = jsonio_obj("height", json_integer((json_int_t)h), "since", json_integer((json_int_t)from),
			  "total_power", json_integer((json_int_t)vs.total), "hash", jsonio_hex(vs.hash, 32),
			  "validators", arr, NULL);
	valset_free(&vs);
	return 0;
}

static int m_lst_peers(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = c->n->net ? p2p_info(c->n->net) : json_pack("{s:s,s:[]}", "self", c->n->rpc_url, "peers");
	return 0;
}

static int m_lst_genesis(rpc_ctx *c, json_t *p, json_t **out)
{
	*out = genesis_to_json(&c->n->g);
	return 0;
}

static int m_lst_commit(rpc_ctx *c, json_t *p, json_t **out)
{
	uint64_t h;
	buf b = BUF_INIT;
	commit cm;
	if (need_params(c, p, 1) < 0 || block_number(c, &h, param(p, 0)) < 0)
		return -1;
	int r = state_block_commit(c->st, &b, h);
	if (r != 0 || commit_decode(&cm, b.p, b.len) < 0) {
		buf_free(&b);
		if (r < 0)
			return rpc_fail(c, RPC_INTERNAL, "cannot read the commit");
		*out = json_null();
		return 0;
	}
	json_t *sigs = json_array();
	for (size_t i = 0; i < cm.nvotes; i++)
		json_array_append_new(sigs, jsonio_obj("validator", addr_json(cm.votes[i].validator),
						       "signature", jsonio_hex(cm.votes[i].sig, 65), NULL));
	*out = jsonio_obj("height", json_integer((json_int_t)cm.height), "round", json_integer(cm.round),
			  "block_hash", jsonio_hex(cm.block_hash, 32), "precommits", sigs, NULL);
	commit_free(&cm);
	buf_free(&b);
	return 0;
}

static const struct {
	const char *name;
	method_fn fn;
} methods[] = {
	{"eth_chainId", m_chain_id},
	{"net_version", m_net_version},
	{"net_listening", m_true},
	{"net_peerCount", m_zero},
	{"web3_clientVersion", m_client_version},
	{"eth_syncing", m_false},
	{"eth_mining", m_false},
	{"eth_hashrate", m_zero},
	{"eth_accounts", m_empty_array},
	{"eth_blockNumber", m_block_number},
	{"eth_gasPrice", m_gas_price},
	{"eth_maxPriorityFeePerGas", m_max_priority},
	{"eth_feeHistory", m_fee_history},
	{"eth_getBalance", m_get_balance},
	{"eth_getTransactionCount", m_get_tx_count},
	{"eth_getCode", m_get_code},
	{"eth_getStorageAt", m_get_storage},
	{"eth_sendRawTransaction", m_send_raw},
	{"eth_getTransactionByHash", m_get_tx},
	{"eth_getTransactionReceipt", m_get_receipt},
	{"eth_getBlockByNumber", m_block_by_number},
	{"eth_getBlockByHash", m_block_by_hash},
	{"eth_getBlockTransactionCountByNumber", m_block_tx_count},
	{"eth_call", m_call},
	{"eth_estimateGas", m_estimate_gas},
	{"eth_getLogs", m_get_logs},
	{"lst_status", m_lst_status},
	{"lst_genesis", m_lst_genesis},
	{"lst_peers", m_lst_peers},
	{"lst_validators", m_lst_validators},
	{"lst_commit", m_lst_commit},
};

int rpc_dispatch(rpc_ctx *c, const char *method, json_t *params, json_t **result)
{
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (!strcmp(methods[i].name, method))
			return methods[i].fn(c, params, result);
	return rpc_fail(c, RPC_NO_METHOD, "the method %s does not exist/is not available", method);
}
