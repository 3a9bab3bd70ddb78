/* statement.c: see statement.h. */
#include "lst.h"
#include "statement.h"
#include "addr.h"
#include "amount.h"
#include "diag.h"
#include "hex.h"
#include "jsonio.h"
#include "publish.h"
#include "settle.h"
#include "subscription.h"

#include <time.h>

/* ---- small helpers ---- */

static json_t *dec(const u256 *a)
{
	char s[U256_DEC_MAX];
	u256_to_dec(s, a);
	return json_string(s);
}

static json_t *addr_json(const uint8_t a[20])
{
	char s[ADDR_STR];
	addr_to_str(s, a);
	return json_string(s);
}

static json_t *book_json(const uint8_t b[32])
{
	char s[67];
	book_id_str(s, b);
	return json_string(s);
}

static int add(u256 *sum, const u256 *a)
{
	if (u256_add(sum, sum, a) < 0)
		return diag_error(LST_EFAIL, "a total is out of range");
	return 0;
}

/* "0.250000": millionths as a decimal fraction. */
static void share_str(char out[32], uint64_t ppm)
{
	snprintf(out, 32, "%llu.%06llu", (unsigned long long)(ppm / 1000000), (unsigned long long)(ppm % 1000000));
}

/* At most width bytes of s, cut at a UTF-8 character boundary, into out. */
static const char *clip(char *out, size_t cap, const char *s, size_t width)
{
	size_t n = strlen(s);
	if (n > width) {
		n = width;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = 0;
	return out;
}

/* A time in UTC, to the second on networks of short periods (len seconds; 0 months). */
static const char *utc(char out[32], uint64_t t, uint64_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, len ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, 32, "%llu", (unsigned long long)t);
	return out;
}

static const char *lst(char out[128], const u256 *photons)
{
	amount_format(out, 128, photons);
	return out;
}

/* ---- titles of books, each asked once ---- */

struct statement_titles {
	uint8_t (*book)[32];
	uint8_t (*author)[20];
	char **title;
	size_t n;
};

static void titles_free(struct statement_titles *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->title[i]);
	free(t->book);
	free(t->author);
	free(t->title);
	free(t);
}

/* The title (and author) of book: 0, or -1 (reported). */
static int title_of(const char **title, uint8_t *author, struct statement_titles *t, const uint8_t book[32])
{
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(t->book[i], book, 32)) {
			*title = t->title[i];
			if (author)
				memcpy(author, t->author[i], 20);
			return 0;
		}
	book_info b;
	int g = book_get(&b, book);
	if (g < 0)
		return -1;
	if (g == 1) {
		char id[67];
		book_id_str(id, book);
		return diag_error(LST_EFAIL, "the chain paid for book '%s', which the market does not know", id);
	}
	t->book = xrealloc(t->book, (t->n + 1) * sizeof(*t->book));
	t->author = xrealloc(t->author, (t->n + 1) * sizeof(*t->author));
	t->title = xrealloc(t->title, (t->n + 1) * sizeof(*t->title));
	memcpy(t->book[t->n], book, 32);
	memcpy(t->author[t->n], b.author, 20);
	t->title[t->n] = xstrdup(b.title);
	book_info_free(&b);
	*title = t->title[t->n];
	if (author)
		memcpy(author, t->author[t->n], 20);
	t->n++;
	return 0;
}

/* ---- the statement ---- */

static int author_cmp(const void *pa, const void *pb)
{
	const statement_author *a = pa, *b = pb;
	int c = u256_cmp(&b->total, &a->total);
	return c ? c : memcmp(a->author, b->author, 20);
}

static int tally_authors(statement *s)
{
	s->authors = xcalloc(s->nbooks ? s->nbooks : 1, sizeof(*s->authors));
	for (size_t i = 0; i < s->nbooks; i++) {
		const statement_book *b = &s->books[i];
		size_t k = 0;
		while (k < s->nauthors && memcmp(s->authors[k].author, b->author, 20))
			k++;
		statement_author *a = &s->authors[k];
		if (k == s->nauthors) {
			memcpy(a->author, b->author, 20);
			s->nauthors++;
		}
		a->books++;
		a->pages += b->pages;
		if (add(&a->total, &b->payout) < 0)
			return -1;
	}
	qsort(s->authors, s->nauthors, sizeof(*s->authors), author_cmp);
	return 0;
}

