/* Provider records and the registry: signatures, forgeries, JSON, expiry, caps. */
#include "lst.h"
#include "unit.h"
#include "addr.h"
#include "cid.h"
#include "diag.h"
#include "providers.h"
#include "secp.h"

#include <jansson.h>

#define NOW 1700000000ull

static uint8_t key_a[32], key_b[32], addr_a[20], addr_b[20];
static cid root1, root2;

static void make_record(prov_record *r, const uint8_t addr[20], const cid *root, uint64_t expires)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->addr, addr, 20);
	snprintf(r->url, sizeof(r->url), "http://127.0.0.1:9000");
	r->root = *root;
	r->complete = true;
	r->expires = expires;
}

static void make_partial(prov_record *r, const uint8_t addr[20], uint64_t leaves)
{
	make_record(r, addr, &root1, NOW + 600);
	r->complete = false;
	r->leaves = leaves;
	r->have = xcalloc((size_t)(leaves + 7) / 8, 1);
	for (uint64_t i = 0; i < leaves; i += 3)
		r->have[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void test_sign_verify(void)
{
	prov_record r, t;
	const char *why = NULL;
	make_record(&r, addr_a, &root1, NOW + 3600);
	ok(prov_record_sign(&r, key_a) == 0, "sign a complete record");
	ok(prov_record_verify(&r, NOW, &why) == 0, "it verifies");

	t = r;
	t.sig[10] ^= 1;
	ok(prov_record_verify(&t, NOW, &why) < 0, "a forged signature is refused");
	t = r;
	memcpy(t.addr, addr_b, 20);
	ok(prov_record_verify(&t, NOW, &why) < 0 && !strcmp(why, "signature is not the address's"),
	   "A's signature over B's address is refused");
	t = r;
	snprintf(t.url, sizeof(t.url), "http://127.0.0.1:9001");
	ok(prov_record_verify(&t, NOW, &why) < 0, "an altered url is refused");
	t = r;
	t.expires++;
	ok(prov_record_verify(&t, NOW, &why) < 0, "an altered expiry is refused");
	t = r;
	t.root = root2;
	ok(prov_record_verify(&t, NOW, &why) < 0, "another root is refused");

	ok(prov_record_verify(&r, NOW + 3600, &why) < 0 && !strcmp(why, "expired"), "expired at its expiry");
	ok(prov_record_verify(&r, NOW + 3599, &why) == 0, "live a second before");
	make_record(&t, addr_a, &root1, NOW + PROV_MAX_LIFETIME + 1);
	ok(prov_record_sign(&t, key_a) == 0, "sign one that lives too long");
	ok(prov_record_verify(&t, NOW, &why) < 0 && !strcmp(why, "expires too far ahead"),
	   "a lifetime over PROV_MAX_LIFETIME is refused");
	ok(prov_record_verify(&t, NOW + 1, &why) == 0, "the same within the lifetime verifies");

	diag_set_quiet(true);
	make_record(&t, addr_b, &root1, NOW + 60);
	ok(prov_record_sign(&t, key_a) < 0, "signing B's record with A's key is refused");
	make_record(&t, addr_a, &root1, NOW + 60);
	snprintf(t.url, sizeof(t.url), "ftp://x");
	ok(prov_record_sign(&t, key_a) < 0, "signing a record with a non-http url is refused");
	diag_set_quiet(false);

	/* The signature is an EIP-191 one over the canonical text. */
	json_t *j = prov_record_json(&r);
	ok(json_object_get(j, "signature") && json_object_size(j) == 7 && !json_object_get(j, "have"),
	   "complete record JSON has 7 fields and no have");
	char a[ADDR_STR];
	addr_to_str(a, addr_a);
	ok(!strcmp(json_string_value(json_object_get(j, "address")), a), "address is checksummed");
	json_decref(j);
}

static void test_partial(void)
{
	prov_record r, t;
	const char *why = NULL;
	make_partial(&r, addr_a, 21);
	ok(prov_record_sign(&r, key_a) == 0 && prov_record_verify(&r, NOW, &why) == 0, "partial record verifies");
	ok(prov_has_leaf(&r, 0) && !prov_has_leaf(&r, 1) && prov_has_leaf(&r, 3) && prov_has_leaf(&r, 18) &&
	   !prov_has_leaf(&r, 20) && !prov_has_leaf(&r, 21) && !prov_has_leaf(&r, 1000),
	   "have bitmap: leaves 0, 3, 18 held; 1, 20 not; past the end not");
	r.have[0] ^= 2;
	ok(prov_record_verify(&r, NOW, &why) < 0, "an altered have bitmap is refused");
	r.have[0] ^= 2;
	r.have[2] |= 0x80; /* bit 23: past leaf 20 */
	ok(prov_record_verify(&r, NOW, &why) < 0 && strstr(why, "past the last leaf"),
	   "bits past the last leaf are refused");
	r.have[2] &= 0x7f;

	/* JSON round trip. */
	json_t *j = prov_record_json(&r);
	ok(json_is_string(json_object_get(j, "have")) && json_integer_value(json_object_get(j, "leaves")) == 21,
	   "partial JSON has leaves and have");
	ok(prov_record_from_json(&t, j, &why) == 0, "parse it back");
	ok(!memcmp(t.addr, r.addr, 20) && !strcmp(t.url, r.url) && cid_equal(&t.root, &r.root) && !t.complete &&
	   t.leaves == 21 && !memcmp(t.have, r.have, 3) && t.expires == r.expires && !memcmp(t.sig, r.sig, 65),
	   "every field survives");
	ok(prov_record_verify(&t, NOW, &why) == 0, "the parsed record verifies");
	prov_record_free(&t);

	/* Text round trip through a lowercase address. */
	char *text = json_dumps(j, JSON_COMPACT);
	json_t *k = json_loads(text, 0, NULL);
	char low[ADDR_STR];
	snprintf(low, sizeof(low), "%s", json_string_value(json_object_get(k, "address")));
	for (char *p = low + 2; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	json_object_set_new(k, "address", json_string(low));
	ok(prov_record_from_json(&t, k, &why) == 0 && prov_record_verify(&t, NOW, &why) == 0,
	   "a lowercase address parses and verifies");
	prov_record_free(&t);
	free(text);
	json_decref(k);

	/* Malformed JSON records. */
	struct {
		const char *key, *what;
		json_t *val;
	} bad[] = {
	    {"have", "have one byte too long", json_string("AAAAAA==")},
	    {"have", "have one byte too short", json_string("AAA=")},
	    {"have", "have not base64", json_string("!!!!")},
	    {"leaves", "negative leaves", json_integer(-1)},
	    {"leaves", "absurd leaves", json_integer(1ll << 40)},
	    {"expires", "expires a string", json_string("123")},
	    {"signature", "short signature", json_string("0x1234")},
	    {"address", "bad address", json_string("0x12")},
	    {"root", "bad root", json_string("bafyNOTACID")},
	    {"complete", "complete not a bool", json_integer(1)},
	    {"url", "url with a quote", json_string("http://a\"b")},
	    {"extra", "an unknown field", json_true()},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *c = json_deep_copy(j);
		json_object_set_new(c, bad[i].key, bad[i].val);
		int refused = prov_record_from_json(&t, c, &why) < 0;
		ok(refused, "refused: %s (%s)", bad[i].what, refused ? why : "accepted");
		json_decref(c);
	}
	char longurl[400];
	memset(longurl, 'a', sizeof(longurl) - 1);
	memcpy(longurl, "http://", 7);
	longurl[sizeof(longurl) - 1] = 0;
	json_t *c = json_deep_copy(j);
	json_object_set_new(c, "url", json_string(longurl));
	ok(prov_record_from_json(&t, c, &why) < 0, "a url too long is refused");
	json_object_set_new(c, "url", json_string(r.url));
	json_object_del(c, "have");
	ok(prov_record_from_json(&t, c, &why) < 0, "a partial record without have is refused");
	json_object_set_new(c, "complete", json_true());
	json_object_set_new(c, "have", json_string("AAAA"));
	ok(prov_record_from_json(&t, c, &why) < 0, "a complete record with have is refused");
	json_object_del(c, "have");
	ok(prov_record_from_json(&t, c, &why) == 0 && prov_record_verify(&t, NOW, &why) < 0,
	   "turning a partial record complete breaks its signature");
	prov_record_free(&t);
	json_decref(c);
	json_t *arr = json_array();
	ok(prov_record_from_json(&t, arr, &why) < 0, "an array is not a record");
	json_decref(arr);
	json_decref(j);
	prov_record_free(&r);
}

static size_t list_len(prov_registry *g, const cid *root, uint64_t now)
{
	json_t *a = prov_registry_list(g, root, now);
	size_t n = json_array_size(a);
	json_decref(a);
	return n;
}

static void test_registry(void)
{
	prov_registry *g = prov_registry_new();
	prov_record r, older, newer, b;
	const char *why = NULL;
	make_record(&r, addr_a, &root1, NOW + 100);
	make_record(&older, addr_a, &root1, NOW + 50);
	make_record(&newer, addr_a, &root1, NOW + 200);
	make_record(&b, addr_b, &root1, NOW + 100);
	ok(!prov_record_sign(&r, key_a) && !prov_record_sign(&older, key_a) && !prov_record_sign(&newer, key_a) &&
	   !prov_record_sign(&b, key_b), "sign four records");
	ok(list_len(g, &root1, NOW) == 0, "empty registry lists nothing");
	ok(prov_registry_add(g, &r, NOW, &why) == 1, "add: new");
	ok(prov_registry_add(g, &r, NOW, &why) == 0, "add again: known");
	ok(prov_registry_add(g, &older, NOW, &why) == 0, "an older record of the same address: not newer");
	json_t *a = prov_registry_list(g, &root1, NOW);
	ok(json_array_size(a) == 1 && json_integer_value(json_object_get(json_array_get(a, 0), "expires")) ==
					      (json_int_t)(NOW + 100),
	   "the list keeps the first record");
	json_decref(a);
	ok(prov_registry_add(g, &newer, NOW, &why) == 1, "a newer record replaces it");
	a = prov_registry_list(g, &root1, NOW);
	ok(json_array_size(a) == 1 && json_integer_value(json_object_get(json_array_get(a, 0), "expires")) ==
					      (json_int_t)(NOW + 200),
	   "the list has the newer record");
	prov_record back;
	ok(prov_record_from_json(&back, json_array_get(a, 0), &why) == 0 && prov_record_verify(&back, NOW, &why) == 0,
	   "a listed record parses and verifies");
	prov_record_free(&back);
	json_decref(a);
	ok(prov_registry_add(g, &b, NOW, &why) == 1 && list_len(g, &root1, NOW) == 2, "B's record is a second");
	ok(list_len(g, &root2, NOW) == 0, "another root lists nothing");
	ok(list_len(g, &root1, NOW + 150) == 1, "after B's expiry only A's is listed");
	ok(prov_registry_add(g, &b, NOW + 150, &why) < 0 && !strcmp(why, "expired"), "an expired record is refused");
	prov_record forged = r;
	forged.sig[5] ^= 4;
	ok(prov_registry_add(g, &forged, NOW, &why) < 0, "a forged record is refused");
	ok(list_len(g, &root1, NOW + 500) == 0, "all expired: empty");
	prov_registry_free(g);

	/* The cap per root. */
	g = prov_registry_new();
	int added = 0;
	for (int i = 0; i < PROV_MAX_PER_ROOT; i++) {
		uint8_t k[32], ad[20];
		secp_keygen(k);
		if (secp_address_from_priv(ad, k) < 0)
			continue;
		make_record(&r, ad, &root2, NOW + 1000);
		if (prov_record_sign(&r, k) == 0 && prov_registry_add(g, &r, NOW, &why) == 1)
			added++;
	}
	ok(added == PROV_MAX_PER_ROOT, "PROV_MAX_PER_ROOT records of different addresses added");
	make_record(&r, addr_a, &root2, NOW + 1000);
	ok(prov_record_sign(&r, key_a) == 0 && prov_registry_add(g, &r, NOW, &why) < 0 &&
	   !strcmp(why, "too many providers for this root"),
	   "one more that lives no longer is refused");
	make_record(&r, addr_a, &root2, NOW + 2000);
	ok(prov_record_sign(&r, key_a) == 0 && prov_registry_add(g, &r, NOW, &why) == 1,
	   "one that outlives the others takes a place");
	ok(list_len(g, &root2, NOW) == PROV_MAX_PER_ROOT, "the list stays at the cap");
	ok(list_len(g, &root2, NOW + 1500) == 1, "after the others expire, the long-lived one remains");
	prov_registry_free(g);
}

int main(void)
{
	diag_init("t-providers");
	secp_keygen(key_a);
	secp_keygen(key_b);
	if (secp_address_from_priv(addr_a, key_a) < 0 || secp_address_from_priv(addr_b, key_b) < 0)
		return 1;
	cid_of(&root1, CODEC_RAW, (const uint8_t *)"one", 3);
	cid_of(&root2, CODEC_RAW, (const uint8_t *)"two", 3);
	test_sign_verify();
	test_partial();
	test_registry();
	return unit_done();
}
