/*
 * Validator sets (order, hash, encoding, weighted proposer, updates,
 * commit verification) and privval (the double-sign guard and its file).
 */
#include "lst.h"
#include "unit.h"
#include "valset.h"
#include "privval.h"
#include "block.h"
#include "genesis.h"
#include "keccak.h"
#include "rlp.h"
#include "secp.h"
#include "diag.h"

#include <sys/stat.h>
#include <unistd.h>

#define CHAIN 4242
#define NKEYS 10

static uint8_t keys[NKEYS][32], addrs[NKEYS][20];

static void keys_init(void)
{
	for (int i = 0; i < NKEYS; i++) {
		char s[64];
		int n = snprintf(s, sizeof(s), "lst-t-valset-key-%d", i);
		keccak256(keys[i], (const uint8_t *)s, (size_t)n);
		if (!secp_seckey_valid(keys[i]) || secp_address_from_priv(addrs[i], keys[i]) < 0)
			abort();
	}
}

/* The key of the validator with this address. */
static const uint8_t *key_of(const uint8_t address[20])
{
	for (int i = 0; i < NKEYS; i++)
		if (!memcmp(addrs[i], address, 20))
			return keys[i];
	abort();
}

/* A set of the first n keys with these powers (in key order, before sorting). */
static int mkset(valset *vs, size_t n, const uint64_t *powers)
{
	vs->n = n;
	vs->v = xcalloc(n + 1, sizeof(*vs->v));
	for (size_t i = 0; i < n; i++) {
		memcpy(vs->v[i].address, addrs[i], 20);
		vs->v[i].power = powers[i];
	}
	int r = valset_finish(vs);
	if (r < 0)
		valset_free(vs);
	return r;
}

static bool same_set(const valset *a, const valset *b)
{
	if (a->n != b->n || a->total != b->total || memcmp(a->hash, b->hash, 32))
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (memcmp(a->v[i].address, b->v[i].address, 20) || a->v[i].power != b->v[i].power)
			return false;
	return true;
}

static bool sorted(const valset *vs)
{
	for (size_t i = 1; i < vs->n; i++)
		if (memcmp(vs->v[i - 1].address, vs->v[i].address, 20) >= 0)
			return false;
	return true;
}

