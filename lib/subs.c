/*
 * subs.c: see subs.h. The one place the client side encodes the
 * subscription contract's ABI (contracts/subscription.h): calldata, views
 * over eth_call, sending and Payout logs, through book.h's contract client
 * (the same dry run, reasons and receipts as the market's).
 */
#include "lst.h"
#include "subs.h"
#include "abi.h"
#include "addr.h"
#include "book.h"
#include "diag.h"
#include "jsonio.h"
#include "subscription.h"

#define SIG_CREATE_CATEGORY "createCategory(string,uint256)"
#define SIG_ENROLL "enroll(bytes32,uint256)"
#define SIG_SUBSCRIBE "subscribe(uint256,uint256)"
#define SIG_CANCEL "cancel(uint256)"
#define SIG_SET_SERVER "setServer(address,bool)"
#define SIG_RECORD_PAGES "recordPages(bytes32,uint256,uint256[],bytes)"
#define SIG_SETTLE "settle(uint256,uint256)"
#define SIG_IS_MEMBER "isMember(uint256,address)"
#define SIG_MEMBERSHIP "membership(uint256,address)"
#define SIG_CATEGORY_COUNT "categoryCount()"
#define SIG_CATEGORY "category(uint256)"
#define SIG_CATEGORY_ID "categoryId(string)"
#define SIG_CATEGORY_OF "categoryOf(bytes32)"
#define SIG_PERIOD "period()"
#define SIG_SERVER_OWNER "serverOwner(address)"
#define SIG_POOL "pool(uint256,uint256)"
#define SIG_BOOKS_READ "booksRead(uint256,uint256,uint256,uint256)"
#define SIG_READER_PAGES "readerPages(address,bytes32,uint256)"
#define SIG_SETTLEMENT "settlement(uint256,uint256)"
#define EV_PAYOUT "Payout(bytes32,address,uint256,uint256,uint256,uint256)"
#define EV_CREATED "CategoryCreated(uint256,string,uint256)"
#define EV_SUBSCRIBED "Subscribed(uint256,address,uint256,uint256,uint256)"
#define EV_CANCELLED "Cancelled(uint256,address,uint256,uint256)"

/* The address itself, not contracts/subscription.c's symbol: the client links without the contract. */
static const uint8_t ADDRESS[20] = SUBSCRIPTION_ADDRESS_BYTES;
static const char *const SIGS[] = {SIG_CREATE_CATEGORY, SIG_ENROLL, SIG_SUBSCRIBE, SIG_CANCEL,
				   SIG_SET_SERVER, SIG_RECORD_PAGES, SIG_SETTLE};
static const book_contract SUBS = {ADDRESS, "the subscription contract", "no such category", SIGS,
				   ARRAY_SIZE(SIGS)};

/* ---- calldata ---- */

static int encode(buf *out, const char *sig, const abi_value *args, size_t n)
{
	if (abi_encode_call(out, sig, args, n) < 0)
		return diag_error(LST_EFAIL, "cannot encode the subscription contract's call '%s'", sig);
	return 0;
}

int subs_call_create_category(buf *out, const char *name, const u256 *fee)
{
	size_t n = strlen(name);
	if (n == 0 || n > SUB_NAME_MAX)
		return diag_error(LST_EINVALID, "a category name has 1 to %d bytes, not '%s'", SUB_NAME_MAX, name);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return diag_error(LST_EINVALID, "category name '%s' has a control character", name);
	if (u256_is_zero(fee))
		return diag_error(LST_EINVALID, "a category's fee must be positive");
	if (!u256_fits_u128(fee))
		return diag_error(LST_EINVALID, "a category's fee is below 2^128 Photons");
	abi_value a[2] = {abi_string(name), abi_u256(fee)};
	return encode(out, SIG_CREATE_CATEGORY, a, 2);
}

int subs_call_enroll(buf *out, const uint8_t book[32], uint64_t category)
{
	abi_value a[2] = {abi_fixed_bytes(book, 32), abi_u64(category)};
	return encode(out, SIG_ENROLL, a, 2);
}

int subs_call_subscribe(buf *out, uint64_t category, uint64_t months)
{
	if (months < 1 || months > SUB_MONTHS_MAX)
		return diag_error(LST_EINVALID, "months must be 1 to %d, not %llu", SUB_MONTHS_MAX,
				  (unsigned long long)months);
	abi_value a[2] = {abi_u64(category), abi_u64(months)};
	return encode(out, SIG_SUBSCRIBE, a, 2);
}

