/* privval.c: see privval.h. */
#include "lst.h"
#include "privval.h"
#include "diag.h"
#include "hex.h"
#include "home.h"
#include "msg.h"
#include "secp.h"

#include <jansson.h>
#include <unistd.h>

static int get_hex(uint8_t *out, size_t n, json_t *j)
{
	return json_is_string(j) && hex_decode(out, n, json_string_value(j)) == 0 ? 0 : -1;
}

static int load_votes(privval *pv, json_t *arr)
{
	size_t i;
	json_t *v;
	if (!arr)
		return 0; /* written before votes were kept */
	if (!json_is_array(arr) || json_array_size(arr) > PV_KEEP)
		return -1;
	json_array_foreach(arr, i, v) {
		pv_vote *o = &pv->votes[pv->nvotes];
		json_t *r = json_object_get(v, "round"), *t = json_object_get(v, "type"), *c = json_object_get(v, "chain_id");
		if (!json_is_integer(r) || json_integer_value(r) < 0 || json_integer_value(r) > UINT32_MAX ||
		    !json_is_integer(t) || (json_integer_value(t) != VOTE_PREVOTE && json_integer_value(t) != VOTE_PRECOMMIT) ||
		    !json_is_integer(c) || json_integer_value(c) < 0 ||
		    get_hex(o->hash, 32, json_object_get(v, "block_hash")) < 0 ||
		    get_hex(o->sig, 65, json_object_get(v, "signature")) < 0)
			return -1;
		o->round = (uint32_t)json_integer_value(r);
		o->type = (uint8_t)json_integer_value(t);
		o->chain_id = (uint64_t)json_integer_value(c);
		pv->nvotes++;
	}
	return 0;
}

int privval_open(privval *pv, const char *path)
{
	memset(pv, 0, sizeof(*pv));
	pv->path = xstrdup(path);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j) {
		if (access(path, F_OK) != 0 && errno == ENOENT)
			return 0;
		diag_error(LST_EFAIL, "'%s' is corrupt (%s): refusing to sign without knowing what was signed", path,
			   e.text);
		diag_hint("restore it from a backup; never delete it on a validator that has signed");
		return -1;
	}
	json_t *h = json_object_get(j, "height"), *r = json_object_get(j, "round"), *s = json_object_get(j, "step");
	json_t *lh = json_object_get(j, "locked_height"), *lr = json_object_get(j, "locked_round");
	int rc = 0;
	if (!json_is_integer(h) || !json_is_integer(r) || !json_is_integer(s) || json_integer_value(s) < 0 ||
	    json_integer_value(s) > PV_PRECOMMIT || get_hex(pv->hash, 32, json_object_get(j, "block_hash")) < 0 ||
	    get_hex(pv->sig, 65, json_object_get(j, "signature")) < 0 || !json_is_integer(lh) ||
	    !json_is_integer(lr) || get_hex(pv->locked_hash, 32, json_object_get(j, "locked_hash")) < 0) {
		rc = diag_error(LST_EFAIL, "'%s' is corrupt: refusing to sign without knowing what was signed", path);
		diag_hint("restore it from a backup; never delete it on a validator that has signed");
	} else if (load_votes(pv, json_object_get(j, "votes")) < 0) {
		rc = diag_error(LST_EFAIL, "'%s' is corrupt: its votes do not parse", path);
	} else {
		pv->height = (uint64_t)json_integer_value(h);
		pv->round = (uint32_t)json_integer_value(r);
		pv->step = (uint8_t)json_integer_value(s);
		pv->locked_height = (uint64_t)json_integer_value(lh);
		pv->locked_round = (uint32_t)json_integer_value(lr);
	}
	json_decref(j);
	return rc;
}

void privval_close(privval *pv)
{
	free(pv->path);
	pv->path = NULL;
}

static int save(const privval *pv)
{
	char hash[67], sig[133], lock[67];
	hex_encode(hash, pv->hash, 32);
	hex_encode(sig, pv->sig, 65);
	hex_encode(lock, pv->locked_hash, 32);
	buf b = BUF_INIT;
	buf_addf(&b,
		 "{\"height\":%llu,\"round\":%u,\"step\":%u,\"block_hash\":\"%s\",\"signature\":\"%s\","
		 "\"locked_height\":%llu,\"locked_round\":%u,\"locked_hash\":\"%s\",\"votes\":[",
		 (unsigned long long)pv->height, pv->round, pv->step, hash, sig,
		 (unsigned long long)pv->locked_height, pv->locked_round, lock);
	for (size_t i = 0; i < pv->nvotes; i++) {
		const pv_vote *v = &pv->votes[i];
		hex_encode(hash, v->hash, 32);
		hex_encode(sig, v->sig, 65);
		buf_addf(&b, "%s{\"round\":%u,\"type\":%u,\"chain_id\":%llu,\"block_hash\":\"%s\",\"signature\":\"%s\"}",
			 i ? "," : "", v->round, v->type, (unsigned long long)v->chain_id, hash, sig);
	}
	buf_adds(&b, "]}\n");
	int r = write_file_atomic(pv->path, b.p, b.len, 0600);
	buf_free(&b);
	return r;
}