static void test_genesis_and_encoding(void)
{
	genesis g;
	memset(&g, 0, sizeof(g));
	g.nvalidators = 5;
	g.validators = xcalloc(5, sizeof(*g.validators));
	for (int i = 0; i < 5; i++) {
		memcpy(g.validators[i].address, addrs[i], 20);
		g.validators[i].power = (uint64_t)i + 1;
	}
	valset a, b;
	ok(valset_from_genesis(&a, &g) == 0, "valset_from_genesis: 5 validators");
	ok(a.n == 5 && a.total == 15 && sorted(&a), "members sorted by address, total 15");
	/* The same members listed in reverse give the same set and hash. */
	for (int i = 0; i < 5; i++) {
		memcpy(g.validators[i].address, addrs[4 - i], 20);
		g.validators[i].power = (uint64_t)(4 - i) + 1;
	}
	ok(valset_from_genesis(&b, &g) == 0 && same_set(&a, &b), "genesis order does not change the set or its hash");
	valset_free(&b);

	/* The hash is keccak256 of the RLP [[address, power], ...] in address order. */
	buf e = BUF_INIT;
	size_t l = rlp_list_begin(&e);
	for (size_t i = 0; i < a.n; i++) {
		size_t m = rlp_list_begin(&e);
		rlp_put_bytes(&e, a.v[i].address, 20);
		rlp_put_u64(&e, a.v[i].power);
		rlp_list_end(&e, m);
	}
	rlp_list_end(&e, l);
	uint8_t h[32];
	keccak256(h, e.p, e.len);
	ok(!memcmp(h, a.hash, 32), "hash = keccak256(RLP [[address, power], ...])");
	buf_free(&e);

	/* A pinned hash: a change of encoding or order would break every chain. */
	static const uint64_t p4[] = {1, 1, 1, 1};
	valset f;
	if (mkset(&f, 4, p4) < 0)
		abort();
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", f.hash[i]);
	valset f2;
	if (mkset(&f2, 4, p4) < 0)
		abort();
	ok(!memcmp(f.hash, f2.hash, 32), "the hash is stable across builds of the same set (%.16s...)", hex);
	f2.v[0].power = 2;
	if (valset_finish(&f2) < 0)
		abort();
	ok(memcmp(f.hash, f2.hash, 32) != 0 && f2.total == 5, "a power change changes the hash");
	valset_free(&f);
	valset_free(&f2);

	/* Duplicates and zero power in genesis are refused. */
	memcpy(g.validators[1].address, g.validators[0].address, 20);
	ok(valset_from_genesis(&b, &g) < 0 && b.v == NULL, "genesis with a duplicate validator refused (nothing to free)");
	memcpy(g.validators[1].address, addrs[3], 20);
	g.validators[2].power = 0;
	ok(valset_from_genesis(&b, &g) < 0 && b.v == NULL, "genesis with a zero-power validator refused");
	g.nvalidators = 0;
	ok(valset_from_genesis(&b, &g) < 0 && b.v == NULL, "genesis with no validator refused");
	free(g.validators);

	/* Round trip. */
	e = (buf)BUF_INIT;
	valset_encode(&e, &a);
	ok(valset_decode(&b, e.p, e.len) == 0 && same_set(&a, &b), "encode/decode round trip");
	valset_free(&b);
	/* Decoding sorts: an unsorted encoding decodes to the same set. */
	valset u;
	u.n = a.n;
	u.v = xcalloc(a.n, sizeof(*u.v));
	for (size_t i = 0; i < a.n; i++)
		u.v[i] = a.v[a.n - 1 - i];
	buf ue = BUF_INIT;
	valset_encode(&ue, &u);
	ok(valset_decode(&b, ue.p, ue.len) == 0 && same_set(&a, &b), "an unsorted encoding decodes sorted");
	valset_free(&b);
	buf_free(&ue);
	/* Duplicate address. */
	u.v[1] = u.v[0];
	valset_encode(&ue, &u);
	ok(valset_decode(&b, ue.p, ue.len) < 0 && b.v == NULL && b.n == 0, "decode: duplicate address refused");
	buf_free(&ue);
	/* Zero power. */
	u.v[1] = a.v[1];
	u.v[1].power = 0;
	valset_encode(&ue, &u);
	ok(valset_decode(&b, ue.p, ue.len) < 0, "decode: zero power refused");
	buf_free(&ue);
	/* Power beyond 2^62 (the total must not overflow the quorum arithmetic). */
	u.v[1].power = UINT64_C(1) << 63;
	valset_encode(&ue, &u);
	ok(valset_decode(&b, ue.p, ue.len) < 0, "decode: power 2^63 refused");
	buf_free(&ue);
	u.v[1].power = UINT64_C(1) << 61;
	u.v[2].power = UINT64_C(1) << 61;
	u.v[3].power = UINT64_C(1) << 61;
	valset_encode(&ue, &u);
	ok(valset_decode(&b, ue.p, ue.len) < 0, "decode: total beyond 2^62 refused");
	buf_free(&ue);
	free(u.v);
	/* Empty list, garbage, truncation, trailing bytes, wrong shapes. */
	static const uint8_t empty[] = {0xc0};
	ok(valset_decode(&b, empty, sizeof(empty)) < 0, "decode: empty set refused");
	static const uint8_t garbage[] = {0x12, 0x34, 0x56};
	ok(valset_decode(&b, garbage, sizeof(garbage)) < 0, "decode: garbage refused");
	ok(valset_decode(&b, e.p, e.len - 1) < 0, "decode: truncated refused");
	buf_add(&e, "\x00", 1);
	ok(valset_decode(&b, e.p, e.len) < 0, "decode: trailing byte refused");
	e.len--;
	buf bad = BUF_INIT;
	l = rlp_list_begin(&bad);
	size_t m = rlp_list_begin(&bad);
	rlp_put_bytes(&bad, addrs[0], 19);
	rlp_put_u64(&bad, 1);
	rlp_list_end(&bad, m);
	rlp_list_end(&bad, l);
	ok(valset_decode(&b, bad.p, bad.len) < 0, "decode: 19-byte address refused");
	buf_reset(&bad);
	l = rlp_list_begin(&bad);
	m = rlp_list_begin(&bad);
	rlp_put_bytes(&bad, addrs[0], 20);
	rlp_put_u64(&bad, 1);
	rlp_put_u64(&bad, 1);
	rlp_list_end(&bad, m);
	rlp_list_end(&bad, l);
	ok(valset_decode(&b, bad.p, bad.len) < 0, "decode: a member with three fields refused");
	buf_reset(&bad);
	l = rlp_list_begin(&bad);
	rlp_put_bytes(&bad, addrs[0], 20);
	rlp_list_end(&bad, l);
	ok(valset_decode(&b, bad.p, bad.len) < 0, "decode: a member that is not a list refused");
	buf_free(&bad);
	buf_free(&e);

	valset c;
	valset_copy(&c, &a);
	ok(same_set(&a, &c) && c.v != a.v, "valset_copy is deep");
	valset_free(&c);

	/* Index. */
	bool idx = true;
	for (size_t i = 0; i < a.n; i++)
		idx = idx && valset_index(&a, a.v[i].address) == (int)i;
	ok(idx && valset_index(&a, addrs[7]) == -1, "valset_index finds members, -1 for others");
	valset_free(&a);
}