static int disagree(const statement *s, const char *why, const uint8_t *book)
{
	char id[67] = "";
	if (book)
		book_id_str(id, book);
	diag_error(LST_EFAIL, "the settlement of '%s' for period %s disagrees with its counts: %s%s%s", s->category_name,
		   s->label, why, book ? " " : "", id);
	diag_hint("the node may be faulty: ask another node with --rpc");
	return -1;
}

/* A settled period: the Payout logs and the settlement record must be the split. */
static int check_settled(statement *s)
{
	subs_settlement st;
	if (subs_settlement_get(&st, s->category, s->period) < 0)
		return -1;
	if (!st.settled)
		return disagree(s, "the pool is settled and the settlement record is not", NULL);
	if (u256_cmp(&st.fee, &s->fee) || u256_cmp(&st.remainder, &s->remainder) || u256_cmp(&st.paid, &s->paid))
		return disagree(s, "the recorded fee, remainder or payouts are not the split of the pool", NULL);
	s->height = st.height;
	subs_payout *logs = NULL;
	size_t nl = 0;
	if (subs_payouts(&logs, &nl, NULL, &s->period) < 0)
		return -1;
	bool *seen = xcalloc(s->nbooks ? s->nbooks : 1, sizeof(*seen));
	int r = 0;
	u256 logged = u256_from_u64(0);
	for (size_t j = 0; j < nl && r == 0; j++) {
		const subs_payout *l = &logs[j];
		if (l->category != s->category || l->period != s->period)
			continue;
		size_t i = 0;
		while (i < s->nbooks && memcmp(s->books[i].book, l->book, 32))
			i++;
		if (i == s->nbooks)
			r = disagree(s, "a Payout to a book not read in the period:", l->book);
		else if (seen[i])
			r = disagree(s, "two Payouts to one book:", l->book);
		else if (l->pages != s->books[i].pages || u256_cmp(&l->amount, &s->books[i].payout))
			r = disagree(s, "a Payout of other pages or another amount than the split, to", l->book);
		else if (memcmp(l->author, s->books[i].author, 20))
			r = disagree(s, "a Payout to someone other than the market's author of", l->book);
		else if (u256_add(&logged, &logged, &l->amount) < 0)
			r = disagree(s, "the Payouts overflow", NULL);
		if (r == 0) {
			seen[i] = true;
			if (!s->height)
				s->height = l->height;
		}
	}
	for (size_t i = 0; i < s->nbooks && r == 0; i++)
		if (!seen[i] && !u256_is_zero(&s->books[i].payout))
			r = disagree(s, "no Payout to", s->books[i].book);
	if (r == 0 && u256_cmp(&logged, &s->paid))
		r = disagree(s, "the Payouts do not add up to what was paid", NULL);
	free(seen);
	free(logs);
	return r;
}

/* The split of the pool over the books read: the projection. 0 or -1 (reported). */
static int project(statement *s)
{
	uint8_t(*books)[32] = NULL;
	uint64_t *pages = NULL;
	size_t n = 0;
	if (subs_books_read(&books, &pages, &n, s->category, s->period) < 0)
		return -1;
	u256 *pay = xcalloc(n ? n : 1, sizeof(*pay));
	int r = 0;
	if (settle_split(pay, &s->fee, &s->remainder, &s->pool, s->service_fee_bps, pages, n) < 0)
		r = diag_error(LST_EFAIL, "the pool of '%s' for period %s cannot be split (out of range)",
			       s->category_name, s->label);
	s->books = xcalloc(n ? n : 1, sizeof(*s->books));
	struct statement_titles t = {0};
	for (size_t i = 0; i < n && r == 0; i++) {
		statement_book *b = &s->books[i];
		const char *title;
		memcpy(b->book, books[i], 32);
		if ((r = title_of(&title, b->author, &t, books[i])) < 0)
			break;
		b->title = xstrdup(title);
		b->pages = pages[i];
		b->payout = pay[i];
		s->nbooks++;
		s->pages += pages[i];
		r = add(&s->paid, &pay[i]);
	}
	for (size_t i = 0; i < s->nbooks; i++)
		s->books[i].share = s->pages ? s->books[i].pages * 1000000 / s->pages : 0;
	for (size_t i = 0; i < t.n; i++)
		free(t.title[i]);
	free(t.book);
	free(t.author);
	free(t.title);
	free(pay);
	free(books);
	free(pages);
	return r;
}

