/* tx.c: see tx.h. */
#include "lst.h"
#include "tx.h"
#include "rlp.h"
#include "keccak.h"
#include "secp.h"
#include "diag.h"

#define MAX_INITCODE 49152 /* EIP-3860 */

void tx_init(tx *t)
{
	memset(t, 0, sizeof(*t));
}

void tx_free(tx *t)
{
	free(t->data);
	for (size_t i = 0; i < t->naccess; i++)
		free(t->access[i].keys);
	free(t->access);
	tx_init(t);
}

static void put_access_list(buf *b, const tx *t)
{
	size_t l = rlp_list_begin(b);
	for (size_t i = 0; i < t->naccess; i++) {
		size_t e = rlp_list_begin(b);
		rlp_put_bytes(b, t->access[i].address, 20);
		size_t k = rlp_list_begin(b);
		for (size_t j = 0; j < t->access[i].nkeys; j++)
			rlp_put_bytes(b, t->access[i].keys[j], 32);
		rlp_list_end(b, k);
		rlp_list_end(b, e);
	}
	rlp_list_end(b, l);
}

/* The fields every form shares, from nonce (legacy) or chain id (typed). */
static void put_body(buf *b, const tx *t)
{
	if (t->type != 0)
		rlp_put_u64(b, t->chain_id);
	rlp_put_u64(b, t->nonce);
	if (t->type == 2) {
		rlp_put_u256(b, &t->max_priority_fee);
		rlp_put_u256(b, &t->max_fee);
	} else {
		rlp_put_u256(b, &t->gas_price);
	}
	rlp_put_u64(b, t->gas);
	rlp_put_bytes(b, t->to, t->has_to ? 20 : 0);
	rlp_put_u256(b, &t->value);
	rlp_put_bytes(b, t->data, t->data_len);
	if (t->type != 0)
		put_access_list(b, t);
}

void tx_encode_unsigned(buf *b, const tx *t)
{
	if (t->type != 0)
		buf_addc(b, (uint8_t)t->type);
	size_t l = rlp_list_begin(b);
	put_body(b, t);
	if (t->type == 0 && t->has_chain_id) {
		rlp_put_u64(b, t->chain_id);
		rlp_put_u64(b, 0);
		rlp_put_u64(b, 0);
	}
	rlp_list_end(b, l);
}

void tx_signing_hash(uint8_t out[32], const tx *t)
{
	buf b = BUF_INIT;
	tx_encode_unsigned(&b, t);
	keccak256(out, b.p, b.len);
	buf_free(&b);
}

static void put_scalar(buf *b, const uint8_t x[32])
{
	size_t skip = 0;
	while (skip < 32 && x[skip] == 0)
		skip++;
	rlp_put_bytes(b, x + skip, 32 - skip);
}

void tx_encode(buf *b, const tx *t)
{
	if (t->type != 0)
		buf_addc(b, (uint8_t)t->type);
	size_t l = rlp_list_begin(b);
	put_body(b, t);
	rlp_put_u256(b, &t->v);
	put_scalar(b, t->r);
	put_scalar(b, t->s);
	rlp_list_end(b, l);
}

int tx_sign(tx *t, buf *raw, const uint8_t priv[32], const uint8_t from[20])
{
	uint8_t digest[32], sig[64];
	int recid;
	tx_signing_hash(digest, t);
	if (secp_sign(sig, &recid, priv, digest) < 0)
		return -1;
	memcpy(t->r, sig, 32);
	memcpy(t->s, sig + 32, 32);
	if (t->type != 0)
		t->v = u256_from_u64((uint64_t)recid);
	else if (!t->has_chain_id)
		t->v = u256_from_u64(27 + (uint64_t)recid);
	else {
		/* v = chain_id * 2 + 35 + recid, which can exceed 64 bits. */
		u256 c = u256_from_u64(t->chain_id);
		if (u256_mul_small(&t->v, &c, 2, 35 + (uint64_t)recid) < 0)
			return -1;
	}
	memcpy(t->from, from, 20);
	buf b = BUF_INIT, *out = raw ? raw : &b;
	size_t start = out->len;
	tx_encode(out, t);
	keccak256(t->hash, out->p + start, out->len - start);
	buf_free(&b);
	t->signed_ = true;
	return 0;
}