static void test_proposer_and_quorum(void)
{
	static const uint64_t pw[][6] = {{1, 1, 1, 3}, {5, 2, 1, 1, 7, 3}, {1, 1, 1, 1}, {9}};
	static const size_t pn[] = {4, 6, 4, 1};
	for (size_t t = 0; t < ARRAY_SIZE(pn); t++) {
		valset vs;
		if (mkset(&vs, pn[t], pw[t]) < 0)
			abort();
		bool rounds_ok = true, heights_ok = true, same_ok = true, mixed_ok = true;
		for (uint64_t h = 1; h < 40; h += 7) {
			uint64_t cnt[8] = {0}, cnt2[8] = {0};
			for (uint32_t r = 0; r < vs.total; r++) {
				int k = valset_index(&vs, valset_proposer(&vs, h, r));
				if (k < 0)
					abort();
				cnt[k]++;
				cnt2[valset_index(&vs, valset_proposer(&vs, h + r, 0))]++;
				/* (h, r+1) and (h+1, r) agree: the same walk. */
				same_ok = same_ok && !memcmp(valset_proposer(&vs, h, r + 1), valset_proposer(&vs, h + 1, r), 20);
			}
			for (size_t i = 0; i < vs.n; i++) {
				rounds_ok = rounds_ok && cnt[i] == vs.v[i].power;
				heights_ok = heights_ok && cnt2[i] == vs.v[i].power;
			}
		}
		/* Huge heights and rounds do not overflow the slot. */
		uint64_t cnt[8] = {0};
		for (uint32_t r = 0; r < vs.total; r++)
			cnt[valset_index(&vs, valset_proposer(&vs, UINT64_MAX - 3, UINT32_MAX - r))]++;
		for (size_t i = 0; i < vs.n; i++)
			mixed_ok = mixed_ok && cnt[i] == vs.v[i].power;
		ok(rounds_ok, "set %zu: over total-power consecutive rounds each validator proposes its power", t);
		ok(heights_ok, "set %zu: over total-power consecutive heights too", t);
		ok(same_ok && mixed_ok, "set %zu: the walk is (height + round) mod total, also near 2^64", t);
		valset_free(&vs);
	}

	valset vs;
	static const uint64_t eq4[] = {1, 1, 1, 1}, uneq[] = {1, 1, 1, 3}, seven[] = {1, 1, 1, 1, 1, 1, 1};
	if (mkset(&vs, 4, eq4) < 0)
		abort();
	ok(!valset_quorum(&vs, 2) && valset_quorum(&vs, 3), "4 x 1: quorum is 3 (2 is not)");
	ok(!valset_one_third(&vs, 1) && valset_one_third(&vs, 2), "4 x 1: f+1 is 2 (1 is not)");
	valset_free(&vs);
	if (mkset(&vs, 4, uneq) < 0)
		abort();
	ok(vs.total == 6 && !valset_quorum(&vs, 4) && valset_quorum(&vs, 5),
	   "1,1,1,3: 4 of 6 is exactly 2/3, not a quorum; 5 is");
	ok(!valset_one_third(&vs, 2) && valset_one_third(&vs, 3), "1,1,1,3: 2 of 6 is exactly 1/3, not f+1; 3 is");
	valset_free(&vs);
	if (mkset(&vs, 7, seven) < 0)
		abort();
	ok(!valset_quorum(&vs, 4) && valset_quorum(&vs, 5) && !valset_one_third(&vs, 2) && valset_one_third(&vs, 3),
	   "7 x 1: quorum 5, f+1 3");
	valset_free(&vs);
	static const uint64_t big[] = {UINT64_C(1) << 61, UINT64_C(1) << 61};
	if (mkset(&vs, 2, big) < 0)
		abort();
	ok(valset_quorum(&vs, vs.total) && !valset_quorum(&vs, UINT64_C(1) << 61), "2^62 total: no overflow in quorum");
	valset_free(&vs);
}

