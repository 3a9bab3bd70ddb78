/*
 * content.h: encrypted objects, the paid books of DESIGN.md section 6.
 *
 * Owns: the content key (its derivation from the author's key, the book
 * and the tree), the segment and manifest encryption, adding a set of
 * files as one encrypted object, reading any file or any segment of it
 * back, and the content keys kept in HOME/content-keys.
 *
 * Keys. The content key is 32 bytes: random, read from a key file, or
 * derived, content_key_derive = BLAKE2b-256 keyed with the author's
 * secp256k1 private key over "lst-content-v1\0" || book || "\0" ||
 * tree_digest, where tree_digest = SHA-256 over, for each file in path
 * order (bytewise), path || "\0" || u64be(size) || SHA-256(content). So
 * the same tree published twice by the same author as the same book gives
 * the same key and, encryption being deterministic, the same root. From
 * the content key (libsodium crypto_kdf, BLAKE2b):
 *   file key i    = kdf(content key, i, "lstfile1")   i: index in the manifest
 *   segment key j = kdf(file key i, j, "lstseg01")
 *   manifest key  = kdf(content key, 0, "lstmani1")
 * A segment key can be handed out alone (a subscriber's page):
 * content_segment_key, content_segment_open.
 *
 * Segments. File i is cut into segments of segment_size bytes (1 KiB to
 * 1 MiB, default 1 MiB; the last is shorter; an empty file has none).
 * Segment j becomes the message flag || body, flag 1 with body = zstd
 * level 3 of the plaintext when that is strictly smaller, else flag 0
 * with the plaintext, sealed (below) with segment key j and associated
 * data AD = "lst-seg-v1" || u64be(i) || u64be(j): stored length
 * 24 + 1 + body + 16. The stored segments of a file, one after another,
 * are one UnixFS file; segment j starts at the sum of the lengths before
 * it, so a reader fetches and opens any segment alone.
 *
 * Sealing (SIV). A message m = flag || body under key K and AD is stored
 * as nonce || XChaCha20-Poly1305-IETF(K, nonce, AD, m), with the
 * synthetic nonce = BLAKE2b-192 keyed with kdf(K, 1, "lstsiv01") (a key
 * used only for nonces) over AD || m. It is deterministic (the same tree
 * and content key give the same root) without trusting every key to
 * encrypt one message only: a key file reused for another tree, or any
 * two messages under one key, share a nonce only when AD and m are equal,
 * so a reused key reveals which segments are equal and never a keystream
 * or a Poly1305 key (no forgeries). AD has one length for each kind of
 * key, so AD || m is unambiguous. A reader decrypts with the stored
 * nonce, then recomputes the synthetic nonce from what it got and refuses
 * a mismatch as an authentication failure: the nonce is proven to be the
 * one made for that plaintext, so a message has one valid ciphertext.
 *
 * Manifest. Compact JSON with sorted keys (jansson JSON_COMPACT |
 * JSON_SORT_KEYS, hence deterministic):
 *   {"files":[{"cid":C,"path":P,"segment_size":S,"segments":[clen0,...],
 *              "sha256":"hex of the plaintext","size":N}],"version":1}
 * files sorted by path, paths relative ("a/b.txt": no leading '/', no
 * empty, "." or ".." component, no control character), cid the ciphertext
 * file, segments the stored length of each segment (nonce and tag
 * included: at most its plaintext + 41). It is sealed as one message like a segment (flag + zstd, SIV)
 * with the manifest key and AD "lst-manifest-v1", and stored as a UnixFS
 * file. It holds one number per segment: 4 GiB at 1 MiB segments is
 * 4,096 numbers, at 4 KiB pages a million (the manifest is read whole).
 *
 * Root. A UnixFS directory with "manifest" -> the encrypted manifest and
 * "0", "1", ... -> each file's ciphertext. Not the manifest itself: with
 * the directory, any IPFS tool, and our gateway gating, CAR export, fetch
 * and gc, walks and carries the whole book without the key, as plain
 * dag-pb links; the entry names reveal nothing, and the file names stay in
 * the encrypted manifest. The manifest's cids are what a reader trusts
 * (they are authenticated); the directory must agree with them.
 *
 * Determinism also assumes the same zstd output for the same input and
 * level, which holds for one libzstd version, not across all of them.
 */
#ifndef LST_CONTENT_H
#define LST_CONTENT_H

#include "lst.h"
#include "bstore.h"
#include "cid.h"
#include "unixfs.h"
#include <jansson.h>

#define CONTENT_KEY_BYTES 32
#define CONTENT_SEGMENT_DEFAULT (1u << 20)
#define CONTENT_SEGMENT_MIN (1u << 10)
#define CONTENT_SEGMENT_MAX (1u << 20)
#define CONTENT_MANIFEST_MAX (64u << 20) /* plaintext manifest bytes */
#define CONTENT_SIZE_UNKNOWN UINT64_MAX

/* One file to add or to digest. */
typedef struct {
	const char *path; /* its name in the manifest (see above) */
	int fd;           /* read from its current offset to EOF */
	uint64_t size;    /* expected bytes, or CONTENT_SIZE_UNKNOWN (a pipe) */
} content_input;

/* ---- keys ------------------------------------------------------------- */

/* The derived content key (above). book: a non-empty C string. */
void content_key_derive(uint8_t key[32], const uint8_t author_priv[32], const char *book,
			const uint8_t tree_digest[32]);
