/* state.c: see state.h. */
#include "lst.h"
#include "state.h"
#include "diag.h"

#include <sqlite3.h>

enum {
	Q_GET_ACCOUNT, Q_PUT_ACCOUNT, Q_STORAGE_GET, Q_STORAGE_PUT, Q_META_GET, Q_META_PUT,
	Q_HEAD, Q_BLOCK, Q_BLOCK_HASH, Q_BLOCK_COMMIT, Q_PUT_BLOCK, Q_PUT_TX, Q_GET_TX, Q_BLOCK_TXS,
	Q_PUT_LOG, Q_TX_LOGS, Q_ACCOUNT_COUNT, Q_SET_COMMIT, Q_BLOCK_SKIPPED, Q_VALSET_GET, Q_VALSET_PUT, Q_COUNT
};

#define BLOCK_COLS "height, hash, chain_id, time, parent, tx_root, app_hash, validators_hash, proposer, ntx, gas_used, last_commit_hash"
/* txs.id is height << 32 | index: rows go in in order; hashes are a separate index. */
#define TX_COLS "hash, id >> 32, id & 4294967295, sender, recipient, nonce, status, gas_used, raw, ret"
#define LOG_COLS "l.height, l.tx_idx, l.log_idx, l.tx_hash, b.hash, l.address, l.topic0, l.topic1, l.topic2, l.topic3, l.data"