int subs_call_cancel(buf *out, uint64_t category)
{
	abi_value a = abi_u64(category);
	return encode(out, SIG_CANCEL, &a, 1);
}

int subs_call_set_server(buf *out, const uint8_t server[20], bool on)
{
	abi_value a[2] = {abi_address(server), abi_bool(on)};
	return encode(out, SIG_SET_SERVER, a, 2);
}

int subs_call_record_pages(buf *out, const uint8_t book[32], uint64_t period, const uint32_t *pages, size_t n,
			   const uint8_t receipt[65])
{
	if (n < 1 || n > SUB_PAGES_PER_CALL)
		return diag_error(LST_EINVALID, "1 to %d pages per record, not %zu", SUB_PAGES_PER_CALL, n);
	abi_value *items = xcalloc(n, sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i] = abi_u64(pages[i]);
	abi_value a[4] = {abi_fixed_bytes(book, 32), abi_u64(period), abi_array(items, n, false),
			  abi_bytes(receipt, 65)};
	int r = encode(out, SIG_RECORD_PAGES, a, 4);
	free(items);
	return r;
}

int subs_call_settle(buf *out, uint64_t category, uint64_t period)
{
	abi_value a[2] = {abi_u64(category), abi_u64(period)};
	return encode(out, SIG_SETTLE, a, 2);
}

int subs_send(json_t **receipt, const key_entry *e, const buf *calldata, const u256 *value, double timeout)
{
	return book_contract_send(receipt, &SUBS, e, calldata, value, timeout);
}

/* ---- views ---- */

/* A view that has no "not found" answer: 1 is reported as an error. */
static int view(abi_value *out, size_t want, const char *types, const char *sig, const abi_value *args,
		size_t nargs, const char *what)
{
	int r = book_contract_view(out, want, &SUBS, types, sig, args, nargs, what);
	if (r == 1)
		return diag_error(LST_ENOTFOUND, "no such category (reading %s)", what);
	return r;
}

/* Words of a decoded answer as uint64s; -1 (reported) if one is out of range, v freed either way. */
static int u64s(abi_value *v, size_t n, const char *what, uint64_t **outs, size_t nouts)
{
	int r = 0;
	for (size_t i = 0; i < nouts && r == 0; i++) {
		const abi_value *x = &v[n - nouts + i];
		if (!outs[i])
			continue;
		if (!u256_fits_u64(&x->u))
			r = diag_error(LST_EFAIL, "the subscription contract's answer about %s is out of range", what);
		else
			*outs[i] = x->u.w[0];
	}
	abi_free(v, n);
	return r;
}

void subs_category_free(subs_category *c)
{
	free(c->name);
	memset(c, 0, sizeof(*c));
}

int subs_category_get(subs_category *out, uint64_t id)
{
	char what[64];
	abi_value a = abi_u64(id), v[4];
	memset(out, 0, sizeof(*out));
	snprintf(what, sizeof(what), "category %llu", (unsigned long long)id);
	if (id == 0)
		return 1;
	int r = book_contract_view(v, 4, &SUBS, "string,uint256,uint256,uint256", SIG_CATEGORY, &a, 1, what);
	if (r)
		return r;
	out->id = id;
	out->fee = v[1].u;
	out->name = xmalloc(v[0].len + 1);
	memcpy(out->name, v[0].data, v[0].len);
	out->name[v[0].len] = 0;
	if (u64s(v, 4, what, (uint64_t *[]){&out->books, &out->members}, 2) < 0) {
		subs_category_free(out);
		return -1;
	}
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s || strlen(s) > 19)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int subs_category_find(subs_category *out, const char *name_or_id)
{
	uint64_t id = 0;
	memset(out, 0, sizeof(*out));
	if (all_digits(name_or_id)) {
		id = strtoull(name_or_id, NULL, 10);
	} else if (*name_or_id && strlen(name_or_id) <= SUB_NAME_MAX) {
		abi_value a = abi_string(name_or_id), v[1];
		char what[96];
		snprintf(what, sizeof(what), "category '%s'", name_or_id);
		if (view(v, 1, "uint256", SIG_CATEGORY_ID, &a, 1, what) < 0 || u64s(v, 1, what, (uint64_t *[]){&id}, 1) < 0)
			return -1;
	}
	int r = id ? subs_category_get(out, id) : 1;
	if (r == 1) {
		diag_error(LST_ENOTFOUND, "no category '%s'", name_or_id);
		diag_hint("'lst categories' lists them");
	}
	return r;
}

