/* Sealing (ECIES) and EIP-191 messages: round trips and forgeries. */
#include "lst.h"
#include "unit.h"
#include "hex.h"
#include "msg.h"
#include "seal.h"
#include "secp.h"

static void test_seal(void)
{
	uint8_t a[32], b[32], pa[65], pb[65];
	uint8_t msg[100], sealed[100 + SEAL_OVERHEAD], out[100];
	secp_keygen(a);
	secp_keygen(b);
	ok(secp_pubkey(pa, a) == 0 && secp_pubkey(pb, b) == 0, "two fresh keys");
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	ok(seal_to(sealed, pa, msg, sizeof(msg)) == 0, "seal 100 bytes to A");
	ok(sealed[0] == 1, "version byte is 1");
	ok(seal_open(out, a, sealed, sizeof(sealed)) == 0 && !memcmp(out, msg, sizeof(msg)), "A opens it");
	ok(seal_open(out, b, sealed, sizeof(sealed)) < 0, "B cannot open A's seal");
	int altered_ok = 0;
	/* Any single flipped bit anywhere is detected. */
	for (size_t i = 0; i < sizeof(sealed); i += 7) {
		sealed[i] ^= 0x10;
		if (seal_open(out, a, sealed, sizeof(sealed)) == 0)
			altered_ok++;
		sealed[i] ^= 0x10;
	}
	ok(altered_ok == 0, "every altered byte position is refused");
	ok(seal_open(out, a, sealed, SEAL_OVERHEAD - 1) < 0, "too short refused");
	ok(seal_open(out, a, sealed, sizeof(sealed) - 1) < 0, "truncated refused");
	uint8_t empty_sealed[SEAL_OVERHEAD];
	ok(seal_to(empty_sealed, pb, (const uint8_t *)"", 0) == 0 &&
	   seal_open(out, b, empty_sealed, SEAL_OVERHEAD) == 0, "an empty message seals and opens");
	uint8_t bad_pub[65];
	memset(bad_pub, 0, 65);
	bad_pub[0] = 4;
	ok(seal_to(sealed, bad_pub, msg, sizeof(msg)) < 0, "sealing to a non-point refused");
}

static void test_msg(void)
{
	uint8_t priv[32], pub[65], got[65], digest[32], sig[65], addr[20], want[20];
	char hex[67];
	memset(priv, 0, 32);
	priv[31] = 1;
	msg_hash(digest, (const uint8_t *)"hello", 5);
	hex_encode(hex, digest, 32);
	ok(!strcmp(hex, "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750"),
	   "EIP-191 hash of 'hello'");
	ok(msg_sign(sig, priv, digest) == 0 && (sig[64] == 27 || sig[64] == 28), "sign: v is 27 or 28");
	ok(secp_pubkey(pub, priv) == 0 && msg_recover(got, sig, digest) == 0 && !memcmp(pub, got, 65),
	   "recover gives the signer");
	secp_address_from_pub(addr, got);
	ok(hex_decode(want, 20, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf") == 0 && !memcmp(addr, want, 20),
	   "signer of key 1 is 0x7E5F...");
	sig[64] -= 27;
	ok(msg_recover(got, sig, digest) == 0 && !memcmp(pub, got, 65), "v as 0/1 accepted");
	sig[64] = 29;
	ok(msg_recover(got, sig, digest) < 0, "v = 29 refused");
	sig[64] = 27;
	uint8_t other[32];
	msg_hash(other, (const uint8_t *)"hellp", 5);
	ok(msg_recover(got, sig, other) < 0 || memcmp(pub, got, 65), "another message recovers another key");
	memset(sig, 0, 64);
	ok(msg_recover(got, sig, digest) < 0, "zero r and s refused");
}

int main(void)
{
	test_seal();
	test_msg();
	return unit_done();
}