static const char *const sql[Q_COUNT] = {
	[Q_GET_ACCOUNT] = "SELECT balance, nonce FROM accounts WHERE address = ?",
	[Q_PUT_ACCOUNT] = "INSERT INTO accounts(address, balance, nonce) VALUES (?, ?, ?) "
			  "ON CONFLICT(address) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce",
	[Q_STORAGE_GET] = "SELECT value FROM storage WHERE contract = ? AND key = ?",
	[Q_STORAGE_PUT] = "INSERT INTO storage(contract, key, value) VALUES (?, ?, ?) "
			  "ON CONFLICT(contract, key) DO UPDATE SET value = excluded.value",
	[Q_META_GET] = "SELECT v FROM meta WHERE k = ?",
	[Q_META_PUT] = "INSERT INTO meta(k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
	[Q_HEAD] = "SELECT " BLOCK_COLS " FROM blocks ORDER BY height DESC LIMIT 1",
	[Q_BLOCK] = "SELECT " BLOCK_COLS " FROM blocks WHERE height = ?",
	[Q_BLOCK_HASH] = "SELECT " BLOCK_COLS " FROM blocks WHERE hash = ?",
	[Q_BLOCK_COMMIT] = "SELECT commit_ FROM blocks WHERE height = ?",
	[Q_PUT_BLOCK] = "INSERT INTO blocks(" BLOCK_COLS ", commit_, skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_SET_COMMIT] = "UPDATE blocks SET commit_ = ? WHERE height = ?",
	[Q_BLOCK_SKIPPED] = "SELECT skipped FROM blocks WHERE height = ?",
	[Q_VALSET_GET] = "SELECT height, data FROM valsets WHERE height <= ? ORDER BY height DESC LIMIT 1",
	[Q_VALSET_PUT] = "INSERT INTO valsets(height, data) VALUES (?, ?) "
			 "ON CONFLICT(height) DO UPDATE SET data = excluded.data",
	[Q_PUT_TX] = "INSERT INTO txs(hash, id, sender, recipient, nonce, status, gas_used, raw, ret) "
		     "VALUES (?, (?2 << 32) | ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[Q_GET_TX] = "SELECT " TX_COLS " FROM txs WHERE hash = ?",
	[Q_BLOCK_TXS] = "SELECT " TX_COLS " FROM txs WHERE id BETWEEN ?1 << 32 AND (?1 << 32) | 4294967295 ORDER BY id",
	[Q_PUT_LOG] = "INSERT INTO logs(height, tx_idx, log_idx, tx_hash, address, topic0, topic1, topic2, topic3, data) "
		      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_TX_LOGS] = "SELECT " LOG_COLS " FROM logs l JOIN blocks b ON b.height = l.height "
		      "WHERE l.height = ? AND l.tx_idx = ? ORDER BY l.log_idx",
	[Q_ACCOUNT_COUNT] = "SELECT count(*) FROM accounts",
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS accounts(address BLOB PRIMARY KEY, balance BLOB NOT NULL,"
	" nonce INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS storage(contract BLOB, key BLOB, value BLOB,"
	" PRIMARY KEY(contract, key)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS blocks(height INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
	" chain_id INTEGER, time INTEGER, parent BLOB, tx_root BLOB, app_hash BLOB, validators_hash BLOB,"
	" proposer BLOB, ntx INTEGER, gas_used INTEGER, last_commit_hash BLOB, commit_ BLOB, skipped BLOB);"
	"CREATE TABLE IF NOT EXISTS valsets(height INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS txs(id INTEGER PRIMARY KEY, hash BLOB NOT NULL,"
	" sender BLOB, recipient BLOB, nonce INTEGER, status INTEGER, gas_used INTEGER, raw BLOB, ret BLOB);"
	"CREATE UNIQUE INDEX IF NOT EXISTS txs_hash ON txs(hash);"
	"CREATE TABLE IF NOT EXISTS logs(id INTEGER PRIMARY KEY, height INTEGER, tx_idx INTEGER,"
	" log_idx INTEGER, tx_hash BLOB, address BLOB, topic0 BLOB, topic1 BLOB, topic2 BLOB, topic3 BLOB,"
	" data BLOB);"
	"CREATE INDEX IF NOT EXISTS logs_height ON logs(height);"
	"CREATE INDEX IF NOT EXISTS logs_address ON logs(address, height);"
	"CREATE INDEX IF NOT EXISTS logs_topic0 ON logs(topic0, height);";

struct state {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	char *path;
};

static int dberr(state *s, const char *what)
{
	return diag_error(LST_EFAIL, "chain database '%s': %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

int state_open(state **out, const char *path, bool write)
{
	state *s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		diag_error(write ? LST_EFAIL : LST_ENOTFOUND, "cannot open the chain database '%s': %s", path,
			   s->db ? sqlite3_errmsg(s->db) : "out of memory");
		state_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	const char *pragmas = write ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;"
				      "PRAGMA cache_size=-131072;"
				    : "PRAGMA cache_size=-16384;";
	if (sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) != SQLITE_OK ||
	    (write && sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK)) {
		dberr(s, "setting up");
		state_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void state_close(state *s)
{
	if (!s)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

static sqlite3_stmt *stmt(state *s, int id)
{
	if (!s->q[id] && sqlite3_prepare_v3(s->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->q[id], NULL) != SQLITE_OK) {
		dberr(s, "preparing a query");
		return NULL;
	}
	sqlite3_reset(s->q[id]);
	sqlite3_clear_bindings(s->q[id]);
	return s->q[id];
}

static int exec(state *s, const char *q)
{
	if (sqlite3_exec(s->db, q, NULL, NULL, NULL) != SQLITE_OK)
		return dberr(s, q);
	return 0;
}

int state_begin(state *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

int state_commit(state *s)
{
	return exec(s, "COMMIT");
}

void state_rollback(state *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int state_savepoint(state *s)
{
	return exec(s, "SAVEPOINT call");
}

int state_release(state *s)
{
	return exec(s, "RELEASE call");
}

void state_rollback_to(state *s)
{
	sqlite3_exec(s->db, "ROLLBACK TO call; RELEASE call", NULL, NULL, NULL);
}

/* Steps a write statement to completion. */
static int done(state *s, sqlite3_stmt *q, const char *what)
{
	int r = sqlite3_step(q);
	sqlite3_reset(q);
	if (r != SQLITE_DONE)
		return dberr(s, what);
	return 0;
}

static void blob(sqlite3_stmt *q, int i, const void *p, size_t n)
{
	sqlite3_bind_blob(q, i, p, (int)n, SQLITE_STATIC);
}

static void col_copy(uint8_t *out, sqlite3_stmt *q, int i, size_t n)
{
	const void *p = sqlite3_column_blob(q, i);
	size_t len = (size_t)sqlite3_column_bytes(q, i);
	memset(out, 0, n);
	if (p)
		memcpy(out, p, len < n ? len : n);
}

int state_get_account(state *s, account *out, const uint8_t a[20])
{
	sqlite3_stmt *q = stmt(s, Q_GET_ACCOUNT);
	if (!q)
		return -1;
	blob(q, 1, a, 20);
	int r = sqlite3_step(q);
	out->balance = u256_from_u64(0);
	out->nonce = 0;
	if (r == SQLITE_ROW) {
		const uint8_t *b = sqlite3_column_blob(q, 0);
		size_t n = (size_t)sqlite3_column_bytes(q, 0);
		if (!b || n > 32 || u256_from_be(&out->balance, b, n) < 0) {
			sqlite3_reset(q);
			return diag_error(LST_EFAIL, "chain database: damaged balance");
		}
		out->nonce = (uint64_t)sqlite3_column_int64(q, 1);
	} else if (r != SQLITE_DONE) {
		sqlite3_reset(q);
		return dberr(s, "reading an account");
	}
	sqlite3_reset(q);
	return 0;
}

int state_put_account(state *s, const uint8_t a[20], const account *acc)
{
	sqlite3_stmt *q = stmt(s, Q_PUT_ACCOUNT);
	uint8_t be[32];
	if (!q)
		return -1;
	u256_to_be32(be, &acc->balance);
	blob(q, 1, a, 20);
	blob(q, 2, be + 16, 16);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)acc->nonce);
	return done(s, q, "writing an account");
}

static int get_blob(state *s, int id, buf *out, const char *what)
{
	sqlite3_stmt *q = s->q[id];
	int r = sqlite3_step(q);
	if (r == SQLITE_ROW) {
		buf_reset(out);
		buf_add(out, sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0));
		sqlite3_reset(q);
		return 0;
	}
	sqlite3_reset(q);
	return r == SQLITE_DONE ? 1 : dberr(s, what);
}

int state_storage_get(state *s, buf *out, const uint8_t contract[20], const uint8_t *key, size_t klen)
{
	sqlite3_stmt *q = stmt(s, Q_STORAGE_GET);
	if (!q)
		return -1;
	blob(q, 1, contract, 20);
	blob(q, 2, key, klen);
	int r = get_blob(s, Q_STORAGE_GET, out, "reading storage");
	/* contract.h: an empty value deletes the key, so absent and empty read the same. */
	return r == 0 && !out->len ? 1 : r;
}

int state_storage_put(state *s, const uint8_t contract[20], const uint8_t *key, size_t klen,
		      const uint8_t *val, size_t vlen)
{
	sqlite3_stmt *q = stmt(s, Q_STORAGE_PUT);
	if (!q)
		return -1;
	blob(q, 1, contract, 20);
	blob(q, 2, key, klen);
	blob(q, 3, val ? val : (const uint8_t *)"", vlen);
	return done(s, q, "writing storage");
}

int state_meta_get(state *s, buf *out, const char *key)
{
	sqlite3_stmt *q = stmt(s, Q_META_GET);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	return get_blob(s, Q_META_GET, out, "reading meta");
}

int state_meta_put(state *s, const char *key, const uint8_t *val, size_t len)
{
	sqlite3_stmt *q = stmt(s, Q_META_PUT);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	blob(q, 2, val, len);
	return done(s, q, "writing meta");
}

int state_account_count(state *s, uint64_t *out)
{
	sqlite3_stmt *q = stmt(s, Q_ACCOUNT_COUNT);
	if (!q)
		return -1;
	int r = sqlite3_step(q);
	*out = r == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return r == SQLITE_ROW ? 0 : dberr(s, "counting accounts");
}

static void read_block(block_info *b, sqlite3_stmt *q)
{
	memset(b, 0, sizeof(*b));
	b->h.height = (uint64_t)sqlite3_column_int64(q, 0);
	col_copy(b->hash, q, 1, 32);
	b->h.chain_id = (uint64_t)sqlite3_column_int64(q, 2);
	b->h.time = (uint64_t)sqlite3_column_int64(q, 3);
	col_copy(b->h.parent, q, 4, 32);
	col_copy(b->h.tx_root, q, 5, 32);
	col_copy(b->h.app_hash, q, 6, 32);
	col_copy(b->h.validators_hash, q, 7, 32);
	col_copy(b->h.proposer, q, 8, 20);
	b->ntx = (uint64_t)sqlite3_column_int64(q, 9);
	b->gas_used = (uint64_t)sqlite3_column_int64(q, 10);
	col_copy(b->h.last_commit_hash, q, 11, 32);
}

static int one_block(state *s, int id, block_info *out)
{
	sqlite3_stmt *q = s->q[id];
	int r = sqlite3_step(q);
	if (r == SQLITE_ROW)
		read_block(out, q);
	sqlite3_reset(q);
	if (r == SQLITE_ROW)
		return 0;
	return r == SQLITE_DONE ? 1 : dberr(s, "reading a block");
}

int state_head(state *s, block_info *out)
{
	return stmt(s, Q_HEAD) ? one_block(s, Q_HEAD, out) : -1;
}

int state_block(state *s, block_info *out, uint64_t height)
{
	sqlite3_stmt *q = stmt(s, Q_BLOCK);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)height);
	return one_block(s, Q_BLOCK, out);
}

int state_block_by_hash(state *s, block_info *out, const uint8_t hash[32])
{
	sqlite3_stmt *q = stmt(s, Q_BLOCK_HASH);
	if (!q)
		return -1;
	blob(q, 1, hash, 32);
	return one_block(s, Q_BLOCK_HASH, out);
}

int state_block_commit(state *s, buf *out, uint64_t height)
{
	sqlite3_stmt *q = stmt(s, Q_BLOCK_COMMIT);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)height);
	return get_blob(s, Q_BLOCK_COMMIT, out, "reading a commit");
}

