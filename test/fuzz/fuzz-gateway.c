/*
 * libFuzzer: what the gateway reads from a request before it touches the
 * store. First byte even: gateway_parse_request over newline-separated
 * fields (path, format, Accept, dag-scope, entity-bytes). Odd: a
 * provider record's JSON, as POST /lst/v1/providers reads it.
 */
#include "lst.h"
#include "gateway.h"
#include "providers.h"

#include <jansson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const char *text, size_t size)
{
	const char *field[5] = {NULL, NULL, NULL, NULL, NULL};
	char *copy = malloc(size + 1);
	if (!copy)
		return;
	memcpy(copy, text, size);
	copy[size] = 0;
	char *p = copy;
	for (int i = 0; i < 5 && p; i++) {
		field[i] = p;
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		p = nl ? nl + 1 : NULL;
	}
	/* An empty field stands for an absent one, except the path. */
	for (int i = 1; i < 5; i++)
		if (field[i] && !*field[i])
			field[i] = NULL;
	gw_request a, b;
	char err[64], err2[64];
	memset(err, 'x', sizeof(err));
	int s = gateway_parse_request(&a, field[0], field[1], field[2], field[3], field[4], err, sizeof(err));
	if (s != 200 && s != 400 && s != 406)
		__builtin_trap();
	if (!memchr(err, 0, sizeof(err)))
		__builtin_trap(); /* the reason is always a terminated string */
	if (s == 200) {
		size_t n = strlen(a.path);
		if (a.format != GW_RAW && a.format != GW_CAR)
			__builtin_trap();
		if (n >= GW_PATH_MAX || (n && (a.path[0] == '/' || a.path[n - 1] == '/')) || strstr(a.path, "//"))
			__builtin_trap();
		if (a.format == GW_RAW && n)
			__builtin_trap();
		if (a.car_version != 1 || (a.format == GW_RAW && a.dups))
			__builtin_trap();
		/* The CID prints and parses back to itself. */
		char cs[CID_STR_MAX];
		cid back;
		cid_str(cs, &a.root);
		if (cid_parse(&back, cs) < 0 || !cid_equal(&back, &a.root))
			__builtin_trap();
	}
	/* Deterministic, and a zero-sized error buffer is not written. */
	if (gateway_parse_request(&b, field[0], field[1], field[2], field[3], field[4], err2, 0) != s)
		__builtin_trap();
	if (s == 200 && (b.format != a.format || b.dups != a.dups || b.scope != a.scope || strcmp(a.path, b.path) ||
			 !cid_equal(&a.root, &b.root)))
		__builtin_trap();
	free(copy);
}

static void check_record(const char *text, size_t size)
{
	json_t *j = json_loadb(text, size, 0, NULL);
	if (!j)
		return;
	prov_record r, back;
	const char *why = NULL;
	if (prov_record_from_json(&r, j, &why) == 0) {
		/* What parses prints, and what prints parses to the same record. */
		json_t *out = prov_record_json(&r);
		if (prov_record_from_json(&back, out, &why) < 0 || memcmp(back.addr, r.addr, 20) ||
		    strcmp(back.url, r.url) || !cid_equal(&back.root, &r.root) || back.complete != r.complete ||
		    back.leaves != r.leaves || back.expires != r.expires || memcmp(back.sig, r.sig, 65))
			__builtin_trap();
		for (uint64_t i = 0; i < r.leaves && i < 4096; i++)
			if (prov_has_leaf(&r, i) != prov_has_leaf(&back, i))
				__builtin_trap();
		(void)prov_record_verify(&r, 1700000000, &why);
		prov_record_free(&back);
		json_decref(out);
	} else if (!why) {
		__builtin_trap(); /* a refusal says why */
	}
	prov_record_free(&r);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 8192)
		return 0;
	if (data[0] % 2 == 0)
		check_request((const char *)data + 1, size - 1);
	else
		check_record((const char *)data + 1, size - 1);
	return 0;
}