static void test_apply(void)
{
	static const uint64_t p[] = {1, 2, 3};
	valset in, out;
	if (mkset(&in, 3, p) < 0)
		abort();
	uint8_t a[4][20];
	uint64_t w[4];

	memcpy(a[0], addrs[5], 20);
	w[0] = 4;
	ok(valset_apply(&out, &in, (const uint8_t(*)[20])a, w, 1) == 0 && out.n == 4 && out.total == 10 &&
		   sorted(&out) && valset_index(&out, addrs[5]) >= 0 && memcmp(out.hash, in.hash, 32),
	   "apply: add a validator (sorted, total, hash)");
	valset_free(&out);

	memcpy(a[0], addrs[1], 20);
	w[0] = 9;
	int k;
	ok(valset_apply(&out, &in, (const uint8_t(*)[20])a, w, 1) == 0 && out.n == 3 && out.total == 13 &&
		   (k = valset_index(&out, addrs[1])) >= 0 && out.v[k].power == 9,
	   "apply: change a power");
	valset_free(&out);

	memcpy(a[0], addrs[2], 20);
	w[0] = 0;
	ok(valset_apply(&out, &in, (const uint8_t(*)[20])a, w, 1) == 0 && out.n == 2 && out.total == 3 &&
		   valset_index(&out, addrs[2]) < 0 && sorted(&out),
	   "apply: power 0 removes");
	valset_free(&out);

	memcpy(a[0], addrs[8], 20);
	w[0] = 0;
	ok(valset_apply(&out, &in, (const uint8_t(*)[20])a, w, 1) == 0 && same_set(&in, &out),
	   "apply: removing a non-member changes nothing");
	valset_free(&out);

	for (int i = 0; i < 3; i++) {
		memcpy(a[i], addrs[i], 20);
		w[i] = 0;
	}
	ok(valset_apply(&out, &in, (const uint8_t(*)[20])a, w, 3) == 0 && same_set(&in, &out) && out.v != in.v,
	   "apply: removing everyone is ignored (a copy of the old set)");
	valset_free(&out);

	/* Remove all, then add one back in the same list: not empty, allowed. */
	memcpy(a[3], addrs[6], 20);
	w[3] = 5;
	ok(valset_apply(&out, &in, (const uint8_t(*)[20])a, w, 4) == 0 && out.n == 1 && out.total == 5 &&
		   !memcmp(out.v[0].address, addrs[6], 20),
	   "apply: remove all and add one gives the one");
	valset_free(&out);

	/* Two updates of the same new address: the last wins, no duplicate. */
	memcpy(a[0], addrs[7], 20);
	memcpy(a[1], addrs[7], 20);
	w[0] = 3;
	w[1] = 8;
	ok(valset_apply(&out, &in, (const uint8_t(*)[20])a, w, 2) == 0 && out.n == 4 && out.total == 14,
	   "apply: repeated address, last update wins");
	valset_free(&out);

	memcpy(a[0], addrs[5], 20);
	w[0] = UINT64_C(1) << 62;
	ok(valset_apply(&out, &in, (const uint8_t(*)[20])a, w, 1) < 0, "apply: total overflow refused");

	ok(valset_apply(&out, &in, NULL, NULL, 0) == 0 && same_set(&in, &out), "apply: no updates, same set");
	valset_free(&out);
	valset_free(&in);
}

static vote precommit(const valset *vs, size_t k, uint64_t height, uint32_t round, const uint8_t hash[32])
{
	vote v;
	memset(&v, 0, sizeof(v));
	v.type = VOTE_PRECOMMIT;
	v.chain_id = CHAIN;
	v.height = height;
	v.round = round;
	memcpy(v.block_hash, hash, 32);
	if (vote_sign(&v, key_of(vs->v[k].address), vs->v[k].address) < 0)
		abort();
	return v;
}

static int verify(const valset *vs, uint64_t height, const uint8_t hash[32], uint32_t round, const vote *votes,
		  size_t n)
{
	commit c;
	c.height = height;
	c.round = round;
	memcpy(c.block_hash, hash, 32);
	c.votes = (vote *)votes;
	c.nvotes = n;
	int r = valset_verify_commit(vs, CHAIN, height, hash, &c);
	/* And the same after the wire: commit_encode/commit_decode keep only address and signature. */
	buf b = BUF_INIT;
	commit d;
	commit_encode(&b, &c);
	if (commit_decode(&d, b.p, b.len) < 0)
		abort();
	int r2 = valset_verify_commit(vs, CHAIN, height, hash, &d);
	commit_free(&d);
	buf_free(&b);
	if (r != r2)
		diagf("verify_commit differs after encode/decode: %d vs %d", r, r2);
	return r == r2 ? r : 99;
}

