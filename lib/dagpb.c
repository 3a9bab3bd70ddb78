/*
 * dagpb.c: see dagpb.h. The dag-pb codec and UnixFS Data, both small
 * protobuf messages read by hand under the IPLD spec's strict rules
 * (minimal varints, known fields and wire types only, no duplicates,
 * PBLink fields in field order), and the links of dag-pb, dag-cbor and
 * raw blocks.
 *
 * The one leniency is the spec's: a PBNode whose Data comes before its
 * Links is accepted (such blocks exist); we always write Links first.
 */
#include "lst.h"
#include "dagpb.h"
#include "diag.h"

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

static void put_varint(buf *out, uint64_t v)
{
	uint8_t tmp[10];
	buf_add(out, tmp, varint_put(tmp, v));
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void put_bytes(buf *out, uint8_t tag, const void *p, size_t len)
{
	buf_addc(out, tag);
	put_varint(out, len);
	buf_add(out, p, len);
}

static void put_uint(buf *out, uint8_t tag, uint64_t v)
{
	buf_addc(out, tag);
	put_varint(out, v);
}

/* A field key: 0, *field (never 0) and *wire, or -1. */
static int get_key(unsigned *field, unsigned *wire, const uint8_t *in, size_t len, size_t *pos)
{
	uint64_t key;
	size_t used;
	if (varint_get(&key, &used, in + *pos, len - *pos) < 0 || (key >> 3) == 0 || (key >> 3) > 64)
		return -1;
	*pos += used;
	*field = (unsigned)(key >> 3);
	*wire = (unsigned)(key & 7);
	return 0;
}

static int get_uint(uint64_t *v, const uint8_t *in, size_t len, size_t *pos)
{
	size_t used;
	if (varint_get(v, &used, in + *pos, len - *pos) < 0)
		return -1;
	*pos += used;
	return 0;
}

static int get_bytes(const uint8_t **p, size_t *n, const uint8_t *in, size_t len, size_t *pos)
{
	uint64_t l;
	if (get_uint(&l, in, len, pos) < 0 || l > len - *pos)
		return -1;
	*p = in + *pos;
	*n = (size_t)l;
	*pos += (size_t)l;
	return 0;
}

/* PBNode */

static size_t link_len(const pb_link *l)
{
	size_t n = 1 + varint_len(l->hash.len) + l->hash.len;
	if (l->has_name)
		n += 1 + varint_len(l->name_len) + l->name_len;
	if (l->has_tsize)
		n += 1 + varint_len(l->tsize);
	return n;
}

void pb_node_encode(buf *out, const pb_node *n)
{
	for (size_t i = 0; i < n->nlinks; i++) {
		const pb_link *l = &n->links[i];
		buf_addc(out, 0x12);
		put_varint(out, link_len(l));
		put_bytes(out, 0x0a, l->hash.bytes, l->hash.len);
		if (l->has_name)
			put_bytes(out, 0x12, l->name, l->name_len);
		if (l->has_tsize)
			put_uint(out, 0x18, l->tsize);
	}
	if (n->has_data)
		put_bytes(out, 0x0a, n->data, n->data_len);
}

static int link_decode(pb_link *l, const uint8_t *in, size_t len)
{
	size_t pos = 0;
	unsigned last = 0, field, wire;
	bool has_hash = false;
	memset(l, 0, sizeof(*l));
	while (pos < len) {
		if (get_key(&field, &wire, in, len, &pos) < 0 || field <= last)
			return -1; /* out of order or duplicate */
		last = field;
		if (field == 1 && wire == WIRE_LEN) {
			const uint8_t *p;
			size_t n, used;
			if (get_bytes(&p, &n, in, len, &pos) < 0 || cid_decode(&l->hash, &used, p, n) < 0 || used != n)
				return -1;
			has_hash = true;
		} else if (field == 2 && wire == WIRE_LEN) {
			const uint8_t *p;
			if (get_bytes(&p, &l->name_len, in, len, &pos) < 0)
				return -1;
			l->name = (const char *)p;
			l->has_name = true;
		} else if (field == 3 && wire == WIRE_VARINT) {
			if (get_uint(&l->tsize, in, len, &pos) < 0)
				return -1;
			l->has_tsize = true;
		} else {
			return -1;
		}
	}
	return has_hash ? 0 : -1;
}

int pb_node_decode(pb_node *n, const uint8_t *in, size_t len)
{
	size_t pos = 0, cap = 0;
	bool data_after_links = false;
	unsigned field, wire;
	memset(n, 0, sizeof(*n));
	while (pos < len) {
		const uint8_t *p;
		size_t plen;
		if (get_key(&field, &wire, in, len, &pos) < 0 || wire != WIRE_LEN ||
		    get_bytes(&p, &plen, in, len, &pos) < 0)
			goto bad;
		if (field == 1) {
			if (n->has_data)
				goto bad;
			n->data = p;
			n->data_len = plen;
			n->has_data = true;
			data_after_links = n->nlinks > 0;
		} else if (field == 2) {
			if (data_after_links)
				goto bad; /* Links, Data, Links */
			if (n->nlinks == cap) {
				cap = cap ? 2 * cap : 8;
				n->links = xrealloc(n->links, cap * sizeof(*n->links));
			}
			if (link_decode(&n->links[n->nlinks], p, plen) < 0)
				goto bad;
			n->nlinks++;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	pb_node_free(n);
	return -1;
}

void pb_node_free(pb_node *n)
{
	free(n->links);
	memset(n, 0, sizeof(*n));
}

/* UnixFS Data */

void ufs_data_encode(buf *out, const ufs_data *d)
{
	put_uint(out, 0x08, (uint64_t)d->type);
	if (d->has_data)
		put_bytes(out, 0x12, d->data, d->data_len);
	if (d->has_filesize)
		put_uint(out, 0x18, d->filesize);
	for (size_t i = 0; i < d->nblocksizes; i++)
		put_uint(out, 0x20, d->blocksizes[i]);
	if (d->has_hash_type)
		put_uint(out, 0x28, d->hash_type);
	if (d->has_fanout)
		put_uint(out, 0x30, d->fanout);
	if (d->has_mode)
		put_uint(out, 0x38, d->mode);
}

int ufs_data_decode(ufs_data *d, const uint8_t *in, size_t len)
{
	size_t pos = 0, cap = 0;
	unsigned last = 0, field, wire;
	bool has_type = false;
	uint64_t v;
	memset(d, 0, sizeof(*d));
	while (pos < len) {
		if (get_key(&field, &wire, in, len, &pos) < 0 || field < last || (field == last && field != 4))
			goto bad;
		last = field;
		if (field == 2) {
			if (wire != WIRE_LEN || get_bytes(&d->data, &d->data_len, in, len, &pos) < 0)
				goto bad;
			d->has_data = true;
			continue;
		}
		/* Every other field we know is a varint; mtime (8) and unknown fields are refused. */
		if (field > 7 || wire != WIRE_VARINT || get_uint(&v, in, len, &pos) < 0)
			goto bad;
		switch (field) {
		case 1:
			if (v > UFS_HAMT_SHARD)
				goto bad;
			d->type = (enum ufs_type)v;
			has_type = true;
			break;
		case 3:
			d->filesize = v;
			d->has_filesize = true;
			break;
		case 4:
			if (d->nblocksizes == cap) {
				cap = cap ? 2 * cap : 16;
				d->blocksizes = xrealloc(d->blocksizes, cap * sizeof(*d->blocksizes));
			}
			d->blocksizes[d->nblocksizes++] = v;
			break;
		case 5:
			d->hash_type = v;
			d->has_hash_type = true;
			break;
		case 6:
			d->fanout = v;
			d->has_fanout = true;
			break;
		case 7:
			if (v > UINT32_MAX)
				goto bad;
			d->mode = (uint32_t)v;
			d->has_mode = true;
			break;
		}
	}
	if (has_type)
		return 0;
bad:
	ufs_data_free(d);
	return -1;
}

void ufs_data_free(ufs_data *d)
{
	free(d->blocksizes);
	memset(d, 0, sizeof(*d));
}

/* Links */

typedef struct {
	cid *v;
	size_t n, cap;
} cid_list;

static void list_add(cid_list *l, const cid *c)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *c;
}

/* A CBOR head: major type, argument (for ai 24..27 read after it). 0 or -1. */
static int cbor_head(unsigned *major, uint64_t *arg, const uint8_t *in, size_t len, size_t *pos)
{
	if (*pos >= len)
		return -1;
	uint8_t b = in[(*pos)++];
	unsigned ai = b & 31, extra;
	*major = b >> 5;
	if (ai < 24) {
		*arg = ai;
		return 0;
	}
	if (ai > 27)
		return -1; /* indefinite lengths and reserved values are not dag-cbor */
	extra = 1u << (ai - 24);
	if (extra > len - *pos)
		return -1;
	*arg = 0;
	for (unsigned i = 0; i < extra; i++)
		*arg = (*arg << 8) | in[(*pos)++];
	return 0;
}

/*
 * Walks one dag-cbor item after another without recursion: pending counts
 * the items still to read (arrays add theirs, maps twice theirs). Each item
 * takes at least a byte, so pending over the bytes left is malformed.
 */
static int cbor_links(cid_list *l, const uint8_t *in, size_t len)
{
	size_t pos = 0;
	uint64_t pending = 1, arg;
	unsigned major;
	while (pending > 0) {
		if (pending > len - pos || cbor_head(&major, &arg, in, len, &pos) < 0)
			return -1;
		pending--;
		switch (major) {
		case 0:
		case 1:
			break;
		case 2:
		case 3:
			if (arg > len - pos)
				return -1;
			pos += (size_t)arg;
			break;
		case 4:
			if (arg > len - pos)
				return -1;
			pending += arg;
			break;
		case 5:
			if (arg > (len - pos) / 2)
				return -1;
			pending += 2 * arg;
			break;
		case 6: {
			/* dag-cbor has one tag: 42, a CID as bytes with a 0x00 prefix. */
			cid c;
			size_t used;
			if (arg != 42 || cbor_head(&major, &arg, in, len, &pos) < 0 || major != 2 || arg < 1 ||
			    arg > len - pos || in[pos] != 0x00 ||
			    cid_decode(&c, &used, in + pos + 1, (size_t)arg - 1) < 0 || used != arg - 1)
				return -1;
			pos += (size_t)arg;
			list_add(l, &c);
			break;
		}
		case 7:
			/* simple values and floats: the head already holds them */
			break;
		}
	}
	return pos == len ? 0 : -1;
}

int block_links(cid **out, size_t *n, const cid *c, const uint8_t *data, size_t len)
{
	cid_list l = {NULL, 0, 0};
	*out = NULL;
	*n = 0;
	switch (cid_codec(c)) {
	case CODEC_RAW:
	case 0x00: /* identity codec */
		return 0;
	case CODEC_DAG_PB: {
		pb_node node;
		if (pb_node_decode(&node, data, len) < 0)
			return -1;
		if (node.nlinks) {
			l.v = xmalloc(node.nlinks * sizeof(*l.v));
			for (size_t i = 0; i < node.nlinks; i++)
				l.v[i] = node.links[i].hash;
			l.n = node.nlinks;
		}
		pb_node_free(&node);
		break;
	}
	case CODEC_DAG_CBOR:
		if (cbor_links(&l, data, len) < 0) {
			free(l.v);
			return -1;
		}
		break;
	default:
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}