int subs_categories(subs_category **out, size_t *n)
{
	abi_value v[1];
	uint64_t count = 0;
	*out = NULL;
	*n = 0;
	if (view(v, 1, "uint256", SIG_CATEGORY_COUNT, NULL, 0, "the category count") < 0 ||
	    u64s(v, 1, "the category count", (uint64_t *[]){&count}, 1) < 0)
		return -1;
	subs_category *c = xcalloc(count ? count : 1, sizeof(*c));
	for (uint64_t i = 0; i < count; i++) {
		int r = subs_category_get(&c[i], i + 1);
		if (r != 0) {
			subs_categories_free(c, i);
			if (r == 1)
				return diag_error(LST_EFAIL, "category %llu of %llu is missing",
						  (unsigned long long)(i + 1), (unsigned long long)count);
			return -1;
		}
	}
	*out = c;
	*n = count;
	return 0;
}

void subs_categories_free(subs_category *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		subs_category_free(&c[i]);
	free(c);
}

int subs_period(uint64_t *current, uint64_t *start, uint64_t *end, uint64_t *len)
{
	abi_value v[4];
	if (view(v, 4, "uint256,uint256,uint256,uint256", SIG_PERIOD, NULL, 0, "the period") < 0)
		return -1;
	return u64s(v, 4, "the period", (uint64_t *[]){current, start, end, len}, 4);
}

/* A view of (category, reader) answering types into v[0..n); what set for messages. */
static int member_view(abi_value *v, size_t n, char what[96], const char *types, const char *sig, const char *thing,
		       uint64_t category, const uint8_t reader[20])
{
	char a[ADDR_STR];
	abi_value args[2] = {abi_u64(category), abi_address(reader)};
	addr_to_str(a, reader);
	snprintf(what, 96, "%s of '%s' in category %llu", thing, a, (unsigned long long)category);
	return view(v, n, types, sig, args, 2, what);
}

int subs_membership(uint64_t *from, uint64_t *until, uint64_t *ends_at, uint64_t category,
		    const uint8_t reader[20])
{
	char what[96];
	abi_value v[3];
	if (member_view(v, 3, what, "uint256,uint256,uint256", SIG_MEMBERSHIP, "the membership", category, reader) < 0)
		return -1;
	return u64s(v, 3, what, (uint64_t *[]){from, until, ends_at}, 3);
}

int subs_is_member(bool *yes, uint64_t category, const uint8_t reader[20])
{
	char what[96];
	abi_value v[1];
	*yes = false;
	if (member_view(v, 1, what, "bool", SIG_IS_MEMBER, "the membership", category, reader) < 0)
		return -1;
	*yes = v[0].b;
	abi_free(v, 1);
	return 0;
}

int subs_category_of(uint64_t *category, const uint8_t book[32])
{
	char what[96], id[67];
	abi_value a = abi_fixed_bytes(book, 32), v[1];
	book_id_str(id, book);
	snprintf(what, sizeof(what), "the category of '%s'", id);
	if (view(v, 1, "uint256", SIG_CATEGORY_OF, &a, 1, what) < 0)
		return -1;
	return u64s(v, 1, what, (uint64_t *[]){category}, 1);
}

int subs_server_owner(uint8_t owner[20], const uint8_t server[20])
{
	char what[96], a[ADDR_STR];
	abi_value arg = abi_address(server), v[1];
	addr_to_str(a, server);
	snprintf(what, sizeof(what), "the owner of server '%s'", a);
	if (view(v, 1, "address", SIG_SERVER_OWNER, &arg, 1, what) < 0)
		return -1;
	memcpy(owner, v[0].addr, 20);
	abi_free(v, 1);
	return 0;
}

/* A view of (category, period) answering types into v[0..n); what set for messages. */
static int period_view(abi_value *v, size_t n, char what[128], const char *types, const char *sig, const char *thing,
		       uint64_t category, uint64_t period)
{
	abi_value args[2] = {abi_u64(category), abi_u64(period)};
	snprintf(what, 128, "the %s of category %llu in period %llu", thing, (unsigned long long)category,
		 (unsigned long long)period);
	return view(v, n, types, sig, args, 2, what);
}

