/* msg.c: see msg.h. */
#include "lst.h"
#include "msg.h"
#include "keccak.h"
#include "secp.h"

void msg_hash(uint8_t out[32], const uint8_t *msg, size_t len)
{
	char prefix[64];
	int n = snprintf(prefix, sizeof(prefix), "\x19" "Ethereum Signed Message:\n%zu", len);
	keccak_ctx ctx;
	keccak256_init(&ctx);
	keccak256_update(&ctx, (const uint8_t *)prefix, (size_t)n);
	keccak256_update(&ctx, msg, len);
	keccak256_final(&ctx, out);
}

int msg_sign(uint8_t sig[65], const uint8_t priv[32], const uint8_t digest[32])
{
	int recid;
	if (secp_sign(sig, &recid, priv, digest) < 0)
		return -1;
	sig[64] = (uint8_t)(27 + recid);
	return 0;
}

int msg_recover(uint8_t pub[65], const uint8_t sig[65], const uint8_t digest[32])
{
	int v = sig[64];
	if (v >= 27)
		v -= 27;
	if (v != 0 && v != 1)
		return -1;
	return secp_recover(pub, sig, v, digest, true);
}