int state_set_commit(state *s, uint64_t height, const uint8_t *commit_bytes, size_t commit_len)
{
	sqlite3_stmt *q = stmt(s, Q_SET_COMMIT);
	if (!q)
		return -1;
	blob(q, 1, commit_bytes, commit_len);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)height);
	return done(s, q, "writing a commit");
}

int state_block_skipped(state *s, buf *out, uint64_t height)
{
	sqlite3_stmt *q = stmt(s, Q_BLOCK_SKIPPED);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)height);
	return get_blob(s, Q_BLOCK_SKIPPED, out, "reading a block");
}

int state_valset_get(state *s, uint64_t *from, buf *out, uint64_t height)
{
	sqlite3_stmt *q = stmt(s, Q_VALSET_GET);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)height);
	int r = sqlite3_step(q);
	if (r == SQLITE_ROW) {
		*from = (uint64_t)sqlite3_column_int64(q, 0);
		buf_reset(out);
		buf_add(out, sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1));
	}
	sqlite3_reset(q);
	if (r == SQLITE_ROW)
		return 0;
	return r == SQLITE_DONE ? 1 : dberr(s, "reading a validator set");
}

int state_valset_put(state *s, uint64_t height, const uint8_t *data, size_t len)
{
	sqlite3_stmt *q = stmt(s, Q_VALSET_PUT);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)height);
	blob(q, 2, data, len);
	return done(s, q, "writing a validator set");
}