size_t privval_votes(const privval *pv, vote *out, size_t max, uint64_t height, const uint8_t address[20])
{
	size_t k = 0;
	if (height != pv->height)
		return 0;
	for (size_t i = 0; i < pv->nvotes && k < max; i++) {
		vote *v = &out[k++];
		memset(v, 0, sizeof(*v));
		v->type = pv->votes[i].type;
		v->chain_id = pv->votes[i].chain_id;
		v->height = height;
		v->round = pv->votes[i].round;
		memcpy(v->block_hash, pv->votes[i].hash, 32);
		memcpy(v->sig, pv->votes[i].sig, 65);
		memcpy(v->validator, address, 20);
	}
	return k;
}

/* -1 below the last signed, 0 the same, 1 above. */
static int compare(const privval *pv, uint64_t h, uint32_t r, uint8_t s)
{
	if (h != pv->height)
		return h < pv->height ? -1 : 1;
	if (r != pv->round)
		return r < pv->round ? -1 : 1;
	if (s != pv->step)
		return s < pv->step ? -1 : 1;
	return 0;
}

/* Does the stored signature sign digest (the very same message) by addr? */
static bool same_message(const privval *pv, const uint8_t digest[32], const uint8_t *addr)
{
	uint8_t pub[65], a[20];
	if (msg_recover(pub, pv->sig, digest) < 0)
		return false;
	secp_address_from_pub(a, pub);
	return !memcmp(a, addr, 20);
}

static int sign_vote(void *obj, const uint8_t *priv, const uint8_t *addr)
{
	return vote_sign(obj, priv, addr);
}

static int sign_proposal(void *obj, const uint8_t *priv, const uint8_t *addr)
{
	return proposal_sign(obj, priv, addr);
}

/* Sign digest for (h, r, s, hash) unless it conflicts; sig gets the signature. */
static int guard(privval *pv, uint8_t sig[65], uint64_t h, uint32_t r, uint8_t s, const uint8_t hash[32],
		 const uint8_t digest[32], int (*sign)(void *, const uint8_t *, const uint8_t *), void *obj,
		 const uint8_t *priv, const uint8_t *addr)
{
	int c = pv->step ? compare(pv, h, r, s) : 1;
	if (c < 0)
		return 1;
	if (c == 0) {
		/* Same hash but another message (pol_round, chain id): the stored signature is not its. */
		if (memcmp(hash, pv->hash, 32) || !same_message(pv, digest, addr))
			return 1;
		memcpy(sig, pv->sig, 65);
		return 0;
	}
	if (sign(obj, priv, addr) < 0)
		return diag_error(LST_EFAIL, "signing failed");
	privval next = *pv;
	next.height = h;
	next.round = r;
	next.step = s;
	memcpy(next.hash, hash, 32);
	memcpy(next.sig, sig, 65);
	static const uint8_t zero[32];
	if (s == PV_PRECOMMIT && memcmp(hash, zero, 32)) {
		next.locked_height = h;
		next.locked_round = r;
		memcpy(next.locked_hash, hash, 32);
	}
	if (h != pv->height)
		next.nvotes = 0;
	if (sign == sign_vote) {
		const vote *v = obj;
		if (next.nvotes == PV_KEEP) {
			memmove(next.votes, next.votes + 1, (PV_KEEP - 1) * sizeof(pv_vote));
			next.nvotes--;
		}
		pv_vote *o = &next.votes[next.nvotes++];
		o->round = r;
		o->type = v->type;
		o->chain_id = v->chain_id;
		memcpy(o->hash, hash, 32);
		memcpy(o->sig, sig, 65);
	}
	if (save(&next) < 0)
		return -1;
	*pv = next;
	return 0;
}

int privval_sign_vote(privval *pv, vote *v, const uint8_t priv[32], const uint8_t address[20])
{
	uint8_t d[32];
	memcpy(v->validator, address, 20);
	vote_digest(d, v);
	return guard(pv, v->sig, v->height, v->round, v->type == VOTE_PREVOTE ? PV_PREVOTE : PV_PRECOMMIT,
		     v->block_hash, d, sign_vote, v, priv, address);
}

int privval_sign_proposal(privval *pv, proposal *p, const uint8_t priv[32], const uint8_t address[20])
{
	uint8_t d[32];
	memcpy(p->proposer, address, 20);
	proposal_digest(d, p);
	return guard(pv, p->sig, p->height, p->round, PV_PROPOSAL, p->block_hash, d, sign_proposal, p, priv,
		     address);
}
