/*
 * car.h: CARv1 (IPLD Content Addressable aRchive), streaming both ways.
 *
 * Owns: the header (dag-cbor {"roots": [CID...], "version": 1}, with its
 * varint length; we write the keys in dag-cbor's canonical order, "roots"
 * first), and the sections (varint(len) CID block). The reader is a pull
 * parser over an fd with bounded memory: a section over BLOCK_MAX
 * (plus CID) is refused before it is read, and every block is checked
 * against its CID (sha2-256 and identity; other hashes are refused).
 */
#ifndef LST_CAR_H
#define LST_CAR_H

#include "lst.h"
#include "buf.h"
#include "cid.h"

/* Append a CARv1 header naming roots to out. */
void car_header(buf *out, const cid *roots, size_t nroots);
/* Append one section. */
void car_section(buf *out, const cid *c, const uint8_t *data, size_t len);

typedef struct car_reader car_reader;

/*
 * Start reading fd: reads and checks the header. *roots (malloc'd) and
 * *nroots. NULL on error (reported, exit status LST_EINVALID).
 */
car_reader *car_open(int fd, cid **roots, size_t *nroots);
/*
 * Next block: 1 and c, data (in out, reset first); 0 at a clean end;
 * -1 on a malformed, oversized or mismatching block (reported, naming
 * its offset and CID where known).
 */
int car_next(car_reader *r, cid *c, buf *out) LST_WUR;
/* Bytes consumed so far. */
uint64_t car_offset(const car_reader *r);
void car_close(car_reader *r);

#endif
