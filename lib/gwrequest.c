/*
 * gwrequest.c: parsing a trustless-gateway request (gateway.h,
 * gateway_parse_request): the /ipfs/ path, ?format, the Accept header
 * with its media-type parameters and q values, dag-scope and
 * entity-bytes. Pure: no I/O, no state, so it is fuzzed alone.
 */
#include "lst.h"
#include "gateway.h"

#include <ctype.h>
#include <strings.h>

static int bad(char *err, size_t cap, int status, const char *fmt, ...) LST_PRINTF(4, 5);
static int bad(char *err, size_t cap, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (cap)
		vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return status;
}

/* s[0..n) trimmed of spaces and tabs. */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static bool eq_ci(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !strncasecmp(s, lit, n);
}

/* A q value: 0 to 1000 (thousandths), -1 if malformed. */
static int qvalue(const char *s, size_t n)
{
	if (!n || (s[0] != '0' && s[0] != '1'))
		return -1;
	int v = (s[0] - '0') * 1000, scale = 100;
	if (n == 1)
		return v;
	if (s[1] != '.' || n > 5)
		return -1;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v += (s[i] - '0') * scale;
	}
	return v > 1000 ? -1 : v;
}

/*
 * The best verifiable type in an Accept header: *fmt (0 none), *dups.
 * *specific: some non-wildcard type was named (even one we do not serve).
 */
static void parse_accept(const char *accept, enum gw_format *fmt, bool *dups, bool *specific)
{
	int best = 0;
	*fmt = 0;
	*dups = false;
	*specific = false;
	for (const char *p = accept; *p;) {
		size_t len = strcspn(p, ",");
		const char *range = p;
		p += len;
		if (*p == ',')
			p++;
		size_t tlen = strcspn(range, ";");
		if (tlen > len)
			tlen = len;
		const char *type = range;
		size_t tn = tlen;
		trim(&type, &tn);
		if (!tn)
			continue;
		enum gw_format f = 0;
		if (eq_ci(type, tn, "application/vnd.ipld.raw"))
			f = GW_RAW;
		else if (eq_ci(type, tn, "application/vnd.ipld.car"))
			f = GW_CAR;
		if (memchr(type, '*', tn) == NULL)
			*specific = true;
		int q = 1000;
		bool ok = true, d = false;
		for (size_t off = tlen; off < len && ok;) {
			off++; /* the ';' */
			size_t plen = strcspn(range + off, ";");
			if (off + plen > len)
				plen = len - off;
			const char *par = range + off;
			size_t pn = plen;
			off += plen;
			trim(&par, &pn);
			if (!pn)
				continue;
			const char *eqs = memchr(par, '=', pn);
			if (!eqs) {
				ok = false;
				break;
			}
			const char *k = par, *v = eqs + 1;
			size_t kn = (size_t)(eqs - par), vn = pn - kn - 1;
			trim(&k, &kn);
			trim(&v, &vn);
			if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"')
				v++, vn -= 2;
			if (eq_ci(k, kn, "q")) {
				q = qvalue(v, vn);
				if (q < 0)
					ok = false;
			} else if (f == GW_CAR && eq_ci(k, kn, "version")) {
				ok = eq_ci(v, vn, "1");
			} else if (f == GW_CAR && eq_ci(k, kn, "order")) {
				ok = eq_ci(v, vn, "dfs") || eq_ci(v, vn, "unk");
			} else if (f == GW_CAR && eq_ci(k, kn, "dups")) {
				ok = eq_ci(v, vn, "y") || eq_ci(v, vn, "n");
				d = eq_ci(v, vn, "y");
			}
		}
		if (f && ok && q > best) {
			best = q;
			*fmt = f;
			*dups = d;
		}
	}
}