uint64_t tx_intrinsic_gas(const tx *t)
{
	uint64_t g = 21000;
	for (size_t i = 0; i < t->data_len; i++)
		g += t->data[i] ? 16 : 4;
	if (!t->has_to)
		g += 32000 + 2 * ((t->data_len + 31) / 32);
	for (size_t i = 0; i < t->naccess; i++)
		g += 2400 + 1900 * (uint64_t)t->access[i].nkeys;
	return g;
}

/* ---- decoding ---- */

struct dec {
	char *err;
	size_t errlen;
};

static int bad(struct dec *d, const char *fmt, ...) LST_PRINTF(2, 3);
static int bad(struct dec *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err, d->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int get_uint(struct dec *d, u256 *out, const rlp_item *it, size_t maxbytes, const char *name)
{
	if (it->list)
		return bad(d, "%s must be a string, not a list", name);
	if (it->len > 0 && it->p[0] == 0)
		return bad(d, "%s has leading zeros", name);
	if (it->len > maxbytes)
		return bad(d, "%s is too large (%zu bytes, at most %zu)", name, it->len, maxbytes);
	if (u256_from_be(out, it->p, it->len) < 0)
		return bad(d, "%s is too large", name);
	return 0;
}

static int get_u64(struct dec *d, uint64_t *out, const rlp_item *it, const char *name)
{
	u256 v;
	if (get_uint(d, &v, it, 8, name) < 0)
		return -1;
	*out = v.w[0];
	return 0;
}

static int get_scalar(struct dec *d, uint8_t out[32], const rlp_item *it, const char *name)
{
	u256 v;
	if (get_uint(d, &v, it, 32, name) < 0)
		return -1;
	u256_to_be32(out, &v);
	return 0;
}

static int get_access_list(struct dec *d, tx *t, const rlp_item *list)
{
	if (!list->list)
		return bad(d, "access list must be a list");
	size_t pos = 0;
	rlp_item e;
	int r;
	while ((r = rlp_next(&e, list, &pos)) == 1) {
		rlp_item f[2];
		size_t n;
		if (!e.list || rlp_list_items(f, 2, &n, &e) < 0 || n != 2)
			return bad(d, "access list entry must be [address, [keys]]");
		if (f[0].list || f[0].len != 20)
			return bad(d, "access list address must be 20 bytes");
		if (!f[1].list)
			return bad(d, "access list storage keys must be a list");
		t->access = xrealloc(t->access, (t->naccess + 1) * sizeof(*t->access));
		tx_access *a = &t->access[t->naccess++];
		memcpy(a->address, f[0].p, 20);
		a->nkeys = 0;
		a->keys = NULL;
		size_t kpos = 0;
		rlp_item k;
		int kr;
		while ((kr = rlp_next(&k, &f[1], &kpos)) == 1) {
			if (k.list || k.len != 32)
				return bad(d, "access list storage key must be 32 bytes");
			a->keys = xrealloc(a->keys, (a->nkeys + 1) * 32);
			memcpy(a->keys[a->nkeys++], k.p, 32);
		}
		if (kr < 0)
			return bad(d, "access list: %s", rlp_error);
	}
	if (r < 0)
		return bad(d, "access list: %s", rlp_error);
	return 0;
}

static int decode_fields(struct dec *d, tx *t, const rlp_item *f, size_t n)
{
	size_t i = 0, want = t->type == 0 ? 9 : t->type == 1 ? 11 : 12;
	u256 tmp;
	if (n != want)
		return bad(d, "type %d transaction has %zu fields, expected %zu", t->type, n, want);
	if (t->type != 0) {
		if (get_uint(d, &tmp, &f[i++], 32, "chain id") < 0)
			return -1;
		if (!u256_fits_u64(&tmp))
			return bad(d, "chain id is too large");
		t->chain_id = tmp.w[0];
		t->has_chain_id = true;
	}
	if (get_u64(d, &t->nonce, &f[i++], "nonce") < 0)
		return -1;
	if (t->type == 2) {
		if (get_uint(d, &t->max_priority_fee, &f[i++], 32, "max priority fee per gas") < 0 ||
		    get_uint(d, &t->max_fee, &f[i++], 32, "max fee per gas") < 0)
			return -1;
	} else if (get_uint(d, &t->gas_price, &f[i++], 32, "gas price") < 0) {
		return -1;
	}
	if (get_u64(d, &t->gas, &f[i++], "gas limit") < 0)
		return -1;
	const rlp_item *to = &f[i++];
	if (to->list)
		return bad(d, "to must be a string, not a list");
	if (to->len != 0 && to->len != 20)
		return bad(d, "to must be empty or 20 bytes, got %zu", to->len);
	t->has_to = to->len == 20;
	if (t->has_to)
		memcpy(t->to, to->p, 20);
	if (get_uint(d, &t->value, &f[i++], 32, "value") < 0)
		return -1;
	const rlp_item *data = &f[i++];
	if (data->list)
		return bad(d, "data must be a string, not a list");
	t->data = xmalloc(data->len + 1);
	memcpy(t->data, data->p, data->len);
	t->data_len = data->len;
	if (t->type != 0 && get_access_list(d, t, &f[i++]) < 0)
		return -1;
	if (get_uint(d, &t->v, &f[i++], 32, t->type ? "y parity" : "v") < 0 ||
	    get_scalar(d, t->r, &f[i++], "r") < 0 ||
	    get_scalar(d, t->s, &f[i++], "s") < 0)
		return -1;
	return 0;
}

int tx_validate(char *err, size_t errlen, const tx *t)
{
	struct dec dd = {err, errlen}, *d = &dd;
	u256 prod, gas = u256_from_u64(t->gas);
	if (t->nonce == UINT64_MAX)
		return bad(d, "nonce is at its maximum (2^64-1, EIP-2681)");
	if (t->type == 2) {
		if (u256_cmp(&t->max_priority_fee, &t->max_fee) > 0)
			return bad(d, "max priority fee per gas exceeds max fee per gas");
		if (u256_mul(&prod, &gas, &t->max_fee) < 0)
			return bad(d, "gas limit times max fee per gas overflows 256 bits");
	} else if (u256_mul(&prod, &gas, &t->gas_price) < 0) {
		return bad(d, "gas limit times gas price overflows 256 bits");
	}
	if (!t->has_to && t->data_len > MAX_INITCODE)
		return bad(d, "init code is larger than %d bytes (EIP-3860)", MAX_INITCODE);
	uint64_t intrinsic = tx_intrinsic_gas(t);
	if (t->gas < intrinsic)
		return bad(d, "intrinsic gas too low: gas limit %llu, needs %llu",
			   (unsigned long long)t->gas, (unsigned long long)intrinsic);
	return 0;
}

int tx_check_chain(char *err, size_t errlen, const tx *t, uint64_t chain_id)
{
	struct dec d = {err, errlen};
	if (t->has_chain_id && t->chain_id != chain_id)
		return bad(&d, "invalid chain id: the transaction is for chain %llu, not %llu",
			   (unsigned long long)t->chain_id, (unsigned long long)chain_id);
	return 0;
}

/* The recovery id and chain id that v encodes. */
static int recover_chain_recid(struct dec *d, tx *t, int *recid_out)
{
	int recid;
	if (t->type != 0) {
		if (!u256_fits_u64(&t->v) || t->v.w[0] > 1)
			return bad(d, "invalid signature: y parity must be 0 or 1");
		recid = (int)t->v.w[0];
	} else if (u256_fits_u64(&t->v) && (t->v.w[0] == 27 || t->v.w[0] == 28)) {
		recid = (int)(t->v.w[0] - 27);
		t->has_chain_id = false;
	} else {
		/* EIP-155: v = chain_id * 2 + 35 + recid, chain id at least 1. */
		u256 thirtyfive = u256_from_u64(35), rest, cid;
		if (u256_cmp(&t->v, &thirtyfive) < 0 || u256_sub(&rest, &t->v, &thirtyfive) < 0)
			return bad(d, "invalid chain id: v is neither 27, 28 nor chain_id*2+35/36");
		recid = (int)u256_div_small(&cid, &rest, 2);
		if (!u256_fits_u64(&cid) || cid.w[0] == 0)
			return bad(d, "invalid chain id: chain id from v is out of range");
		t->chain_id = cid.w[0];
		t->has_chain_id = true;
	}
	*recid_out = recid;
	return 0;
}

static int recover_chain(struct dec *d, tx *t)
{
	int recid;
	return recover_chain_recid(d, t, &recid);
}

static int recover_sender(struct dec *d, tx *t)
{
	int recid;
	if (recover_chain_recid(d, t, &recid) < 0)
		return -1;
	uint8_t sig[64], digest[32], pub[65];
	static const uint8_t zero[32];
	memcpy(sig, t->r, 32);
	memcpy(sig + 32, t->s, 32);
	if (!memcmp(t->r, zero, 32) || !memcmp(t->s, zero, 32))
		return bad(d, "invalid signature: r or s is zero");
	if (!secp_s_is_low(t->s))
		return bad(d, "invalid signature: s > n/2 (EIP-2)");
	tx_signing_hash(digest, t);
	if (secp_recover(pub, sig, recid, digest, true) < 0)
		return bad(d, "invalid signature: the sender cannot be recovered");
	secp_address_from_pub(t->from, pub);
	return 0;
}

static int decode(tx *out, char *err, size_t errlen, const uint8_t *raw, size_t len, const uint8_t *trusted_from)
{
	struct dec d = {err, errlen};
	rlp_item top, f[12];
	size_t n;
	const uint8_t *body = raw;
	size_t blen = len;
	tx_init(out);
	if (len == 0)
		return bad(&d, "empty transaction");
	if (raw[0] < 0x7f) {
		if (raw[0] != 1 && raw[0] != 2)
			return bad(&d, "unsupported transaction type %d (lst takes 0, 1 and 2)", raw[0]);
		out->type = raw[0];
		body++;
		blen--;
	} else if (raw[0] < 0xc0) {
		return bad(&d, "a legacy transaction must be an RLP list");
	}
	if (rlp_decode(&top, body, blen) < 0) {
		bad(&d, "bad RLP: %s", rlp_error);
		goto fail;
	}
	if (!top.list) {
		bad(&d, "transaction must be an RLP list");
		goto fail;
	}
	if (rlp_list_items(f, ARRAY_SIZE(f), &n, &top) < 0) {
		bad(&d, "bad RLP: %s", rlp_error);
		goto fail;
	}
	if (decode_fields(&d, out, f, n) < 0)
		goto fail;
	if (trusted_from) {
		/* Stored by us after recovery: derive the chain id from v only. */
		if (recover_chain(&d, out) < 0)
			goto fail;
		memcpy(out->from, trusted_from, 20);
	} else if (recover_sender(&d, out) < 0) {
		goto fail;
	}
	keccak256(out->hash, raw, len);
	out->signed_ = true;
	return 0;
fail:
	tx_free(out);
	return -1;
}

int tx_decode(tx *out, char *err, size_t errlen, const uint8_t *raw, size_t len)
{
	return decode(out, err, errlen, raw, len, NULL);
}

int tx_decode_trusted(tx *out, char *err, size_t errlen, const uint8_t *raw, size_t len, const uint8_t from[20])
{
	return decode(out, err, errlen, raw, len, from);
}