int state_put_block(state *s, const block_info *b, const uint8_t *commit_bytes, size_t commit_len,
		    const uint8_t *skipped, size_t skipped_len)
{
	sqlite3_stmt *q = stmt(s, Q_PUT_BLOCK);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)b->h.height);
	blob(q, 2, b->hash, 32);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)b->h.chain_id);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)b->h.time);
	blob(q, 5, b->h.parent, 32);
	blob(q, 6, b->h.tx_root, 32);
	blob(q, 7, b->h.app_hash, 32);
	blob(q, 8, b->h.validators_hash, 32);
	blob(q, 9, b->h.proposer, 20);
	sqlite3_bind_int64(q, 10, (sqlite3_int64)b->ntx);
	sqlite3_bind_int64(q, 11, (sqlite3_int64)b->gas_used);
	blob(q, 12, b->h.last_commit_hash, 32);
	if (commit_bytes)
		blob(q, 13, commit_bytes, commit_len);
	if (skipped)
		blob(q, 14, skipped, skipped_len);
	return done(s, q, "writing a block");
}

void tx_row_free(tx_row *t)
{
	buf_free(&t->raw);
	buf_free(&t->ret);
}

int state_put_tx(state *s, const tx_row *t)
{
	sqlite3_stmt *q = stmt(s, Q_PUT_TX);
	if (!q)
		return -1;
	blob(q, 1, t->hash, 32);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)t->height);
	sqlite3_bind_int64(q, 3, t->idx);
	blob(q, 4, t->from, 20);
	if (t->has_to)
		blob(q, 5, t->to, 20);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)t->nonce);
	sqlite3_bind_int(q, 7, t->status);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)t->gas_used);
	blob(q, 9, t->raw.p ? t->raw.p : (const uint8_t *)"", t->raw.len);
	blob(q, 10, t->ret.p ? t->ret.p : (const uint8_t *)"", t->ret.len);
	return done(s, q, "writing a transaction");
}

