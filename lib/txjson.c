/* txjson.c: see txjson.h. */
#include "lst.h"
#include "txjson.h"
#include "addr.h"
#include "hex.h"
#include "diag.h"
#include "jsonio.h"

int json_to_u256(u256 *out, json_t *j)
{
	if (json_is_integer(j)) {
		json_int_t v = json_integer_value(j);
		if (v < 0)
			return -1;
		*out = u256_from_u64((uint64_t)v);
		return 0;
	}
	if (json_is_string(j))
		return u256_from_str(out, json_string_value(j));
	return -1;
}

json_t *u256_to_json(const u256 *v)
{
	char dec[U256_DEC_MAX];
	u256_to_dec(dec, v);
	return json_string(dec);
}

static const struct field {
	const char *name, *alias, *alias2;
} fields[] = {
	{"type", NULL, NULL},
	{"chain_id", "chainId", NULL},
	{"nonce", NULL, NULL},
	{"to", NULL, NULL},
	{"value", NULL, NULL},
	{"data", "input", NULL},
	{"gas", "gas_limit", "gasLimit"},
	{"gas_price", "gasPrice", NULL},
	{"max_fee_per_gas", "maxFeePerGas", NULL},
	{"max_priority_fee_per_gas", "maxPriorityFeePerGas", NULL},
	{"access_list", "accessList", NULL},
	{"from", NULL, NULL},
};

static int fail(char *err, size_t errlen, const char *fmt, ...) LST_PRINTF(3, 4);
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The value of a field under any of its names (NULL if absent or null). */
static json_t *field(json_t *j, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (strcmp(fields[i].name, name))
			continue;
		json_t *v = json_object_get(j, name);
		if (!v && fields[i].alias)
			v = json_object_get(j, fields[i].alias);
		if (!v && fields[i].alias2)
			v = json_object_get(j, fields[i].alias2);
		return json_is_null(v) ? NULL : v;
	}
	return NULL;
}

static int quantity(u256 *out, char *err, size_t errlen, json_t *j, const char *name, bool u64)
{
	json_t *v = field(j, name);
	if (!v) {
		*out = u256_from_u64(0);
		return 0;
	}
	if (json_is_integer(v) && json_integer_value(v) < 0)
		return fail(err, errlen, "'%s' must not be negative", name);
	if (json_to_u256(out, v) < 0) {
		if (json_is_string(v)) {
			const char *s = json_string_value(v);
			bool digits = *s && strspn(s, "0123456789") == strlen(s);
			bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2] &&
				   strspn(s + 2, "0123456789abcdefABCDEF") == strlen(s + 2);
			if (digits || hex)
				return fail(err, errlen, "'%s' is 2^256 or more", name);
			return fail(err, errlen, "'%s' is not a number: \"%s\" (use decimal or 0x-hex)", name, s);
		}
		return fail(err, errlen, "'%s' must be an integer or a decimal or 0x-hex string", name);
	}
	if (u64 && !u256_fits_u64(out))
		return fail(err, errlen, "'%s' does not fit in 64 bits", name);
	return 0;
}

static int address(uint8_t a[20], char *err, size_t errlen, json_t *v, const char *name)
{
	const char *why;
	if (!json_is_string(v))
		return fail(err, errlen, "'%s' must be an address string", name);
	if (addr_parse(a, json_string_value(v), &why) < 0)
		return fail(err, errlen, "'%s' is not an address: %s", name, why);
	return 0;
}

static int access_list(tx *t, char *err, size_t errlen, json_t *al)
{
	if (!json_is_array(al))
		return fail(err, errlen, "'access_list' must be an array");
	size_t i;
	json_t *e;
	json_array_foreach(al, i, e) {
		json_t *keys = json_object_get(e, "storage_keys");
		if (!keys)
			keys = json_object_get(e, "storageKeys");
		if (!json_is_object(e) || !json_is_array(keys))
			return fail(err, errlen, "access_list[%zu] must be {\"address\", \"storage_keys\"}", i);
		t->access = xrealloc(t->access, (t->naccess + 1) * sizeof(*t->access));
		tx_access *a = &t->access[t->naccess++];
		a->nkeys = 0;
		a->keys = xmalloc(json_array_size(keys) * 32 + 1);
		if (address(a->address, err, errlen, json_object_get(e, "address"), "access_list address") < 0)
			return -1;
		size_t k;
		json_t *key;
		json_array_foreach(keys, k, key) {
			if (!json_is_string(key) || hex_decode(a->keys[k], 32, json_string_value(key)) < 0)
				return fail(err, errlen, "access_list[%zu] storage key %zu must be 32 bytes of hex", i, k);
			a->nkeys++;
		}
	}
	return 0;
}

static bool known_key(const char *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(k, fields[i].name) || (fields[i].alias && !strcmp(k, fields[i].alias)) ||
		    (fields[i].alias2 && !strcmp(k, fields[i].alias2)))
			return true;
	return false;
}