int statement_get(statement *out, uint64_t category, uint64_t period)
{
	memset(out, 0, sizeof(*out));
	subs_category c;
	int g = subs_category_get(&c, category);
	if (g == 1)
		return diag_error(LST_ENOTFOUND, "no category '%llu'", (unsigned long long)category);
	if (g < 0)
		return -1;
	out->category = category;
	out->category_name = c.name;
	c.name = NULL;
	subs_category_free(&c);
	uint64_t cur, start, end, len;
	subs_pool pool = {0};
	u256 listing;
	int r = subs_period(&cur, &start, &end, &len);
	if (r == 0) {
		out->period = period;
		out->period_len = len;
		sub_period_label(out->label, sizeof(out->label), len, period);
		out->start = sub_period_start(len, period);
		out->end = sub_period_start(len, period + 1);
		out->ended = period < cur;
		r = subs_pool_get(&pool, category, period);
	}
	if (r == 0) {
		out->pool = pool.pool;
		out->settled = pool.settled;
		r = book_fees(&out->service_fee_bps, &listing, out->foundation);
	}
	if (r == 0)
		r = project(out);
	if (r == 0 && (pool.books != out->nbooks || pool.pages != out->pages))
		r = disagree(out, "the pool's count of books or pages is not the sum of the books read", NULL);
	if (r == 0 && out->settled)
		r = check_settled(out);
	if (r == 0)
		r = tally_authors(out);
	if (r < 0)
		statement_free(out);
	return r;
}

void statement_free(statement *s)
{
	for (size_t i = 0; i < s->nbooks; i++)
		free(s->books[i].title);
	free(s->books);
	free(s->authors);
	free(s->category_name);
	memset(s, 0, sizeof(*s));
}

json_t *statement_json(const statement *s)
{
	json_t *books = json_array(), *authors = json_array();
	for (size_t i = 0; i < s->nbooks; i++) {
		const statement_book *b = &s->books[i];
		char share[32];
		share_str(share, b->share);
		json_array_append_new(books, jsonio_obj("book", book_json(b->book), "title", jsonio_str(b->title),
							"author", addr_json(b->author), "pages",
							json_integer((json_int_t)b->pages), "share", json_string(share),
							"payout", dec(&b->payout), NULL));
	}
	for (size_t i = 0; i < s->nauthors; i++) {
		const statement_author *a = &s->authors[i];
		json_array_append_new(authors, jsonio_obj("author", addr_json(a->author), "books",
							  json_integer((json_int_t)a->books), "pages",
							  json_integer((json_int_t)a->pages), "total", dec(&a->total), NULL));
	}
	u256 fnd = s->fee;
	if (u256_add(&fnd, &fnd, &s->remainder) < 0)
		fnd = s->pool; /* cannot happen: fee + remainder is at most the pool */
	return jsonio_obj("category", json_integer((json_int_t)s->category), "category_name",
			  jsonio_str(s->category_name), "period", json_integer((json_int_t)s->period), "label",
			  json_string(s->label), "start", json_integer((json_int_t)s->start), "end",
			  json_integer((json_int_t)s->end), "ended", json_boolean(s->ended), "settled",
			  json_boolean(s->settled), "height", json_integer((json_int_t)s->height), "service_fee_bps",
			  json_integer((json_int_t)s->service_fee_bps), "foundation", addr_json(s->foundation), "pool",
			  dec(&s->pool), "fee", dec(&s->fee), "remainder", dec(&s->remainder), "paid", dec(&s->paid),
			  "foundation_receives", dec(&fnd), "pages", json_integer((json_int_t)s->pages), "books", books,
			  "authors", authors, NULL);
}