int subs_pool_get(subs_pool *out, uint64_t category, uint64_t period)
{
	char what[128];
	abi_value v[4];
	memset(out, 0, sizeof(*out));
	if (period_view(v, 4, what, "uint256,uint256,uint256,bool", SIG_POOL, "pool", category, period) < 0)
		return -1;
	out->pool = v[0].u;
	out->settled = v[3].b;
	/* u64s reads the last words: pages and books sit before the bool, so name them by hand. */
	if (!u256_fits_u64(&v[1].u) || !u256_fits_u64(&v[2].u)) {
		abi_free(v, 4);
		return diag_error(LST_EFAIL, "the subscription contract's answer about %s is out of range", what);
	}
	out->pages = v[1].u.w[0];
	out->books = v[2].u.w[0];
	abi_free(v, 4);
	return 0;
}

int subs_books_read(uint8_t (**books)[32], uint64_t **pages, size_t *n, uint64_t category, uint64_t period)
{
	char what[128];
	uint8_t(*b)[32] = NULL;
	uint64_t *p = NULL;
	size_t k = 0;
	*books = NULL;
	*pages = NULL;
	*n = 0;
	snprintf(what, sizeof(what), "the books read in category %llu in period %llu", (unsigned long long)category,
		 (unsigned long long)period);
	for (;;) {
		abi_value args[4] = {abi_u64(category), abi_u64(period), abi_u64(k), abi_u64(SUB_BOOKS_READ_LIMIT)};
		abi_value v[2];
		if (view(v, 2, "bytes32[],uint256[]", SIG_BOOKS_READ, args, 4, what) < 0)
			goto fail;
		size_t got = v[0].n;
		if (v[1].n != got || got > SUB_BOOKS_READ_LIMIT) {
			abi_free(v, 2);
			diag_error(LST_EFAIL, "the subscription contract's answer about %s is malformed", what);
			goto fail;
		}
		b = xrealloc(b, (k + got + 1) * sizeof(*b));
		p = xrealloc(p, (k + got + 1) * sizeof(*p));
		for (size_t i = 0; i < got; i++) {
			memcpy(b[k + i], v[0].items[i].fixed, 32);
			if (!u256_fits_u64(&v[1].items[i].u)) {
				abi_free(v, 2);
				diag_error(LST_EFAIL, "the subscription contract's answer about %s is out of range", what);
				goto fail;
			}
			p[k + i] = v[1].items[i].u.w[0];
		}
		abi_free(v, 2);
		k += got;
		if (got < SUB_BOOKS_READ_LIMIT)
			break;
	}
	*books = b;
	*pages = p;
	*n = k;
	return 0;
fail:
	free(b);
	free(p);
	return -1;
}

int subs_reader_pages(uint64_t *counted, uint64_t *recorded, const uint8_t reader[20], const uint8_t book[32],
		      uint64_t period)
{
	char what[160], a[ADDR_STR], id[67];
	abi_value args[3] = {abi_address(reader), abi_fixed_bytes(book, 32), abi_u64(period)}, v[2];
	addr_to_str(a, reader);
	book_id_str(id, book);
	snprintf(what, sizeof(what), "the pages '%s' read of '%s'", a, id);
	if (view(v, 2, "uint256,uint256", SIG_READER_PAGES, args, 3, what) < 0)
		return -1;
	return u64s(v, 2, what, (uint64_t *[]){counted, recorded}, 2);
}

int subs_settlement_get(subs_settlement *out, uint64_t category, uint64_t period)
{
	char what[128];
	abi_value v[5];
	memset(out, 0, sizeof(*out));
	if (period_view(v, 5, what, "bool,uint256,uint256,uint256,uint256", SIG_SETTLEMENT, "settlement", category,
			period) < 0)
		return -1;
	out->settled = v[0].b;
	out->fee = v[1].u;
	out->remainder = v[2].u;
	out->paid = v[3].u;
	return u64s(v, 5, what, (uint64_t *[]){&out->height}, 1);
}

/* ---- events ---- */

