/*
 * neighbours.c — the articles nearest each article by text, as clustering
 * found them. One row per article holds its neighbours packed, closest
 * first (schema.c, migration 6): storing an article's eight neighbours and
 * the way back is a row or two instead of sixteen, and a related list reads
 * one row.
 */
#include "common.h"

#include "base/log.h"
#include "store/internal.h"
#include "store/stories.h"

/*
 * An entry: the neighbour's id (8 bytes) and the score (an IEEE double, 8
 * bytes), both little-endian. A row keeps the NEIGHBOURS_KEPT closest.
 */
enum { ENTRY_BYTES = 16 };

struct entry {
	int64_t id;
	double score;
};

static void
put_u64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Closest first; between equal scores the newer (higher id) first. */
static int
entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->id > b->id ? -1 : a->id < b->id;
}

/* Sorts, keeps the closest NEIGHBOURS_KEPT and packs them into out
 * (room for NEIGHBOURS_KEPT entries); returns the bytes written. */
static size_t
pack(struct entry *v, size_t n, unsigned char *out)
{
	size_t i;

	qsort(v, n, sizeof(*v), entry_cmp);
	n = MIN(n, (size_t)NEIGHBOURS_KEPT);
	for (i = 0; i < n; i++) {
		uint64_t bits;

		memcpy(&bits, &v[i].score, sizeof(bits));
		put_u64(out + i * ENTRY_BYTES, (uint64_t)v[i].id);
		put_u64(out + i * ENTRY_BYTES + 8, bits);
	}
	return n * ENTRY_BYTES;
}

/* Unpacks at most max entries of a row, in its order. */
static size_t
unpack(const unsigned char *blob, size_t len, struct entry *out, size_t max)
{
	size_t n = MIN(len / ENTRY_BYTES, max), i;

	for (i = 0; i < n; i++) {
		uint64_t bits = get_u64(blob + i * ENTRY_BYTES + 8);

		out[i].id = (int64_t)get_u64(blob + i * ENTRY_BYTES);
		memcpy(&out[i].score, &bits, sizeof(bits));
	}
	return n;
}

/* The entries of an article's row into v (room for NEIGHBOURS_KEPT);
 * *exists says whether it has a row. */
static enum status
load(struct store *s, int64_t article_id, struct entry *v, size_t *n,
     bool *exists)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT neighbours FROM"
					 " article_neighbours"
					 " WHERE article_id = ?");
	int step;

	*n = 0;
	*exists = false;
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, article_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*exists = true;
		*n = unpack(sqlite3_column_blob(st, 0),
			    (size_t)sqlite3_column_bytes(st, 0), v,
			    NEIGHBOURS_KEPT);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_fail(s, "neighbours");
	return ST_OK;
}

/*
 * Writes an article's row. An UPDATE of the packed column (not a key, no
 * foreign key) and a one-row INSERT open no statement journal, at which
 * the search index would write its pending terms out.
 */
static enum status
save(struct store *s, int64_t article_id, struct entry *v, size_t n,
     bool exists)
{
	unsigned char blob[NEIGHBOURS_KEPT * ENTRY_BYTES];
	size_t len = pack(v, n, blob);
	enum status rc;

	if (s->tx_first_new && article_id >= s->tx_first_new)
		s->tx_new_neighbours = true;
	for (;;) {
		sqlite3_stmt *st =
			exists ? store_stmt(s, "UPDATE article_neighbours"
					       " SET neighbours = ?2"
					       " WHERE article_id = ?1")
			       : store_stmt(s, "INSERT INTO article_neighbours"
					       " (article_id, neighbours)"
					       " VALUES (?1, ?2)");

		if (!st)
			return ST_DB;
		sqlite3_bind_int64(st, 1, article_id);
		sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_TRANSIENT);
		rc = store_step_done(s, st, "neighbours");
		/* Not looked for (a new article's), a row can still be there:
		 * one left by an article deleted without its cascade (foreign
		 * keys off, as in the sqlite3 shell) whose id came back. It is
		 * written over. */
		if (rc != ST_EXISTS || exists)
			return rc;
		exists = true;
	}
}

/* Adds rows[0..n) (all of one article) to its row; pairs it already has
 * keep their score. With is_new, the article has no row yet. */
static enum status
put_one(struct store *s, const struct store_neighbour *rows, size_t n,
	bool is_new)
{
	int64_t article_id = rows[0].article_id;
	struct entry *v = xmallocarray(NEIGHBOURS_KEPT + n, sizeof(*v));
	size_t have = 0, kept, i, j;
	bool exists = false;
	enum status rc = ST_OK;

	if (!is_new)
		rc = load(s, article_id, v, &have, &exists);
	if (rc)
		goto out;
	kept = have;
	for (i = 0; i < n; i++) {
		if (rows[i].neighbour_id == article_id)
			continue;
		for (j = 0; j < kept && v[j].id != rows[i].neighbour_id; j++)
			;
		if (j < kept)
			continue;
		v[kept].id = rows[i].neighbour_id;
		v[kept++].score = rows[i].score;
	}
	if (kept > have)
		rc = save(s, article_id, v, kept, exists);
out:
	free(v);
	return rc;
}

enum status
store_neighbours_put(struct store *s, const struct store_neighbour *rows,
		     size_t n)
{
	/* The articles of this transaction have no row of their own until
	 * a call writes one; each article's rows come together, so one call
	 * writes each row once. */
	int64_t first_new =
		s->tx_new_neighbours || sqlite3_get_autocommit(s->db)
			? 0
			: s->tx_first_new;
	enum status rc = ST_OK;
	size_t i = 0;

	while (!rc && i < n) {
		size_t j = i + 1;

		while (j < n && rows[j].article_id == rows[i].article_id)
			j++;
		rc = put_one(s, rows + i, j - i,
			     first_new && rows[i].article_id >= first_new);
		i = j;
	}
	return rc;
}

