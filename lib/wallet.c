/* wallet.c: see wallet.h. */
#include "lst.h"
#include "wallet.h"
#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"
#include "rpcclient.h"
#include "tx.h"

#include <time.h>

static int quantity(u256 *out, json_t *q, const char *what)
{
	if (!json_is_string(q) || u256_from_hex(out, json_string_value(q)) < 0)
		return diag_error(LST_EFAIL, "the node sent a bad %s", what);
	return 0;
}

int wallet_balance(u256 *out, const uint8_t address[20])
{
	char a[ADDR_STR];
	json_t *r;
	addr_to_str(a, address);
	if (rpcc_call(&r, "eth_getBalance", json_pack("[s,s]", a, "latest")) < 0)
		return -1;
	int k = quantity(out, r, "balance");
	json_decref(r);
	return k;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int wallet_wait(json_t **receipt, const char *hash, double timeout)
{
	double end = mono() + timeout;
	for (;;) {
		json_t *r;
		if (rpcc_call(&r, "eth_getTransactionReceipt", json_pack("[s]", hash)) < 0)
			return -1;
		if (!json_is_null(r)) {
			*receipt = r;
			return 0;
		}
		json_decref(r);
		if (mono() >= end)
			return diag_error(LST_ENOTFOUND, "transaction '%s' not in a block after %.0f s", hash, timeout);
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

int wallet_call(json_t **receipt, const key_entry *e, const uint8_t to[20], const u256 *value, const uint8_t *data,
		size_t len, double timeout)
{
	json_t *cid = NULL, *nonce = NULL, *hash = NULL;
	u256 c, n;
	tx t;
	secret_key k = {NULL};
	buf raw = BUF_INIT;
	int r = -1;
	tx_init(&t);
	if (rpcc_call(&cid, "eth_chainId", NULL) < 0 || quantity(&c, cid, "chain id") < 0 ||
	    rpcc_call(&nonce, "eth_getTransactionCount", json_pack("[s,s]", e->address_str, "pending")) < 0 ||
	    quantity(&n, nonce, "nonce") < 0)
		goto out;
	if (!u256_fits_u64(&c) || !u256_fits_u64(&n)) {
		diag_error(LST_EFAIL, "the node sent an out-of-range chain id or nonce");
		goto out;
	}
	t.type = 2;
	t.has_chain_id = true;
	t.chain_id = c.w[0];
	t.nonce = n.w[0];
	t.max_fee = u256_from_u64(1000000000);  /* fees are shown, never charged */
	t.max_priority_fee = u256_from_u64(1);
	t.has_to = true;
	memcpy(t.to, to, 20);
	t.value = value ? *value : u256_from_u64(0);
	if (len) {
		t.data = xmalloc(len);
		memcpy(t.data, data, len);
		t.data_len = len;
	}
	/* Native contracts are not metered: the node's eth_estimateGas margin. */
	t.gas = tx_intrinsic_gas(&t) + (len ? 100000 : 0);
	if (keyring_unlock_ask(&k, e) < 0 || tx_sign(&t, &raw, k.priv, e->address) < 0)
		goto out;
	char *hex = hex_encode_alloc(raw.p, raw.len);
	int s = rpcc_call(&hash, "eth_sendRawTransaction", json_pack("[s]", hex));
	free(hex);
	if (s < 0)
		goto out;
	r = wallet_wait(receipt, json_string_value(hash), timeout);
out:
	secret_free(&k);
	tx_free(&t);
	buf_free(&raw);
	json_decref(cid);
	json_decref(nonce);
	json_decref(hash);
	return r;
}

int wallet_send(json_t **receipt, const key_entry *e, const uint8_t to[20], const u256 *amount, double timeout)
{
	return wallet_call(receipt, e, to, amount, NULL, 0, timeout);
}
