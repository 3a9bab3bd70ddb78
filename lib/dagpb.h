/*
 * dagpb.h: the dag-pb codec (PBNode, PBLink) and UnixFS v1 Data inside it,
 * byte for byte as the IPLD dag-pb spec and @ipld/dag-pb / ipfs-unixfs
 * write them, plus the links of any block we walk.
 *
 * PBNode: Links (field 2, repeated, written first, in order) then Data
 * (field 1, when present). PBLink: Hash (1), Name (2, written when
 * has_name, even empty), Tsize (3, when has_tsize). Decoding is strict
 * (the spec's rules: field order, no unknown fields, no duplicates).
 *
 * UnixFS Data: Type (1), Data (2, when present), filesize (3, when
 * has_filesize), blocksizes (4, repeated, not packed), hashType (5),
 * fanout (6), mode (7), mtime (8, unsupported: refused on decode).
 */
#ifndef LST_DAGPB_H
#define LST_DAGPB_H

#include "lst.h"
#include "buf.h"
#include "cid.h"

typedef struct {
	cid hash;
	const char *name;   /* decode: points into the block, not NUL-terminated */
	size_t name_len;
	bool has_name;
	uint64_t tsize;
	bool has_tsize;
} pb_link;

typedef struct {
	pb_link *links;     /* decode: malloc'd array (pb_node_free) */
	size_t nlinks;
	const uint8_t *data; /* decode: points into the block */
	size_t data_len;
	bool has_data;
} pb_node;

/* Append the canonical encoding of n to out. */
void pb_node_encode(buf *out, const pb_node *n);
/* 0, or -1 if malformed (not reported). n's pointers borrow from in. */
int pb_node_decode(pb_node *n, const uint8_t *in, size_t len) LST_WUR;
void pb_node_free(pb_node *n);

enum ufs_type {
	UFS_RAW = 0,
	UFS_DIRECTORY = 1,
	UFS_FILE = 2,
	UFS_METADATA = 3,
	UFS_SYMLINK = 4,
	UFS_HAMT_SHARD = 5,
};

typedef struct {
	enum ufs_type type;
	const uint8_t *data; /* decode: borrows from the input */
	size_t data_len;
	bool has_data;
	uint64_t filesize;
	bool has_filesize;
	uint64_t *blocksizes; /* decode: malloc'd (ufs_data_free) */
	size_t nblocksizes;
	uint64_t hash_type, fanout;
	bool has_hash_type, has_fanout;
	uint32_t mode;
	bool has_mode;
} ufs_data;

void ufs_data_encode(buf *out, const ufs_data *d);
int ufs_data_decode(ufs_data *d, const uint8_t *in, size_t len) LST_WUR;
void ufs_data_free(ufs_data *d);

/*
 * The CIDs block (whose CID is c) links to, in order: dag-pb links, every
 * tag-42 CID in dag-cbor, none for raw and identity. *out is malloc'd
 * (free it), *n set. 0, or -1 if the block does not decode as its codec
 * says, or the codec is not one of these (not reported).
 */
int block_links(cid **out, size_t *n, const cid *c, const uint8_t *data, size_t len) LST_WUR;

#endif