int gateway_parse_request(gw_request *out, const char *url, const char *format, const char *accept,
			  const char *dag_scope, const char *entity_bytes, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	out->car_version = 1;
	if (errcap)
		err[0] = 0;
	if (!url || strncmp(url, "/ipfs/", 6))
		return bad(err, errcap, 400, "not an /ipfs/ path");
	const char *p = url + 6;
	size_t clen = strcspn(p, "/");
	char cs[CID_STR_MAX];
	if (!clen || clen >= sizeof(cs))
		return bad(err, errcap, 400, "invalid CID");
	memcpy(cs, p, clen);
	cs[clen] = 0;
	if (cid_parse(&out->root, cs) < 0)
		return bad(err, errcap, 400, "invalid CID '%.100s'", cs);
	p += clen;
	if (*p == '/')
		p++;
	size_t plen = strlen(p);
	if (plen && p[plen - 1] == '/')
		plen--;
	if (plen && p[plen - 1] == '/')
		return bad(err, errcap, 400, "invalid path segment");
	if (plen >= sizeof(out->path))
		return bad(err, errcap, 400, "path too long");
	for (size_t i = 0; i < plen;) {
		size_t sl = strcspn(p + i, "/");
		if (sl > plen - i)
			sl = plen - i;
		if (!sl || (sl == 1 && p[i] == '.') || (sl == 2 && p[i] == '.' && p[i + 1] == '.'))
			return bad(err, errcap, 400, "invalid path segment");
		for (size_t j = i; j < i + sl; j++)
			if ((unsigned char)p[j] < 0x20 || p[j] == 0x7f)
				return bad(err, errcap, 400, "invalid path segment");
		i += sl + 1;
	}
	memcpy(out->path, p, plen);
	out->path[plen] = 0;

	enum gw_format af = 0;
	bool adups = false, specific = false;
	if (accept)
		parse_accept(accept, &af, &adups, &specific);
	if (af) {
		out->format = af;
		out->dups = af == GW_CAR && adups;
	} else if (format && *format) {
		if (!strcmp(format, "raw"))
			out->format = GW_RAW;
		else if (!strcmp(format, "car"))
			out->format = GW_CAR;
		else
			return bad(err, errcap, 406, "format '%.40s' is not served here (raw or car)", format);
	} else {
		return bad(err, errcap, 406,
			   "no verifiable format asked: use ?format=raw or ?format=car, or Accept: "
			   "application/vnd.ipld.raw or application/vnd.ipld.car");
	}
	if (out->format == GW_RAW) {
		if (out->path[0])
			return bad(err, errcap, 400, "a raw block is asked by its CID alone, without a path");
		return 200;
	}
	if (dag_scope && *dag_scope) {
		if (!strcmp(dag_scope, "all"))
			out->scope = GW_SCOPE_ALL;
		else if (!strcmp(dag_scope, "entity"))
			out->scope = GW_SCOPE_ENTITY;
		else if (!strcmp(dag_scope, "block"))
			out->scope = GW_SCOPE_BLOCK;
		else
			return bad(err, errcap, 400, "dag-scope must be block, entity or all");
	}
	if (entity_bytes && *entity_bytes) {
		const char *colon = strchr(entity_bytes, ':');
		char *end;
		if (!colon || colon == entity_bytes || !colon[1])
			return bad(err, errcap, 400, "entity-bytes must be FROM:TO");
		errno = 0;
		long long from = strtoll(entity_bytes, &end, 10);
		if (errno || end != colon || !(isdigit((unsigned char)entity_bytes[0]) || entity_bytes[0] == '-'))
			return bad(err, errcap, 400, "entity-bytes must be FROM:TO");
		long long to = INT64_MAX;
		if (strcmp(colon + 1, "*")) {
			errno = 0;
			to = strtoll(colon + 1, &end, 10);
			if (errno || *end || !(isdigit((unsigned char)colon[1]) || colon[1] == '-'))
				return bad(err, errcap, 400, "entity-bytes must be FROM:TO");
			if (from >= 0 && to >= 0 && to < from)
				return bad(err, errcap, 400, "entity-bytes ends before it starts");
		}
		out->has_entity_bytes = true;
		out->entity_from = from;
		out->entity_to = to;
	}
	return 200;
}