enum status
store_neighbours_add(struct store *s, int64_t article_id, int64_t neighbour_id,
		     double score)
{
	struct store_neighbour there = {article_id, neighbour_id, score},
			       back = {neighbour_id, article_id, score};
	enum status rc;

	if (article_id == neighbour_id)
		return ST_OK;
	rc = put_one(s, &there, 1, false);
	return rc ? rc : put_one(s, &back, 1, false);
}

enum status
store_neighbour_ids(struct store *s, int64_t article_id, int64_t *ids,
		    size_t max, size_t *n)
{
	struct entry v[NEIGHBOURS_KEPT];
	size_t got = 0, i;
	bool exists;
	enum status rc;

	rc = load(s, article_id, v, &got, &exists);
	got = MIN(got, max);
	for (i = 0; !rc && i < got; i++)
		ids[i] = v[i].id;
	*n = rc ? 0 : got;
	return rc;
}

static int
id_cmp(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

enum status
store_neighbours_forget_since(struct store *s, int64_t since)
{
	static const char ids_sql[] =
		"SELECT id FROM articles WHERE published_at >= ? ORDER BY id";
	int64_t *recent = NULL, *changed_ids = NULL;
	unsigned char **changed = NULL;
	size_t *changed_len = NULL, n_recent = 0, alloc = 0, n_changed = 0, i;
	sqlite3_stmt *st;
	enum status rc = ST_OK;
	int step;

	/* Their own rows go. */
	st = store_stmt(s,
			"DELETE FROM article_neighbours WHERE article_id IN"
			" (SELECT id FROM articles WHERE published_at >= ?)");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, since);
	rc = store_step_done(s, st, "forget neighbours");
	if (rc)
		return rc;
	/* And they leave the rows of older articles. */
	st = store_stmt(s, ids_sql);
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, since);
	rc = store_collect_ids(s, st, &recent, &n_recent);
	if (rc || !n_recent) {
		free(recent);
		return rc;
	}
	st = store_stmt(s, "SELECT article_id, neighbours"
			   " FROM article_neighbours");
	if (!st) {
		free(recent);
		return ST_DB;
	}
	alloc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct entry v[NEIGHBOURS_KEPT];
		size_t got = unpack(sqlite3_column_blob(st, 1),
				    (size_t)sqlite3_column_bytes(st, 1), v,
				    NEIGHBOURS_KEPT),
		       kept = 0, k;

		for (k = 0; k < got; k++)
			if (!bsearch(&v[k].id, recent, n_recent,
				     sizeof(*recent), id_cmp))
				v[kept++] = v[k];
		if (kept == got)
			continue;
		if (n_changed == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			changed_ids = xreallocarray(changed_ids, alloc,
						    sizeof(*changed_ids));
			changed =
				xreallocarray(changed, alloc, sizeof(*changed));
			changed_len = xreallocarray(changed_len, alloc,
						    sizeof(*changed_len));
		}
		changed_ids[n_changed] = sqlite3_column_int64(st, 0);
		changed[n_changed] = xmalloc(NEIGHBOURS_KEPT * ENTRY_BYTES);
		changed_len[n_changed] = pack(v, kept, changed[n_changed]);
		n_changed++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		rc = store_fail(s, "forget neighbours");
	for (i = 0; !rc && i < n_changed; i++) {
		st = store_stmt(s, "UPDATE article_neighbours SET neighbours"
				   " = ?2 WHERE article_id = ?1");
		if (!st) {
			rc = ST_DB;
			break;
		}
		sqlite3_bind_int64(st, 1, changed_ids[i]);
		sqlite3_bind_blob(st, 2, changed[i], (int)changed_len[i],
				  SQLITE_STATIC);
		rc = store_step_done(s, st, "forget neighbours");
	}
	for (i = 0; i < n_changed; i++)
		free(changed[i]);
	free(changed);
	free(changed_len);
	free(changed_ids);
	free(recent);
	return rc;
}

/* ---- neighbours_pack(neighbour_id, score): the migration's aggregate ---- */

struct pack_state {
	struct entry *v;
	size_t n, alloc;
};

static void
pack_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct pack_state *p = sqlite3_aggregate_context(ctx, sizeof(*p));

	(void)argc;
	if (!p)
		return;
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 16;
		p->v = xreallocarray(p->v, p->alloc, sizeof(*p->v));
	}
	p->v[p->n].id = sqlite3_value_int64(argv[0]);
	p->v[p->n++].score = sqlite3_value_double(argv[1]);
}

static void
pack_final(sqlite3_context *ctx)
{
	struct pack_state *p = sqlite3_aggregate_context(ctx, 0);
	unsigned char blob[NEIGHBOURS_KEPT * ENTRY_BYTES];

	if (!p || !p->n) {
		sqlite3_result_zeroblob(ctx, 0);
		return;
	}
	sqlite3_result_blob(ctx, blob, (int)pack(p->v, p->n, blob),
			    SQLITE_TRANSIENT);
	free(p->v);
}

enum status
store_neighbours_init(struct store *s)
{
	if (sqlite3_create_function(s->db, "neighbours_pack", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    NULL, pack_step, pack_final) != SQLITE_OK)
		return store_fail(s, "neighbours_pack");
	return ST_OK;
}
