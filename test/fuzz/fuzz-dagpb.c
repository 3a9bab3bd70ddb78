/* libFuzzer: dag-pb and UnixFS Data decoders re-encode what they accept byte for byte; block_links agrees. */
#include "lst.h"
#include "dagpb.h"

static void pb(const uint8_t *data, size_t size)
{
	pb_node n, m;
	buf b = BUF_INIT, b2 = BUF_INIT;
	if (pb_node_decode(&n, data, size) != 0)
		return;
	pb_node_encode(&b, &n);
	/* Data before Links is accepted (spec) and written Links first: then compare the re-encoding's decode. */
	bool data_first = size > 0 && data[0] == 0x0a && n.nlinks > 0;
	if (!data_first && (b.len != size || (size && memcmp(b.p, data, size))))
		__builtin_trap();
	if (pb_node_decode(&m, b.p, b.len) != 0 || m.nlinks != n.nlinks || m.has_data != n.has_data ||
	    m.data_len != n.data_len)
		__builtin_trap();
	pb_node_encode(&b2, &m);
	if (b2.len != b.len || (b.len && memcmp(b2.p, b.p, b.len)))
		__builtin_trap();
	cid c, *links;
	size_t nl;
	cid_of(&c, CODEC_DAG_PB, data, size);
	if (block_links(&links, &nl, &c, data, size) != 0 || nl != n.nlinks)
		__builtin_trap();
	for (size_t i = 0; i < nl; i++)
		if (!cid_equal(&links[i], &n.links[i].hash))
			__builtin_trap();
	free(links);
	pb_node_free(&m);
	pb_node_free(&n);
	buf_free(&b);
	buf_free(&b2);
}

static void ufs(const uint8_t *data, size_t size)
{
	ufs_data d;
	buf b = BUF_INIT;
	if (ufs_data_decode(&d, data, size) != 0)
		return;
	ufs_data_encode(&b, &d);
	if (b.len != size || memcmp(b.p, data, size))
		__builtin_trap();
	ufs_data_free(&d);
	buf_free(&b);
}

static void cbor(const uint8_t *data, size_t size)
{
	cid c, *links;
	size_t n;
	cid_of(&c, CODEC_DAG_CBOR, data, size);
	if (block_links(&links, &n, &c, data, size) == 0) {
		for (size_t i = 0; i < n; i++)
			if (links[i].len == 0 || links[i].len > CID_MAX)
				__builtin_trap();
		free(links);
	}
}

static void cids(const uint8_t *data, size_t size)
{
	cid c, d;
	size_t used;
	char s[CID_STR_MAX];
	if (cid_decode(&c, &used, data, size) == 0) {
		if (used > size || used != c.len)
			__builtin_trap();
		cid_str(s, &c);
		if (strlen(s) >= CID_STR_MAX - 1 || (cid_version(&c) == 1 && (cid_parse(&d, s) != 0 || !cid_equal(&c, &d))))
			__builtin_trap();
	}
	char str[CID_STR_MAX];
	size_t k = size < sizeof(str) - 1 ? size : sizeof(str) - 1;
	memcpy(str, data, k);
	str[k] = 0;
	if (cid_parse(&c, str) == 0) {
		cid_str(s, &c);
		if (strcmp(s, str))
			__builtin_trap(); /* only canonical strings parse */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb(data, size);
	ufs(data, size);
	cbor(data, size);
	cids(data, size);
	return 0;
}