void statement_print(FILE *f, const statement *s)
{
	char a[128], b[128], t1[32], t2[32], who[ADDR_STR], title[64];
	fprintf(f, "category   %s (%llu)\n", s->category_name, (unsigned long long)s->category);
	fprintf(f, "period     %s, %s to %s\n", s->label, utc(t1, s->start, s->period_len),
		utc(t2, s->end, s->period_len));
	if (s->settled)
		fprintf(f, "status     settled at block %llu\n", (unsigned long long)s->height);
	else if (s->ended)
		fprintf(f, "status     ended, not settled yet: a projection (lst-settle period settles it)\n");
	else
		fprintf(f, "status     open until %s: a projection of the pages read so far\n",
			utc(t1, s->end, s->period_len));
	addr_to_str(who, s->foundation);
	fprintf(f, "pool       %s\n", lst(a, &s->pool));
	fprintf(f, "fee        %s (%llu.%02llu%%) to the foundation %s\n", lst(a, &s->fee),
		(unsigned long long)(s->service_fee_bps / 100), (unsigned long long)(s->service_fee_bps % 100), who);
	fprintf(f, "remainder  %s to the foundation\n", lst(a, &s->remainder));
	fprintf(f, "paid       %s to %zu author%s for %zu book%s, %llu page%s\n", lst(b, &s->paid), s->nauthors,
		s->nauthors == 1 ? "" : "s", s->nbooks, s->nbooks == 1 ? "" : "s", (unsigned long long)s->pages,
		s->pages == 1 ? "" : "s");
	if (!s->nbooks) {
		fprintf(f, "\n%s: the pool less the fee goes to the foundation\n",
			s->ended ? "no pages were read" : "no pages read so far; if none are");
		return;
	}
	fprintf(f, "\n%-12s  %-24s  %-42s  %6s  %8s  %s\n", "BOOK", "TITLE", "AUTHOR", "PAGES", "SHARE", "PAYOUT");
	for (size_t i = 0; i < s->nbooks; i++) {
		const statement_book *bk = &s->books[i];
		char id[67], pct[32];
		book_id_str(id, bk->book);
		id[12] = 0;
		addr_to_str(who, bk->author);
		snprintf(pct, sizeof(pct), "%llu.%02llu%%", (unsigned long long)(bk->share / 10000),
			 (unsigned long long)(bk->share / 100 % 100));
		fprintf(f, "%-12s  %-24s  %-42s  %6llu  %8s  %s\n", id, clip(title, sizeof(title), bk->title, 24), who,
			(unsigned long long)bk->pages, pct, lst(a, &bk->payout));
	}
	fprintf(f, "\n%-42s  %5s  %6s  %s\n", "AUTHOR", "BOOKS", "PAGES", "TOTAL");
	for (size_t i = 0; i < s->nauthors; i++) {
		const statement_author *au = &s->authors[i];
		addr_to_str(who, au->author);
		fprintf(f, "%-42s  %5llu  %6llu  %s\n", who, (unsigned long long)au->books, (unsigned long long)au->pages,
			lst(a, &au->total));
	}
}

/* ---- earnings ---- */

typedef struct {
	uint64_t *height, *time;
	size_t n;
} time_cache;

/* A block's time, each height asked once (logs come oldest first: appended in order). */
static int block_time(uint64_t *out, time_cache *c, uint64_t height)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->height[mid] < height)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->n && c->height[lo] == height) {
		*out = c->time[lo];
		return 0;
	}
	if (publish_block_time(out, height) < 0)
		return -1;
	c->height = xrealloc(c->height, (c->n + 1) * sizeof(*c->height));
	c->time = xrealloc(c->time, (c->n + 1) * sizeof(*c->time));
	memmove(c->height + lo + 1, c->height + lo, (c->n - lo) * sizeof(*c->height));
	memmove(c->time + lo + 1, c->time + lo, (c->n - lo) * sizeof(*c->time));
	c->height[lo] = height;
	c->time[lo] = *out;
	c->n++;
	return 0;
}

