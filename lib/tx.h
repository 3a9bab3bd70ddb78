/*
 * tx.h: Ethereum transactions: legacy (with or without EIP-155), EIP-2930
 * (type 1) and EIP-1559 (type 2). Encoding, signing hashes, signing, and a
 * strict decoder that recovers the sender and applies the validity rules
 * of Ethereum's Shanghai/Cancun forks (ethereum/tests TransactionTests), so
 * what it accepts every Ethereum client accepts, and the reverse.
 *
 * Blob (type 3) and set-code (type 4) transactions are refused: lst's chain
 * carries neither blobs nor contract code.
 */
#ifndef LST_TX_H
#define LST_TX_H

#include "lst.h"
#include "buf.h"
#include "u256.h"

typedef struct {
	uint8_t address[20];
	size_t nkeys;
	uint8_t (*keys)[32];
} tx_access;

typedef struct {
	int type;               /* 0 legacy, 1 EIP-2930, 2 EIP-1559 */
	bool has_chain_id;      /* false only for pre-EIP-155 legacy */
	uint64_t chain_id;
	uint64_t nonce;
	u256 gas_price;         /* legacy and type 1 */
	u256 max_priority_fee;  /* type 2 */
	u256 max_fee;           /* type 2 */
	uint64_t gas;
	bool has_to;            /* false: contract creation */
	uint8_t to[20];
	u256 value;
	uint8_t *data;          /* malloc'd; tx_free releases it */
	size_t data_len;
	tx_access *access;      /* malloc'd array */
	size_t naccess;

	/* Set by tx_sign and tx_decode. */
	bool signed_;
	u256 v;                 /* legacy: the raw v; typed: y parity */
	uint8_t r[32], s[32];
	uint8_t from[20];
	uint8_t hash[32];       /* keccak256 of the signed encoding */
} tx;

void tx_init(tx *t);
void tx_free(tx *t);

/* The digest the sender signs. */
void tx_signing_hash(uint8_t out[32], const tx *t);
/* The signed encoding (typed: type byte + RLP) appended to b. */
void tx_encode(buf *b, const tx *t);
/* The unsigned encoding, as ethers' unsignedSerialized. */
void tx_encode_unsigned(buf *b, const tx *t);
/*
 * Sign with priv, whose address is from (computed once by the caller, so
 * batch signing does not derive the public key per transaction): sets v,
 * r, s, from and hash, and appends the signed encoding to raw if not NULL.
 */
int tx_sign(tx *t, buf *raw, const uint8_t priv[32], const uint8_t from[20]) LST_WUR;

/* Intrinsic gas of t (21000 + data + creation + access list). */
uint64_t tx_intrinsic_gas(const tx *t);

/*
 * Decode raw (typed or legacy) bytes, check every field's form and the
 * signature, recover the sender and hash. 0, or -1 with a lowercase reason
 * in err (e.g. "nonce has leading zeros", "invalid signature: s > n/2").
 */
int tx_decode(tx *out, char *err, size_t errlen, const uint8_t *raw, size_t len) LST_WUR;
/* For bytes this node stored after recovering their sender: skips recovery. */
int tx_decode_trusted(tx *out, char *err, size_t errlen, const uint8_t *raw, size_t len,
		      const uint8_t from[20]) LST_WUR;
/*
 * The rules a well-formed transaction must also meet to be valid on any
 * Ethereum chain: nonce below 2^64-1 (EIP-2681), fee caps in order, gas
 * times price within 256 bits, init code size (EIP-3860), intrinsic gas.
 */
int tx_validate(char *err, size_t errlen, const tx *t) LST_WUR;
/* A replay-protected t must carry chain_id (unprotected legacy passes). */
int tx_check_chain(char *err, size_t errlen, const tx *t, uint64_t chain_id) LST_WUR;

#endif