static void test_verify_commit(void)
{
	static const uint64_t eq[] = {1, 1, 1, 1}, uneq[] = {1, 1, 1, 3};
	uint8_t hash[32], other[32];
	keccak256(hash, (const uint8_t *)"block", 5);
	keccak256(other, (const uint8_t *)"other", 5);
	valset vs;
	vote v[6];

	if (mkset(&vs, 4, eq) < 0)
		abort();
	for (size_t k = 0; k < 4; k++)
		v[k] = precommit(&vs, k, 7, 2, hash);
	ok(verify(&vs, 7, hash, 2, v, 4) == 0, "commit: all 4 signatures verify");
	ok(verify(&vs, 7, hash, 2, v + 1, 3) == 0, "commit: 3 of 4 (quorum) verify");
	ok(verify(&vs, 7, hash, 2, v + 2, 2) < 0, "commit: 2 of 4 (one short of quorum) refused");
	ok(verify(&vs, 7, hash, 2, v, 0) < 0, "commit: no signature refused");
	vote d[4] = {v[0], v[1], v[1], v[2]};
	ok(verify(&vs, 7, hash, 2, d, 4) < 0, "commit: duplicate signer refused (even with a quorum besides)");
	vote d2[3] = {v[0], v[1], v[1]};
	ok(verify(&vs, 7, hash, 2, d2, 3) < 0, "commit: 2 signers + a duplicate refused");
	vote outsider;
	memset(&outsider, 0, sizeof(outsider));
	outsider.type = VOTE_PRECOMMIT;
	outsider.chain_id = CHAIN;
	outsider.height = 7;
	outsider.round = 2;
	memcpy(outsider.block_hash, hash, 32);
	if (vote_sign(&outsider, keys[9], addrs[9]) < 0)
		abort();
	vote n3[3] = {v[0], v[1], outsider};
	ok(verify(&vs, 7, hash, 2, n3, 3) < 0, "commit: a non-member's signature refused");
	vote f[3] = {v[0], v[1], v[2]};
	f[2].sig[10] ^= 1;
	ok(verify(&vs, 7, hash, 2, f, 3) < 0, "commit: a forged signature refused");
	f[2] = v[2];
	memcpy(f[2].validator, v[3].validator, 20); /* v[2]'s signature claimed for v[3] */
	ok(verify(&vs, 7, hash, 2, f, 3) < 0, "commit: a signature under another member's address refused");
	ok(verify(&vs, 8, hash, 2, v, 4) < 0, "commit: votes for height 7 refused for height 8");
	ok(verify(&vs, 7, other, 2, v, 4) < 0, "commit: votes for another hash refused");
	ok(verify(&vs, 7, hash, 1, v, 4) < 0, "commit: votes of round 2 refused as a round-1 commit");
	commit c = {7, 2, {0}, v, 4};
	memcpy(c.block_hash, hash, 32);
	ok(valset_verify_commit(&vs, CHAIN, 8, hash, &c) < 0, "commit: commit height differs from the asked height");
	ok(valset_verify_commit(&vs, CHAIN, 7, other, &c) < 0, "commit: commit hash differs from the asked hash");
	ok(valset_verify_commit(&vs, CHAIN + 1, 7, hash, &c) < 0, "commit: another chain id refused");
	ok(valset_verify_commit(&vs, CHAIN, 7, hash, &c) == 0, "commit: the same commit, asked right, verifies");
	vote pv = v[3];
	pv.type = VOTE_PREVOTE;
	if (vote_sign(&pv, key_of(pv.validator), pv.validator) < 0)
		abort();
	vote p3[3] = {v[1], v[2], pv};
	ok(verify(&vs, 7, hash, 2, p3, 3) < 0 && verify(&vs, 7, hash, 2, p3, 2) < 0,
	   "commit: a prevote does not count as a precommit");
	vote nil[3];
	static const uint8_t zero[32];
	for (size_t k = 0; k < 3; k++)
		nil[k] = precommit(&vs, k, 7, 2, zero);
	ok(verify(&vs, 7, hash, 2, nil, 3) < 0, "commit: nil precommits refused");
	vote five[5] = {v[0], v[1], v[2], v[3], v[3]};
	ok(verify(&vs, 7, hash, 2, five, 5) < 0, "commit: more votes than members refused");
	valset_free(&vs);

	if (mkset(&vs, 4, uneq) < 0)
		abort();
	int big = -1, small[3], ns = 0;
	for (int k = 0; k < 4; k++) {
		if (vs.v[k].power == 3)
			big = k;
		else
			small[ns++] = k;
	}
	vote b1[2] = {precommit(&vs, (size_t)big, 3, 0, hash), precommit(&vs, (size_t)small[0], 3, 0, hash)};
	ok(verify(&vs, 3, hash, 0, b1, 1) < 0, "1,1,1,3: the power-3 validator alone (3/6) refused");
	ok(verify(&vs, 3, hash, 0, b1, 2) < 0, "1,1,1,3: power 3+1 = 4/6 (exactly 2/3) refused");
	vote b2[3] = {b1[0], b1[1], precommit(&vs, (size_t)small[1], 3, 0, hash)};
	ok(verify(&vs, 3, hash, 0, b2, 3) == 0, "1,1,1,3: power 3+1+1 = 5/6 verifies");
	vote s3[3] = {b1[1], b2[2], precommit(&vs, (size_t)small[2], 3, 0, hash)};
	ok(verify(&vs, 3, hash, 0, s3, 3) < 0, "1,1,1,3: the three power-1 validators (3/6) refused");
	valset_free(&vs);
}