static void read_tx(tx_row *t, sqlite3_stmt *q)
{
	memset(t, 0, sizeof(*t));
	col_copy(t->hash, q, 0, 32);
	t->height = (uint64_t)sqlite3_column_int64(q, 1);
	t->idx = (uint32_t)sqlite3_column_int64(q, 2);
	col_copy(t->from, q, 3, 20);
	t->has_to = sqlite3_column_type(q, 4) != SQLITE_NULL;
	if (t->has_to)
		col_copy(t->to, q, 4, 20);
	t->nonce = (uint64_t)sqlite3_column_int64(q, 5);
	t->status = sqlite3_column_int(q, 6);
	t->gas_used = (uint64_t)sqlite3_column_int64(q, 7);
	buf_add(&t->raw, sqlite3_column_blob(q, 8), (size_t)sqlite3_column_bytes(q, 8));
	buf_add(&t->ret, sqlite3_column_blob(q, 9), (size_t)sqlite3_column_bytes(q, 9));
}

int state_get_tx(state *s, tx_row *out, const uint8_t hash[32])
{
	sqlite3_stmt *q = stmt(s, Q_GET_TX);
	if (!q)
		return -1;
	blob(q, 1, hash, 32);
	int r = sqlite3_step(q);
	if (r == SQLITE_ROW)
		read_tx(out, q);
	sqlite3_reset(q);
	if (r == SQLITE_ROW)
		return 0;
	return r == SQLITE_DONE ? 1 : dberr(s, "reading a transaction");
}

int state_block_txs(state *s, tx_row **rows, size_t *n, uint64_t height)
{
	sqlite3_stmt *q = stmt(s, Q_BLOCK_TXS);
	int r;
	*rows = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)height);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		*rows = xrealloc(*rows, (*n + 1) * sizeof(**rows));
		read_tx(&(*rows)[(*n)++], q);
	}
	sqlite3_reset(q);
	return r == SQLITE_DONE ? 0 : dberr(s, "reading a block's transactions");
}

void log_rows_free(log_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_free(&rows[i].data);
	free(rows);
}

int state_put_log(state *s, const log_row *l)
{
	sqlite3_stmt *q = stmt(s, Q_PUT_LOG);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)l->height);
	sqlite3_bind_int64(q, 2, l->tx_idx);
	sqlite3_bind_int64(q, 3, l->log_idx);
	blob(q, 4, l->tx_hash, 32);
	blob(q, 5, l->address, 20);
	for (int i = 0; i < 4; i++)
		if (i < l->ntopics)
			blob(q, 6 + i, l->topics[i], 32);
	blob(q, 10, l->data.p ? l->data.p : (const uint8_t *)"", l->data.len);
	return done(s, q, "writing a log");
}