static int from_json(tx *t, char *err, size_t errlen, json_t *j)
{
	u256 v;
	const char *key;
	json_t *val;
	if (!json_is_object(j))
		return fail(err, errlen, "a transaction must be a JSON object");
	json_object_foreach(j, key, val)
		if (!known_key(key))
			return fail(err, errlen, "unknown field '%s' in transaction", key);

	json_t *type = field(j, "type");
	if (type) {
		if (json_to_u256(&v, type) < 0 || !u256_fits_u64(&v) || v.w[0] > 2)
			return fail(err, errlen, "'type' must be 0 (legacy), 1 (EIP-2930) or 2 (EIP-1559)");
		t->type = (int)v.w[0];
	} else {
		t->type = field(j, "max_fee_per_gas") ? 2 : 0;
	}
	if (field(j, "chain_id")) {
		if (quantity(&v, err, errlen, j, "chain_id", true) < 0)
			return -1;
		t->chain_id = v.w[0];
		/* As ethers: a legacy tx with chain id 0 is unprotected (pre-EIP-155). */
		t->has_chain_id = t->type != 0 || v.w[0] != 0;
	} else {
		t->has_chain_id = t->type != 0;
	}
	if (quantity(&v, err, errlen, j, "nonce", true) < 0)
		return -1;
	t->nonce = v.w[0];
	if (quantity(&v, err, errlen, j, "gas", true) < 0)
		return -1;
	t->gas = v.w[0];
	if (t->type == 2) {
		if (field(j, "gas_price"))
			return fail(err, errlen, "'gas_price' is not a field of a type 2 transaction (use max_fee_per_gas)");
		if (quantity(&t->max_fee, err, errlen, j, "max_fee_per_gas", false) < 0 ||
		    quantity(&t->max_priority_fee, err, errlen, j, "max_priority_fee_per_gas", false) < 0)
			return -1;
	} else {
		if (field(j, "max_fee_per_gas") || field(j, "max_priority_fee_per_gas"))
			return fail(err, errlen, "fee caps are fields of type 2 transactions only");
		if (quantity(&t->gas_price, err, errlen, j, "gas_price", false) < 0)
			return -1;
	}
	json_t *to = field(j, "to");
	if (to) {
		if (address(t->to, err, errlen, to, "to") < 0)
			return -1;
		t->has_to = true;
	}
	if (quantity(&t->value, err, errlen, j, "value", false) < 0)
		return -1;
	json_t *data = field(j, "data");
	if (data) {
		if (!json_is_string(data) ||
		    hex_decode_alloc(&t->data, &t->data_len, json_string_value(data)) < 0)
			return fail(err, errlen, "'data' must be 0x-hex bytes");
	}
	json_t *al = field(j, "access_list");
	if (al) {
		if (t->type == 0)
			return fail(err, errlen, "'access_list' needs a type 1 or 2 transaction");
		if (access_list(t, err, errlen, al) < 0)
			return -1;
	}
	return 0;
}

int tx_from_json(tx *out, char *err, size_t errlen, json_t *j)
{
	tx_init(out);
	if (from_json(out, err, errlen, j) < 0) {
		tx_free(out);
		return -1;
	}
	return 0;
}

static json_t *addr_json(const uint8_t a[20])
{
	char s[ADDR_STR];
	addr_to_str(s, a);
	return json_string(s);
}

json_t *tx_to_json(const tx *t)
{
	json_t *o = json_object();
	u256 tmp;
	json_object_set_new(o, "type", json_integer(t->type));
	if (t->has_chain_id) {
		tmp = u256_from_u64(t->chain_id);
		json_object_set_new(o, "chain_id", u256_to_json(&tmp));
	} else {
		json_object_set_new(o, "chain_id", json_null());
	}
	tmp = u256_from_u64(t->nonce);
	json_object_set_new(o, "nonce", u256_to_json(&tmp));
	if (t->type == 2) {
		json_object_set_new(o, "max_priority_fee_per_gas", u256_to_json(&t->max_priority_fee));
		json_object_set_new(o, "max_fee_per_gas", u256_to_json(&t->max_fee));
	} else {
		json_object_set_new(o, "gas_price", u256_to_json(&t->gas_price));
	}
	tmp = u256_from_u64(t->gas);
	json_object_set_new(o, "gas", u256_to_json(&tmp));
	json_object_set_new(o, "to", t->has_to ? addr_json(t->to) : json_null());
	json_object_set_new(o, "value", u256_to_json(&t->value));
	json_object_set_new(o, "data", jsonio_hex(t->data, t->data_len));
	if (t->type != 0) {
		json_t *al = json_array();
		for (size_t i = 0; i < t->naccess; i++) {
			json_t *keys = json_array();
			for (size_t k = 0; k < t->access[i].nkeys; k++)
				json_array_append_new(keys, jsonio_hex(t->access[i].keys[k], 32));
			json_array_append_new(al, jsonio_obj("address", addr_json(t->access[i].address),
							     "storage_keys", keys, NULL));
		}
		json_object_set_new(o, "access_list", al);
	}
	if (t->signed_) {
		json_object_set_new(o, "v", u256_to_json(&t->v));
		json_object_set_new(o, "r", jsonio_hex(t->r, 32));
		json_object_set_new(o, "s", jsonio_hex(t->s, 32));
		json_object_set_new(o, "from", addr_json(t->from));
		json_object_set_new(o, "hash", jsonio_hex(t->hash, 32));
	}
	return o;
}