static int parse_payout(void *item, json_t *log)
{
	subs_payout *p = item;
	static const uint8_t zero[12];
	uint8_t w[3][32], *data = NULL;
	size_t dlen = 0;
	u256 x[3];
	if (book_contract_log(w, 3, &data, &dlen, &p->height, p->tx, &SUBS, EV_PAYOUT, log) < 0)
		return -1;
	int r = dlen == 96 && !memcmp(w[1], zero, 12) && u256_from_be(&x[0], data, 32) == 0 &&
			u256_from_be(&x[1], data + 32, 32) == 0 && u256_from_be(&x[2], data + 64, 32) == 0 &&
			u256_fits_u64(&x[0]) && u256_fits_u64(&x[1])
		? 0
		: -1;
	free(data);
	u256 period;
	if (r < 0 || u256_from_be(&period, w[2], 32) < 0 || !u256_fits_u64(&period))
		return -1;
	memcpy(p->book, w[0], 32);
	memcpy(p->author, w[1] + 12, 20);
	p->period = period.w[0];
	p->category = x[0].w[0];
	p->pages = x[1].w[0];
	p->amount = x[2];
	return 0;
}

int subs_payouts(subs_payout **out, size_t *n, const uint8_t *author, const uint64_t *period)
{
	uint8_t t[3][32] = {{0}};
	bool have[3] = {false, author != NULL, period != NULL};
	if (author)
		abi_address_word(t[1], author);
	if (period) {
		u256 k = u256_from_u64(*period);
		u256_to_be32(t[2], &k);
	}
	void *items = NULL;
	int r = book_contract_events(&items, n, sizeof(**out), &SUBS, EV_PAYOUT, t, have, 3, parse_payout);
	*out = items;
	return r;
}

/*
 * The first log of event (nindexed topics after topic 0) in receipt,
 * decoded: its data as types into v[0..n) (abi_free them), its first
 * indexed word into first. 0 or -1 (reported).
 */
static int receipt_log(abi_value *v, size_t n, uint8_t first[32], json_t *receipt, const char *event,
		       size_t nindexed, const char *types)
{
	uint8_t w[3][32], tx[32], *data;
	size_t dlen, got = 0, i;
	uint64_t height;
	json_t *log;
	const char *h = jsonio_get_str(receipt, "transactionHash");
	json_array_foreach(json_object_get(receipt, "logs"), i, log) {
		if (book_contract_log(w, nindexed, &data, &dlen, &height, tx, &SUBS, event, log) < 0)
			continue;
		int r = abi_decode(v, n, &got, types, data, dlen) == 0 && got == n ? 0 : -1;
		free(data);
		if (r < 0) {
			if (got)
				abi_free(v, got);
			break;
		}
		memcpy(first, w[0], 32);
		return 0;
	}
	return diag_error(LST_EFAIL, "the receipt of transaction '%s' has no well-formed %.*s log", h ? h : "?",
			  (int)strcspn(event, "("), event);
}

static int word_u64(uint64_t *out, const uint8_t w[32])
{
	u256 x;
	if (u256_from_be(&x, w, 32) < 0 || !u256_fits_u64(&x))
		return diag_error(LST_EFAIL, "a number in the subscription contract's log is out of range");
	*out = x.w[0];
	return 0;
}

int subs_receipt_created(uint64_t *id, json_t *receipt)
{
	abi_value v[2];
	uint8_t w[32];
	if (receipt_log(v, 2, w, receipt, EV_CREATED, 1, "string,uint256") < 0)
		return -1;
	abi_free(v, 2);
	return word_u64(id, w);
}

int subs_receipt_subscribed(uint64_t *from, uint64_t *until, u256 *paid, json_t *receipt)
{
	abi_value v[3];
	uint8_t w[32];
	if (receipt_log(v, 3, w, receipt, EV_SUBSCRIBED, 2, "uint256,uint256,uint256") < 0)
		return -1;
	*paid = v[2].u;
	return u64s(v, 3, "a subscription", (uint64_t *[]){from, until, NULL}, 3);
}

int subs_receipt_cancelled(uint64_t *until, u256 *refund, json_t *receipt)
{
	abi_value v[2];
	uint8_t w[32];
	if (receipt_log(v, 2, w, receipt, EV_CANCELLED, 2, "uint256,uint256") < 0)
		return -1;
	*refund = v[1].u;
	return u64s(v, 2, "a cancellation", (uint64_t *[]){until, NULL}, 2);
}