static void read_log(log_row *l, sqlite3_stmt *q)
{
	memset(l, 0, sizeof(*l));
	l->height = (uint64_t)sqlite3_column_int64(q, 0);
	l->tx_idx = (uint32_t)sqlite3_column_int64(q, 1);
	l->log_idx = (uint32_t)sqlite3_column_int64(q, 2);
	col_copy(l->tx_hash, q, 3, 32);
	col_copy(l->block_hash, q, 4, 32);
	col_copy(l->address, q, 5, 20);
	for (int i = 0; i < 4; i++) {
		if (sqlite3_column_type(q, 6 + i) == SQLITE_NULL)
			break;
		col_copy(l->topics[i], q, 6 + i, 32);
		l->ntopics = i + 1;
	}
	buf_add(&l->data, sqlite3_column_blob(q, 10), (size_t)sqlite3_column_bytes(q, 10));
}

static int collect_logs(state *s, sqlite3_stmt *q, log_row **rows, size_t *n, size_t limit)
{
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if (limit && *n >= limit) {
			log_rows_free(*rows, *n);
			*rows = NULL;
			*n = 0;
			return diag_error(LST_EINVALID, "query returned more than %zu logs: narrow the block range",
					  limit);
		}
		*rows = xrealloc(*rows, (*n + 1) * sizeof(**rows));
		read_log(&(*rows)[(*n)++], q);
	}
	return r == SQLITE_DONE ? 0 : dberr(s, "reading logs");
}

int state_tx_logs(state *s, log_row **rows, size_t *n, uint64_t height, uint32_t tx_idx)
{
	sqlite3_stmt *q = stmt(s, Q_TX_LOGS);
	*rows = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)height);
	sqlite3_bind_int64(q, 2, tx_idx);
	int r = collect_logs(s, q, rows, n, 0);
	sqlite3_reset(q);
	return r;
}

static void add_in(buf *q, const char *col, size_t n)
{
	buf_addf(q, " AND %s IN (", col);
	for (size_t i = 0; i < n; i++)
		buf_adds(q, i ? ",?" : "?");
	buf_adds(q, ")");
}

int state_logs(state *s, log_row **rows, size_t *n, const log_filter *f)
{
	buf text = BUF_INIT;
	*rows = NULL;
	*n = 0;
	buf_adds(&text, "SELECT " LOG_COLS " FROM logs l JOIN blocks b ON b.height = l.height"
			" WHERE l.height BETWEEN ? AND ?");
	if (f->naddresses)
		add_in(&text, "l.address", f->naddresses);
	static const char *const cols[4] = {"l.topic0", "l.topic1", "l.topic2", "l.topic3"};
	for (int i = 0; i < 4; i++)
		if (f->ntopics[i])
			add_in(&text, cols[i], f->ntopics[i]);
	buf_adds(&text, " ORDER BY l.height, l.tx_idx, l.log_idx");
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, (const char *)text.p, -1, &q, NULL) != SQLITE_OK) {
		buf_free(&text);
		return dberr(s, "preparing a log query");
	}
	buf_free(&text);
	int k = 1;
	sqlite3_bind_int64(q, k++, (sqlite3_int64)f->from);
	sqlite3_bind_int64(q, k++, (sqlite3_int64)(f->to > INT64_MAX ? INT64_MAX : f->to));
	for (size_t i = 0; i < f->naddresses; i++)
		blob(q, k++, f->addresses[i], 20);
	for (int t = 0; t < 4; t++)
		for (size_t i = 0; i < f->ntopics[t]; i++)
			blob(q, k++, f->topics[t][i], 32);
	int r = collect_logs(s, q, rows, n, f->limit);
	sqlite3_finalize(q);
	return r;
}