/*
 * The tree digest (above) of in[0..n), in path order whatever the order
 * given. Reads each fd with pread from offset 0, so the fds must be
 * regular files and are left where they were (a pipe must be spooled to
 * a file first). 0 or -1 (reported).
 */
int content_tree_digest(uint8_t out[32], const content_input *in, size_t n) LST_WUR;

/* HOME/content-keys/ROOT: 64 hex digits and a newline, mode 0600 (dir 0700). 0 or -1. */
int content_key_save(const cid *root, const uint8_t key[32]) LST_WUR;
/* 0 loaded, 1 no key kept for root, -1 error (reported; junk is LST_EINVALID). */
int content_key_load(uint8_t key[32], const cid *root) LST_WUR;
/* A key file: 64 hex digits, optional 0x, optional trailing newline. 0 or -1 (LST_EINVALID on junk). */
int content_key_read_file(uint8_t key[32], const char *path) LST_WUR;

/* ---- adding ----------------------------------------------------------- */

/*
 * Add in[0..n) (n >= 1, unique paths, any order: the manifest sorts them)
 * as one encrypted object under key, with segments of segment_size (0:
 * the default). *root: the directory; *files: [{path, size, cid}] in
 * manifest order, cid the ciphertext file (new reference); *blocks,
 * *bytes: every block of the object and their total size. Streams: one
 * segment in memory at a time (two buffers of about segment_size and a
 * zstd context). progress (may be NULL) gets the plaintext bytes read so
 * far. Does not pin. 0 or -1 (reported; nothing is returned in *files).
 */
int content_add(bstore *s, cid *root, json_t **files, uint64_t *blocks, uint64_t *bytes,
		const uint8_t key[32], const content_input *in, size_t n, size_t segment_size,
		ufs_progress_fn progress, void *arg) LST_WUR;

/* ---- reading ---------------------------------------------------------- */

/*
 * 1 if root is a directory whose entries are exactly "manifest" and
 * "0".."n-1" (n >= 1), 0 if it is anything else (a file, another
 * directory, a raw block), -1 on error (reported; a missing root block is
 * LST_ENOTFOUND).
 */
int content_is_encrypted(bstore *s, const cid *root);

/*
 * The decrypted, checked manifest of root (new reference). -1 and
 * reported: LST_EREFUSED "wrong key for 'ROOT'" when it does not decrypt,
 * or when the directory disagrees with it; LST_ENOTFOUND when a block is
 * missing; LST_EINVALID when root is not an encrypted object.
 */
int content_manifest(bstore *s, json_t **manifest, const cid *root, const uint8_t key[32]) LST_WUR;

/*
 * Stream the plaintext of file path (NULL: the only file; an error if
 * there are several) of root to sink: all of it (segment -1, then its
 * SHA-256 must match the manifest's) or segment `segment` alone. Each
 * segment is decrypted and checked before any of its bytes reach sink; a
 * wrong key fails on the manifest before sink is called (LST_EREFUSED).
 * 0 done; 1 a block is missing (*missing set when not NULL; not reported;
 * nothing of the segment that needed it was written); -1 error (reported,
 * unless sink returned -1): LST_EREFUSED "segment N of 'P' fails
 * authentication" or a digest mismatch, LST_ENOTFOUND no such file,
 * LST_EINVALID segment out of range.
 */
int content_read(bstore *s, const cid *root, const uint8_t key[32], const char *path, int64_t segment,
		 ufs_sink_fn sink, void *arg, cid *missing) LST_WUR;
/* The same for file index i of a manifest already read with content_manifest. */
int content_read_file(bstore *s, const json_t *manifest, const uint8_t key[32], size_t i, int64_t segment,
		      ufs_sink_fn sink, void *arg, cid *missing) LST_WUR;

/* ---- one segment: a page (pages.h) ------------------------------------ */

/* Segment key j of file i under the content key (above): a page key. */
void content_segment_key(uint8_t out[32], const uint8_t key[32], uint64_t i, uint64_t j);
/*
 * Open one stored segment alone: stored[0..len) is segment j of file i as
 * the ciphertext file holds it (nonce, flag || body sealed, tag), skey its
 * segment key. Its plaintext goes to out (cap bytes; a segment holds at
 * most its file's segment_size), its length to *outlen. 0, or -1
 * (reported): LST_EREFUSED "segment J of file I fails authentication" (a
 * wrong key, i or j, or altered bytes), LST_EINVALID a malformed segment
 * or one longer than cap.
 */
int content_segment_open(uint8_t *out, size_t *outlen, size_t cap, const uint8_t skey[32], uint64_t i,
			 uint64_t j, const uint8_t *stored, size_t len) LST_WUR;

/* ---- internals, exported for the tests and the fuzzer ----------------- */

/*
 * Parse and check a decrypted manifest (above): *manifest a new reference.
 * 0 or -1 (LST_EINVALID, reported).
 */
int content_manifest_parse(json_t **manifest, const uint8_t *text, size_t len) LST_WUR;
/*
 * Encrypt manifest (which must pass content_manifest_parse) with key's
 * manifest key and store it as a UnixFS file: *c, and *blocks, *bytes
 * when not NULL. 0 or -1 (reported).
 */
int content_manifest_put(bstore *s, cid *c, uint64_t *blocks, uint64_t *bytes, const json_t *manifest,
			 const uint8_t key[32]) LST_WUR;

#endif