static bool file_has(const char *path, const char *needle)
{
	buf b = BUF_INIT;
	bool r = buf_read_file(&b, path, 0) == 0 && b.p && strstr((const char *)b.p, needle);
	buf_free(&b);
	return r;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static vote mkvote(uint8_t type, uint64_t h, uint32_t r, const uint8_t hash[32])
{
	vote v;
	memset(&v, 0, sizeof(v));
	v.type = type;
	v.chain_id = CHAIN;
	v.height = h;
	v.round = r;
	memcpy(v.block_hash, hash, 32);
	return v;
}

static void test_privval(void)
{
	char dir[] = "/tmp/lst-t-privval-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	char *path = xasprintf("%s/privval.json", dir);
	const uint8_t *key = keys[0], *addr = addrs[0];
	uint8_t A[32], B[32];
	static const uint8_t nil[32];
	keccak256(A, (const uint8_t *)"A", 1);
	keccak256(B, (const uint8_t *)"B", 1);
	privval pv;

	ok(privval_open(&pv, path) == 0 && pv.step == 0 && pv.locked_height == 0, "privval: a missing file starts empty");
	struct stat st;
	ok(stat(path, &st) < 0, "privval: opening does not create the file");

	vote v = mkvote(VOTE_PREVOTE, 5, 1, A);
	ok(privval_sign_vote(&pv, &v, key, addr) == 0 && vote_verify(&v) == 0 && !memcmp(v.validator, addr, 20),
	   "privval: sign a prevote (5/1); it verifies");
	int sr = stat(path, &st);
	ok(sr == 0 && (st.st_mode & 0777) == 0600, "privval: file written with mode 0600 (%o)",
	   sr == 0 ? (unsigned)(st.st_mode & 0777) : 0u);
	ok(pv.height == 5 && pv.round == 1 && pv.step == PV_PREVOTE && !memcmp(pv.hash, A, 32),
	   "privval: records height, round, step, hash");
	vote again = mkvote(VOTE_PREVOTE, 5, 1, A);
	ok(privval_sign_vote(&pv, &again, key, addr) == 0 && !memcmp(again.sig, v.sig, 65) && vote_verify(&again) == 0,
	   "privval: the same request again gets the same signature");
	vote conf = mkvote(VOTE_PREVOTE, 5, 1, B);
	ok(privval_sign_vote(&pv, &conf, key, addr) == 1, "privval: a conflicting hash at the same HRS is refused (1)");
	conf = mkvote(VOTE_PREVOTE, 5, 1, nil);
	ok(privval_sign_vote(&pv, &conf, key, addr) == 1, "privval: nil after a block at the same HRS is refused");
	proposal p;
	memset(&p, 0, sizeof(p));
	p.chain_id = CHAIN;
	p.height = 5;
	p.round = 1;
	p.pol_round = -1;
	memcpy(p.block_hash, A, 32);
	ok(privval_sign_proposal(&pv, &p, key, addr) == 1, "privval: a proposal below a prevote (same HR) is refused");
	vote low = mkvote(VOTE_PRECOMMIT, 5, 0, A);
	ok(privval_sign_vote(&pv, &low, key, addr) == 1, "privval: a lower round is refused");
	low = mkvote(VOTE_PRECOMMIT, 4, 9, A);
	ok(privval_sign_vote(&pv, &low, key, addr) == 1, "privval: a lower height is refused");

	vote pcn = mkvote(VOTE_PRECOMMIT, 5, 1, nil);
	ok(privval_sign_vote(&pv, &pcn, key, addr) == 0 && vote_verify(&pcn) == 0, "privval: higher step (precommit) allowed");
	ok(pv.locked_height == 0, "privval: a nil precommit does not set the lock");

	privval_close(&pv);
	ok(privval_open(&pv, path) == 0 && pv.height == 5 && pv.round == 1 && pv.step == PV_PRECOMMIT &&
		   pv.locked_height == 0,
	   "privval: reopen (restart) keeps the last signed HRS, still no lock");
	conf = mkvote(VOTE_PRECOMMIT, 5, 1, A);
	ok(privval_sign_vote(&pv, &conf, key, addr) == 1, "privval: after reopen a conflicting precommit is refused");
	again = mkvote(VOTE_PRECOMMIT, 5, 1, nil);
	ok(privval_sign_vote(&pv, &again, key, addr) == 0 && !memcmp(again.sig, pcn.sig, 65),
	   "privval: after reopen the same precommit gets the same signature");
	low = mkvote(VOTE_PREVOTE, 5, 1, A);
	ok(privval_sign_vote(&pv, &low, key, addr) == 1, "privval: after reopen the earlier prevote step is refused");

	p.round = 2;
	ok(privval_sign_proposal(&pv, &p, key, addr) == 0 && !memcmp(p.proposer, addr, 20), "privval: a proposal at 5/2");
	buf pb = BUF_INIT;
	proposal pd;
	proposal_encode(&pb, &p);
	ok(proposal_decode(&pd, pb.p, pb.len) == 0 && !memcmp(pd.proposer, addr, 20),
	   "privval: the signed proposal decodes to its proposer");
	buf_free(&pb);

	/* The same HRS and block but another pol_round is another message: its signature must not be
	 * the stored one (which would not verify), it is refused or freshly and validly signed. */
	proposal p2 = p;
	p2.pol_round = 1;
	memset(p2.sig, 0, 65);
	int r2 = privval_sign_proposal(&pv, &p2, key, addr);
	buf pb2 = BUF_INIT;
	proposal_encode(&pb2, &p2);
	ok(r2 == 1 || (r2 == 0 && proposal_decode(&pd, pb2.p, pb2.len) == 0 && !memcmp(pd.proposer, addr, 20)),
	   "privval: same HRS and hash, other pol_round: refused, never a signature that does not verify (%d)", r2);
	buf_free(&pb2);
	proposal p3 = p;
	memset(p3.sig, 0, 65);
	ok(privval_sign_proposal(&pv, &p3, key, addr) == 0 && !memcmp(p3.sig, p.sig, 65),
	   "privval: the very same proposal again gets its signature");
	vote other_chain = mkvote(VOTE_PRECOMMIT, 5, 2, nil);
	other_chain.chain_id = CHAIN + 1;
	ok(privval_sign_vote(&pv, &other_chain, key, addr) == 0 && vote_verify(&other_chain) == 0,
	   "privval: a precommit after the proposal (5/2) is signed");
	vote oc2 = other_chain;
	oc2.chain_id = CHAIN;
	memset(oc2.sig, 0, 65);
	int r3 = privval_sign_vote(&pv, &oc2, key, addr);
	ok(r3 == 1 || (r3 == 0 && vote_verify(&oc2) == 0),
	   "privval: same HRS and hash for another chain id: never a signature that does not verify (%d)", r3);

	vote lock = mkvote(VOTE_PRECOMMIT, 5, 3, B);
	ok(privval_sign_vote(&pv, &lock, key, addr) == 0 && pv.locked_height == 5 && pv.locked_round == 3 &&
		   !memcmp(pv.locked_hash, B, 32),
	   "privval: a non-nil precommit records the lock (5/3, B)");
	vote later = mkvote(VOTE_PREVOTE, 5, 4, nil);
	ok(privval_sign_vote(&pv, &later, key, addr) == 0 && pv.locked_round == 3, "privval: later votes keep the lock");
	privval_close(&pv);
	ok(privval_open(&pv, path) == 0 && pv.locked_height == 5 && pv.locked_round == 3 &&
		   !memcmp(pv.locked_hash, B, 32) && pv.round == 4 && pv.step == PV_PREVOTE,
	   "privval: the lock survives a reopen");
	vote h6 = mkvote(VOTE_PREVOTE, 6, 0, A);
	ok(privval_sign_vote(&pv, &h6, key, addr) == 0 && pv.height == 6, "privval: the next height is allowed");
	privval_close(&pv);
	ok(file_has(path, "\"height\":6"), "privval: the file holds the new height");

	/* Corruption: refuse to sign without knowing what was signed. */
	diag_set_quiet(true);
	static const char *bad[] = {
		"{not json",
		"",
		"{\"height\":6}\n",
		"{\"height\":6,\"round\":0,\"step\":9,\"block_hash\":\"00\",\"signature\":\"00\",\"locked_height\":0,"
		"\"locked_round\":0,\"locked_hash\":\"00\"}\n",
		"[]",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		write_text(path, bad[i]);
		int r = privval_open(&pv, path);
		privval_close(&pv);
		ok(r == -1, "privval: corrupt file %zu -> -1", i);
	}
	/* A truncated copy of a good file. */
	unlink(path);
	ok(privval_open(&pv, path) == 0, "privval: fresh again");
	v = mkvote(VOTE_PREVOTE, 1, 0, A);
	if (privval_sign_vote(&pv, &v, key, addr) != 0)
		abort();
	privval_close(&pv);
	buf full = BUF_INIT;
	if (buf_read_file(&full, path, 0) < 0)
		abort();
	FILE *fp = fopen(path, "w");
	fwrite(full.p, 1, full.len / 2, fp);
	fclose(fp);
	buf_free(&full);
	int r = privval_open(&pv, path);
	privval_close(&pv);
	ok(r == -1, "privval: a truncated file -> -1");
	/* Unreadable (a directory in its place). */
	unlink(path);
	if (mkdir(path, 0700) < 0)
		abort();
	r = privval_open(&pv, path);
	privval_close(&pv);
	ok(r == -1, "privval: a directory in place of the file -> -1");
	rmdir(path);
	diag_set_quiet(false);

	char *tmp = xasprintf("%s.tmp", path);
	unlink(tmp);
	free(tmp);
	rmdir(dir);
	free(path);
}

/* The votes of the last height survive a restart, so they can be sent again. */
static void test_privval_votes(void)
{
	char dir[] = "/tmp/lst-t-privval-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	char *path = xasprintf("%s/privval.json", dir);
	const uint8_t *key = keys[1], *addr = addrs[1];
	uint8_t A[32];
	keccak256(A, (const uint8_t *)"A", 1);
	privval pv;
	vote out[PV_KEEP + 1];
	if (privval_open(&pv, path) < 0)
		abort();
	vote pre = mkvote(VOTE_PREVOTE, 7, 2, A), pc = mkvote(VOTE_PRECOMMIT, 7, 2, A);
	ok(privval_sign_vote(&pv, &pre, key, addr) == 0 && privval_sign_vote(&pv, &pc, key, addr) == 0,
	   "privval votes: a prevote and a precommit at 7/2");
	privval_close(&pv);
	ok(privval_open(&pv, path) == 0 && pv.nvotes == 2, "privval votes: both kept across a reopen");
	size_t k = privval_votes(&pv, out, PV_KEEP, 7, addr);
	ok(k == 2 && out[0].type == VOTE_PREVOTE && out[1].type == VOTE_PRECOMMIT && vote_verify(&out[0]) == 0 &&
	   vote_verify(&out[1]) == 0 && !memcmp(out[0].sig, pre.sig, 65),
	   "privval votes: given back in order, and they verify");
	ok(privval_votes(&pv, out, PV_KEEP, 8, addr) == 0, "privval votes: none for another height");
	out[0].block_hash[0] ^= 1;
	ok(vote_verify(&out[0]) < 0, "privval votes: a changed vote does not verify (negative)");
	vote next = mkvote(VOTE_PREVOTE, 8, 0, A);
	ok(privval_sign_vote(&pv, &next, key, addr) == 0 && pv.nvotes == 1 &&
	   privval_votes(&pv, out, PV_KEEP, 8, addr) == 1, "privval votes: a new height starts a new list");
	for (uint32_t r = 1; r <= PV_KEEP + 3; r++) {
		vote v = mkvote(VOTE_PREVOTE, 8, r, A);
		if (privval_sign_vote(&pv, &v, key, addr) != 0)
			abort();
	}
	k = privval_votes(&pv, out, PV_KEEP + 1, 8, addr);
	ok(k == PV_KEEP && out[PV_KEEP - 1].round == PV_KEEP + 3 && out[0].round == 4,
	   "privval votes: only the latest %d are kept", PV_KEEP);
	privval_close(&pv);
	unlink(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	keys_init();
	test_genesis_and_encoding();
	test_proposer_and_quorum();
	test_apply();
	test_verify_commit();
	test_privval();
	test_privval_votes();
	return unit_done();
}