/* The row of period k, made in order when new. */
static earnings_period *period_row(earnings *e, uint64_t k)
{
	size_t i = 0;
	while (i < e->nperiods && e->periods[i].period < k)
		i++;
	if (i < e->nperiods && e->periods[i].period == k)
		return &e->periods[i];
	e->periods = xrealloc(e->periods, (e->nperiods + 1) * sizeof(*e->periods));
	memmove(e->periods + i + 1, e->periods + i, (e->nperiods - i) * sizeof(*e->periods));
	e->nperiods++;
	earnings_period *p = &e->periods[i];
	memset(p, 0, sizeof(*p));
	p->period = k;
	sub_period_label(p->label, sizeof(p->label), e->period_len, k);
	return p;
}

static int earn_sales(earnings *e)
{
	book_purchase *p = NULL;
	size_t n = 0;
	if (book_purchases(&p, &n, NULL, NULL, e->address) < 0)
		return -1;
	e->sales = xcalloc(n ? n : 1, sizeof(*e->sales));
	time_cache tc = {NULL, NULL, 0};
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		earnings_sale *s = &e->sales[i];
		s->p = p[i];
		if (u256_sub(&s->earned, &p[i].price, &p[i].fee) < 0)
			r = diag_error(LST_EFAIL, "the market logged a fee above the price");
		if (r == 0)
			r = title_of(&s->title, NULL, e->titles, p[i].book);
		if (r == 0)
			r = block_time(&s->time, &tc, p[i].height);
		if (r < 0)
			break;
		s->period = sub_period_of(e->period_len, s->time);
		earnings_period *row = period_row(e, s->period);
		row->sales++;
		e->nsales++;
		if ((r = add(&row->direct, &s->earned)) == 0 && (r = add(&row->total, &s->earned)) == 0 &&
		    (r = add(&e->direct, &s->earned)) == 0)
			r = add(&e->total, &s->earned);
	}
	free(tc.height);
	free(tc.time);
	free(p);
	return r;
}

static int earn_payouts(earnings *e)
{
	subs_payout *p = NULL;
	size_t n = 0;
	if (subs_payouts(&p, &n, e->address, NULL) < 0)
		return -1;
	e->payouts = xcalloc(n ? n : 1, sizeof(*e->payouts));
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		earnings_payout *o = &e->payouts[i];
		o->p = p[i];
		if ((r = title_of(&o->title, NULL, e->titles, p[i].book)) < 0)
			break;
		earnings_period *row = period_row(e, p[i].period);
		row->payouts++;
		row->pages += p[i].pages;
		e->npayouts++;
		if ((r = add(&row->subscription, &p[i].amount)) == 0 && (r = add(&row->total, &p[i].amount)) == 0 &&
		    (r = add(&e->subscription, &p[i].amount)) == 0)
			r = add(&e->total, &p[i].amount);
	}
	free(p);
	return r;
}

int earnings_get(earnings *out, const uint8_t address[20])
{
	memset(out, 0, sizeof(*out));
	memcpy(out->address, address, 20);
	out->titles = xcalloc(1, sizeof(*out->titles));
	uint64_t cur, start, end;
	int r = subs_period(&cur, &start, &end, &out->period_len);
	if (r == 0)
		r = earn_sales(out);
	if (r == 0)
		r = earn_payouts(out);
	if (r < 0)
		earnings_free(out);
	return r;
}

void earnings_free(earnings *e)
{
	free(e->sales);
	free(e->payouts);
	free(e->periods);
	titles_free(e->titles);
	memset(e, 0, sizeof(*e));
}

