/*
 * msg.h: signed messages (EIP-191 personal_sign), as wallets and ethers'
 * signMessage/verifyMessage do them: keccak256("\x19Ethereum Signed
 * Message:\n" + decimal length + message), signature r || s || v with
 * v = 27 + recovery id, 65 bytes.
 */
#ifndef LST_MSG_H
#define LST_MSG_H

#include "lst.h"

void msg_hash(uint8_t out[32], const uint8_t *msg, size_t len);
int msg_sign(uint8_t sig[65], const uint8_t priv[32], const uint8_t digest[32]) LST_WUR;
/*
 * Recover the signer of a 65-byte signature over digest. v may be 27/28 or
 * 0/1; s must be low. 0, or -1 if the signature is malformed.
 */
int msg_recover(uint8_t pub[65], const uint8_t sig[65], const uint8_t digest[32]) LST_WUR;

#endif