json_t *earnings_json(const earnings *e)
{
	json_t *periods = json_array(), *sales = json_array(), *payouts = json_array();
	char tx[67], label[32];
	for (size_t i = 0; i < e->nperiods; i++) {
		const earnings_period *p = &e->periods[i];
		json_array_append_new(periods, jsonio_obj("period", json_integer((json_int_t)p->period), "label",
							  json_string(p->label), "sales",
							  json_integer((json_int_t)p->sales), "direct", dec(&p->direct),
							  "payouts", json_integer((json_int_t)p->payouts), "pages",
							  json_integer((json_int_t)p->pages), "subscription",
							  dec(&p->subscription), "total", dec(&p->total), NULL));
	}
	for (size_t i = 0; i < e->nsales; i++) {
		const earnings_sale *s = &e->sales[i];
		tx[0] = '0';
		tx[1] = 'x';
		hex_encode(tx + 2, s->p.tx, 32);
		sub_period_label(label, sizeof(label), e->period_len, s->period);
		json_array_append_new(sales, jsonio_obj("book", book_json(s->p.book), "title", jsonio_str(s->title),
							"buyer", addr_json(s->p.buyer), "price", dec(&s->p.price), "fee",
							dec(&s->p.fee), "earned", dec(&s->earned), "height",
							json_integer((json_int_t)s->p.height), "time",
							json_integer((json_int_t)s->time), "period",
							json_integer((json_int_t)s->period), "label", json_string(label),
							"tx", json_string(tx), NULL));
	}
	for (size_t i = 0; i < e->npayouts; i++) {
		const earnings_payout *o = &e->payouts[i];
		tx[0] = '0';
		tx[1] = 'x';
		hex_encode(tx + 2, o->p.tx, 32);
		sub_period_label(label, sizeof(label), e->period_len, o->p.period);
		json_array_append_new(payouts, jsonio_obj("book", book_json(o->p.book), "title", jsonio_str(o->title),
							  "category", json_integer((json_int_t)o->p.category), "period",
							  json_integer((json_int_t)o->p.period), "label",
							  json_string(label), "pages", json_integer((json_int_t)o->p.pages),
							  "amount", dec(&o->p.amount), "height",
							  json_integer((json_int_t)o->p.height), "tx", json_string(tx), NULL));
	}
	return jsonio_obj("address", addr_json(e->address), "period_length", json_integer((json_int_t)e->period_len),
			  "direct", dec(&e->direct), "subscription", dec(&e->subscription), "total", dec(&e->total),
			  "periods", periods, "sales", sales, "payouts", payouts, NULL);
}

void earnings_print(FILE *f, const earnings *e)
{
	char who[ADDR_STR], a[128], b[128], c[128], title[64];
	addr_to_str(who, e->address);
	fprintf(f, "earnings of %s\n", who);
	if (!e->nperiods) {
		fprintf(f, "no sales and no subscription payouts yet\n");
		return;
	}
	fprintf(f, "\n%-10s  %5s  %22s  %6s  %22s  %22s\n", "PERIOD", "SALES", "DIRECT", "PAGES", "SUBSCRIPTION",
		"TOTAL");
	uint64_t sales = 0, pages = 0;
	for (size_t i = 0; i < e->nperiods; i++) {
		const earnings_period *p = &e->periods[i];
		sales += p->sales;
		pages += p->pages;
		fprintf(f, "%-10s  %5llu  %22s  %6llu  %22s  %22s\n", p->label, (unsigned long long)p->sales,
			lst(a, &p->direct), (unsigned long long)p->pages, lst(b, &p->subscription), lst(c, &p->total));
	}
	fprintf(f, "%-10s  %5llu  %22s  %6llu  %22s  %22s\n", "total", (unsigned long long)sales, lst(a, &e->direct),
		(unsigned long long)pages, lst(b, &e->subscription), lst(c, &e->total));
	if (e->nsales) {
		fprintf(f, "\n%-10s  %-24s  %-42s  %s\n", "SOLD IN", "TITLE", "BUYER", "EARNED");
		for (size_t i = 0; i < e->nsales; i++) {
			const earnings_sale *s = &e->sales[i];
			char label[32];
			sub_period_label(label, sizeof(label), e->period_len, s->period);
			addr_to_str(who, s->p.buyer);
			fprintf(f, "%-10s  %-24s  %-42s  %s\n", label, clip(title, sizeof(title), s->title, 24), who,
				lst(a, &s->earned));
		}
	}
	if (e->npayouts) {
		fprintf(f, "\n%-10s  %-24s  %8s  %6s  %s\n", "PAID FOR", "TITLE", "CATEGORY", "PAGES", "PAYOUT");
		for (size_t i = 0; i < e->npayouts; i++) {
			const earnings_payout *o = &e->payouts[i];
			char label[32];
			sub_period_label(label, sizeof(label), e->period_len, o->p.period);
			fprintf(f, "%-10s  %-24s  %8llu  %6llu  %s\n", label, clip(title, sizeof(title), o->title, 24),
				(unsigned long long)o->p.category, (unsigned long long)o->p.pages, lst(a, &o->p.amount));
		}
	}
}
