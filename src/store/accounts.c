/*
 * accounts.c — SQL of the account module (see accounts.h).
 */
#include "common.h"

#include "base/log.h"
#include "store/accounts.h"
#include "store/internal.h"

/* ---- Helpers ------------------------------------------------------------- */

/* Steps a single-row query: ST_OK with a row, ST_NOTFOUND without. */
static enum status
step_row(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return ST_OK;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return ST_NOTFOUND;
	return store_fail(s, what);
}

static void
bind_hash(sqlite3_stmt *st, int idx, const unsigned char *hash)
{
	sqlite3_bind_blob(st, idx, hash, STORE_TOKEN_HASH, SQLITE_STATIC);
}

/* Grows an array of items of size size to hold one more. */
static void *
grow(void *items, size_t count, size_t *cap, size_t size)
{
	if (count < *cap)
		return items;
	*cap = *cap ? *cap * 2 : 8;
	return xreallocarray(items, *cap, size);
}

bool
store_is_writer(const struct store *s)
{
	return s && s->mode == STORE_WRITE;
}

/* ---- Users --------------------------------------------------------------- */

void
user_release(struct user *u)
{
	if (!u)
		return;
	free(u->email);
	free(u->password_hash);
	free(u->display_name);
	free(u->role);
	free(u->publisher_slug);
	memset(u, 0, sizeof(*u));
}

void
user_list_release(struct user_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		user_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

#define USER_COLUMNS                                                           \
	"u.id, u.email, u.password_hash, u.display_name, u.role,"              \
	" u.publisher_id, u.onboarded, u.created_at, p.slug"                   \
	" FROM users u LEFT JOIN publishers p ON p.id = u.publisher_id"

static void
read_user(sqlite3_stmt *st, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	u->email = col_text(st, 1);
	u->password_hash = col_text(st, 2);
	u->display_name = col_text(st, 3);
	u->role = col_text(st, 4);
	u->publisher_id = sqlite3_column_int64(st, 5);
	u->onboarded = sqlite3_column_int(st, 6) != 0;
	u->created_at = sqlite3_column_int64(st, 7);
	u->publisher_slug = col_text(st, 8);
}

enum status
store_user_add(struct store *s, struct user *u)
{
	static const char sql[] =
		"INSERT INTO users (email, password_hash, display_name, role,"
		" publisher_id, onboarded, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!st)
		return ST_DB;
	bind_text(st, 1, u->email);
	bind_text(st, 2, u->password_hash);
	bind_text(st, 3, u->display_name);
	bind_text(st, 4, u->role ? u->role : "member");
	bind_int(st, 5, u->publisher_id, true);
	sqlite3_bind_int(st, 6, u->onboarded);
	sqlite3_bind_int64(st, 7, u->created_at);
	rc = store_step_done(s, st, "adding user");
	if (!rc)
		u->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static enum status
user_one(struct store *s, const char *sql, int64_t id, const char *email,
	 struct user *out)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!st)
		return ST_DB;
	if (email)
		bind_text(st, 1, email);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = step_row(s, st, "reading user");
	if (rc)
		return rc;
	read_user(st, out);
	sqlite3_reset(st);
	return ST_OK;
}

enum status
store_user_get(struct store *s, int64_t id, struct user *out)
{
	static const char sql[] = "SELECT " USER_COLUMNS " WHERE u.id = ?";

	return user_one(s, sql, id, NULL, out);
}

enum status
store_user_by_email(struct store *s, const char *email, struct user *out)
{
	static const char sql[] = "SELECT " USER_COLUMNS " WHERE u.email = ?";

	if (!email)
		return ST_NOTFOUND;
	return user_one(s, sql, 0, email, out);
}

enum status
store_user_list(struct store *s, struct user_list *out)
{
	static const char sql[] = "SELECT " USER_COLUMNS " ORDER BY u.id";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct user_list l = {0};
	size_t cap = 0;
	int rc;

	if (!st)
		return ST_DB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l.items = grow(l.items, l.count, &cap, sizeof(*l.items));
		read_user(st, &l.items[l.count++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		user_list_release(&l);
		return store_fail(s, "listing users");
	}
	*out = l;
	return ST_OK;
}

/* Runs an UPDATE or DELETE; ST_NOTFOUND when it touched no row. */
static enum status
change_rows(struct store *s, sqlite3_stmt *st, const char *what)
{
	enum status rc = store_step_done(s, st, what);

	if (!rc && sqlite3_changes(s->db) == 0)
		return ST_NOTFOUND;
	return rc;
}

enum status
store_user_set_password(struct store *s, int64_t id, const char *hash)
{
	sqlite3_stmt *st = store_stmt(
		s, "UPDATE users SET password_hash = ? WHERE id = ?");

	if (!st)
		return ST_DB;
	bind_text(st, 1, hash);
	sqlite3_bind_int64(st, 2, id);
	return change_rows(s, st, "setting password");
}

enum status
store_user_set_role(struct store *s, int64_t id, const char *role,
		    int64_t publisher_id)
{
	sqlite3_stmt *st = store_stmt(s, "UPDATE users SET role = ?,"
					 " publisher_id = ? WHERE id = ?");

	if (!st)
		return ST_DB;
	bind_text(st, 1, role);
	bind_int(st, 2, publisher_id, true);
	sqlite3_bind_int64(st, 3, id);
	return change_rows(s, st, "setting role");
}

enum status
store_user_set_onboarded(struct store *s, int64_t id, bool onboarded)
{
	sqlite3_stmt *st =
		store_stmt(s, "UPDATE users SET onboarded = ? WHERE id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int(st, 1, onboarded);
	sqlite3_bind_int64(st, 2, id);
	return change_rows(s, st, "setting onboarded");
}

enum status
store_user_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, "DELETE FROM users WHERE id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	return change_rows(s, st, "deleting user");
}

/* ---- Sessions ------------------------------------------------------------ */

void
store_session_release(struct store_session *ss)
{
	if (!ss)
		return;
	free(ss->csrf_token);
	free(ss->user_agent);
	free(ss->address);
	memset(ss, 0, sizeof(*ss));
}

void
store_session_list_release(struct store_session_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		store_session_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

#define SESSION_COLUMNS                                                        \
	"id, user_id, csrf_token, created_at, last_seen_at, expires_at,"       \
	" user_agent, address FROM sessions"

static void
read_session(sqlite3_stmt *st, struct store_session *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->id = sqlite3_column_int64(st, 0);
	ss->user_id = sqlite3_column_int64(st, 1);
	ss->csrf_token = col_text(st, 2);
	ss->created_at = sqlite3_column_int64(st, 3);
	ss->last_seen_at = sqlite3_column_int64(st, 4);
	ss->expires_at = sqlite3_column_int64(st, 5);
	ss->user_agent = col_text(st, 6);
	ss->address = col_text(st, 7);
}

enum status
store_session_add(struct store *s, const unsigned char hash[STORE_TOKEN_HASH],
		  struct store_session *ss)
{
	static const char sql[] =
		"INSERT INTO sessions (user_id, token_hash, csrf_token,"
		" created_at, last_seen_at, expires_at, user_agent, address)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, ss->user_id);
	bind_hash(st, 2, hash);
	bind_text(st, 3, ss->csrf_token);
	sqlite3_bind_int64(st, 4, ss->created_at);
	sqlite3_bind_int64(st, 5, ss->last_seen_at);
	sqlite3_bind_int64(st, 6, ss->expires_at);
	bind_text(st, 7, ss->user_agent);
	bind_text(st, 8, ss->address);
	rc = store_step_done(s, st, "adding session");
	if (!rc)
		ss->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

enum status
store_session_by_hash(struct store *s,
		      const unsigned char hash[STORE_TOKEN_HASH],
		      struct store_session *out)
{
	static const char sql[] =
		"SELECT " SESSION_COLUMNS " WHERE token_hash = ?";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!st)
		return ST_DB;
	bind_hash(st, 1, hash);
	rc = step_row(s, st, "reading session");
	if (rc)
		return rc;
	read_session(st, out);
	sqlite3_reset(st);
	return ST_OK;
}

enum status
store_session_touch(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(
		s, "UPDATE sessions SET last_seen_at = ? WHERE id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, "touching session");
}

enum status
store_session_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, "DELETE FROM sessions WHERE id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	return store_step_done(s, st, "deleting session");
}

enum status
store_session_delete_user(struct store *s, int64_t user_id, int64_t except_id)
{
	sqlite3_stmt *st = store_stmt(
		s, "DELETE FROM sessions WHERE user_id = ? AND id != ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, except_id);
	return store_step_done(s, st, "deleting sessions");
}

enum status
store_session_list(struct store *s, int64_t user_id,
		   struct store_session_list *out)
{
	static const char sql[] =
		"SELECT " SESSION_COLUMNS " WHERE user_id = ? ORDER BY id DESC";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct store_session_list l = {0};
	size_t cap = 0;
	int rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l.items = grow(l.items, l.count, &cap, sizeof(*l.items));
		read_session(st, &l.items[l.count++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_session_list_release(&l);
		return store_fail(s, "listing sessions");
	}
	*out = l;
	return ST_OK;
}

/* ---- Password resets ----------------------------------------------------- */

enum status
store_reset_add(struct store *s, const unsigned char hash[STORE_TOKEN_HASH],
		int64_t user_id, int64_t now, int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO password_resets (token_hash, user_id, expires_at,"
		" created_at) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (!st)
		return ST_DB;
	bind_hash(st, 1, hash);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, expires_at);
	sqlite3_bind_int64(st, 4, now);
	return store_step_done(s, st, "adding password reset");
}

enum status
store_reset_consume(struct store *s, const unsigned char hash[STORE_TOKEN_HASH],
		    int64_t now, int64_t *user_id)
{
	static const char sql[] =
		"UPDATE password_resets SET used_at = ?2"
		" WHERE token_hash = ?1 AND used_at = 0 AND expires_at > ?2"
		" RETURNING user_id";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;
	int64_t id;

	if (!st)
		return ST_DB;
	bind_hash(st, 1, hash);
	sqlite3_bind_int64(st, 2, now);
	rc = step_row(s, st, "using password reset");
	if (rc)
		return rc;
	id = sqlite3_column_int64(st, 0);
	rc = store_step_done(s, st, "using password reset");
	if (rc)
		return rc;
	*user_id = id;
	return ST_OK;
}

/* ---- Memberships --------------------------------------------------------- */

void
membership_release(struct membership *m)
{
	if (!m)
		return;
	free(m->state);
	free(m->provider_customer);
	free(m->provider_subscription);
	memset(m, 0, sizeof(*m));
}

#define MEMBERSHIP_COLUMNS                                                     \
	"user_id, state, trial_used, started_at, current_period_end,"          \
	" provider_customer, provider_subscription, updated_at"                \
	" FROM memberships"

static enum status
membership_one(struct store *s, sqlite3_stmt *st, struct membership *out)
{
	struct membership m = {0};
	enum status rc = step_row(s, st, "reading membership");

	if (rc)
		return rc;
	m.user_id = sqlite3_column_int64(st, 0);
	m.state = col_text(st, 1);
	m.trial_used = sqlite3_column_int(st, 2) != 0;
	m.started_at = sqlite3_column_int64(st, 3);
	m.current_period_end = sqlite3_column_int64(st, 4);
	m.provider_customer = col_text(st, 5);
	m.provider_subscription = col_text(st, 6);
	m.updated_at = sqlite3_column_int64(st, 7);
	sqlite3_reset(st);
	*out = m;
	return ST_OK;
}

enum status
store_membership_get(struct store *s, int64_t user_id, struct membership *out)
{
	static const char sql[] =
		"SELECT " MEMBERSHIP_COLUMNS " WHERE user_id = ?";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	return membership_one(s, st, out);
}

enum status
store_membership_by_customer(struct store *s, const char *customer,
			     struct membership *out)
{
	static const char sql[] = "SELECT " MEMBERSHIP_COLUMNS
				  " WHERE provider_customer = ? LIMIT 1";
	sqlite3_stmt *st;

	if (!customer || !*customer)
		return ST_NOTFOUND;
	st = store_stmt(s, sql);
	if (!st)
		return ST_DB;
	bind_text(st, 1, customer);
	return membership_one(s, st, out);
}

enum status
store_membership_put(struct store *s, const struct membership *m)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO memberships (user_id, state,"
		" trial_used, started_at, current_period_end,"
		" provider_customer, provider_subscription, updated_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, m->user_id);
	bind_text(st, 2, m->state);
	sqlite3_bind_int(st, 3, m->trial_used);
	sqlite3_bind_int64(st, 4, m->started_at);
	sqlite3_bind_int64(st, 5, m->current_period_end);
	bind_text(st, 6, m->provider_customer);
	bind_text(st, 7, m->provider_subscription);
	sqlite3_bind_int64(st, 8, m->updated_at);
	return store_step_done(s, st, "saving membership");
}

/* ---- Billing events ------------------------------------------------------ */

void
billing_event_release(struct billing_event *e)
{
	if (!e)
		return;
	free(e->kind);
	free(e->provider_event_id);
	free(e->currency);
	free(e->detail);
	memset(e, 0, sizeof(*e));
}

void
billing_event_list_release(struct billing_event_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		billing_event_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

enum status
store_billing_event_add(struct store *s, struct billing_event *e)
{
	static const char sql[] =
		"INSERT INTO billing_events (user_id, kind, provider_event_id,"
		" amount_cents, currency, detail, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!st)
		return ST_DB;
	bind_int(st, 1, e->user_id, true);
	bind_text(st, 2, e->kind);
	bind_text(st, 3, e->provider_event_id);
	sqlite3_bind_int64(st, 4, e->amount_cents);
	bind_text(st, 5, e->currency);
	bind_text(st, 6, e->detail);
	sqlite3_bind_int64(st, 7, e->created_at);
	rc = store_step_done(s, st, "adding billing event");
	if (!rc)
		e->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

enum status
store_billing_event_list(struct store *s, int64_t user_id, size_t limit,
			 struct billing_event_list *out)
{
	static const char sql[] =
		"SELECT id, user_id, kind, provider_event_id, amount_cents,"
		" currency, detail, created_at FROM billing_events"
		" WHERE ?1 = 0 OR user_id = ?1"
		" ORDER BY created_at DESC, id DESC LIMIT ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct billing_event_list l = {0};
	size_t cap = 0;
	int rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct billing_event *e;

		l.items = grow(l.items, l.count, &cap, sizeof(*l.items));
		e = &l.items[l.count++];
		e->id = sqlite3_column_int64(st, 0);
		e->user_id = sqlite3_column_int64(st, 1);
		e->kind = col_text(st, 2);
		e->provider_event_id = col_text(st, 3);
		e->amount_cents = sqlite3_column_int64(st, 4);
		e->currency = col_text(st, 5);
		e->detail = col_text(st, 6);
		e->created_at = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		billing_event_list_release(&l);
		return store_fail(s, "listing billing events");
	}
	*out = l;
	return ST_OK;
}

enum status
store_billing_revenue(struct store *s, int64_t since, int64_t until,
		      int64_t *cents)
{
	static const char sql[] =
		"SELECT IFNULL(sum(amount_cents), 0) FROM billing_events"
		" WHERE created_at >= ? AND created_at < ?";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;
	int64_t v;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	rc = step_row(s, st, "summing revenue");
	if (rc)
		return rc == ST_NOTFOUND ? ST_DB : rc;
	v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	*cents = v;
	return ST_OK;
}

/* ---- Follows ------------------------------------------------------------- */

void
follow_list_release(struct follow_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++) {
		free(l->items[i].kind);
		free(l->items[i].slug);
		free(l->items[i].name);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static bool
is_follow_kind(const char *kind)
{
	return kind && (!strcmp(kind, "publisher") || !strcmp(kind, "topic"));
}

enum status
store_follow_add(struct store *s, int64_t user_id, const char *kind,
		 int64_t target_id, int64_t now)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO follows (user_id, kind, target_id,"
		" created_at) SELECT ?1, ?2, ?3, ?4 WHERE"
		" (?2 = 'publisher' AND EXISTS (SELECT 1 FROM publishers"
		"  WHERE id = ?3)) OR"
		" (?2 = 'topic' AND EXISTS (SELECT 1 FROM topics WHERE id = "
		"?3))";
	sqlite3_stmt *st;
	enum status rc;

	if (!is_follow_kind(kind))
		return ST_INVAL;
	st = store_stmt(s, sql);
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, target_id);
	sqlite3_bind_int64(st, 4, now);
	rc = store_step_done(s, st, "following");
	if (rc)
		return rc;
	if (sqlite3_changes(s->db) == 0) {
		/* Either followed already (fine) or no such target. */
		static const char check[] =
			"SELECT 1 FROM follows WHERE user_id = ? AND kind = ?"
			" AND target_id = ?";

		st = store_stmt(s, check);
		if (!st)
			return ST_DB;
		sqlite3_bind_int64(st, 1, user_id);
		bind_text(st, 2, kind);
		sqlite3_bind_int64(st, 3, target_id);
		rc = step_row(s, st, "following");
		if (!rc)
			sqlite3_reset(st);
	}
	return rc;
}

enum status
store_follow_delete(struct store *s, int64_t user_id, const char *kind,
		    int64_t target_id)
{
	sqlite3_stmt *st;

	if (!is_follow_kind(kind))
		return ST_INVAL;
	st = store_stmt(s, "DELETE FROM follows WHERE user_id = ? AND"
			   " kind = ? AND target_id = ?");
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, target_id);
	return store_step_done(s, st, "unfollowing");
}

enum status
store_follow_list(struct store *s, int64_t user_id, struct follow_list *out)
{
	static const char sql[] =
		"SELECT f.kind, f.target_id, COALESCE(p.slug, t.slug),"
		" COALESCE(p.name, t.name), f.created_at FROM follows f"
		" LEFT JOIN publishers p ON f.kind = 'publisher'"
		"  AND p.id = f.target_id"
		" LEFT JOIN topics t ON f.kind = 'topic' AND t.id = f.target_id"
		" WHERE f.user_id = ? AND COALESCE(p.id, t.id) IS NOT NULL"
		" ORDER BY f.kind, 4";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct follow_list l = {0};
	size_t cap = 0;
	int rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct follow *f;

		l.items = grow(l.items, l.count, &cap, sizeof(*l.items));
		f = &l.items[l.count++];
		f->kind = col_text(st, 0);
		f->target_id = sqlite3_column_int64(st, 1);
		f->slug = col_text(st, 2);
		f->name = col_text(st, 3);
		f->created_at = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		follow_list_release(&l);
		return store_fail(s, "listing follows");
	}
	*out = l;
	return ST_OK;
}

/* ---- Saves, history, For you --------------------------------------------- */

enum status
store_save_add(struct store *s, int64_t user_id, int64_t article_id,
	       int64_t now)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO saves (user_id, article_id, created_at)"
		" SELECT ?1, id, ?3 FROM articles WHERE id = ?2";
	static const char check[] = "SELECT 1 FROM articles WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, article_id);
	sqlite3_bind_int64(st, 3, now);
	rc = store_step_done(s, st, "saving article");
	if (rc || sqlite3_changes(s->db))
		return rc;
	st = store_stmt(s, check);
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, article_id);
	rc = step_row(s, st, "saving article");
	if (!rc)
		sqlite3_reset(st);
	return rc;
}

enum status
store_save_delete(struct store *s, int64_t user_id, int64_t article_id)
{
	sqlite3_stmt *st = store_stmt(
		s, "DELETE FROM saves WHERE user_id = ? AND article_id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, article_id);
	return store_step_done(s, st, "unsaving article");
}

enum status
store_save_has(struct store *s, int64_t user_id, int64_t article_id, bool *out)
{
	sqlite3_stmt *st = store_stmt(
		s, "SELECT 1 FROM saves WHERE user_id = ? AND article_id = ?");
	enum status rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, article_id);
	rc = step_row(s, st, "reading save");
	if (rc == ST_NOTFOUND) {
		*out = false;
		return ST_OK;
	}
	if (rc)
		return rc;
	sqlite3_reset(st);
	*out = true;
	return ST_OK;
}

/*
 * Article columns of the lists (never bodies), followed by the list's sort
 * time; read_list_row() reads them.
 */
#define LIST_COLUMNS                                                           \
	"a.id, a.publisher_id, a.feed_id, a.story_id, a.guid, a.url,"          \
	" a.title, a.byline, a.summary, a.teaser_html, a.teaser_text,"         \
	" a.lead_image, a.lead_caption, a.language, a.word_count,"             \
	" a.published_at, a.updated_at, a.fetched_at,"                         \
	" (SELECT group_concat(t.slug) FROM article_topics x"                  \
	"  JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id),"     \
	" p.slug, p.name, p.logo"
enum { LIST_SORT_COLUMN = 22 };

static void
read_list_row(sqlite3_stmt *st, struct article *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->publisher_id = sqlite3_column_int64(st, 1);
	a->feed_id = sqlite3_column_int64(st, 2);
	a->story_id = sqlite3_column_int64(st, 3);
	a->guid = col_text(st, 4);
	a->url = col_text(st, 5);
	a->title = col_text(st, 6);
	a->byline = col_text(st, 7);
	a->summary = col_text(st, 8);
	a->teaser_html = col_text(st, 9);
	a->teaser_text = col_text(st, 10);
	a->lead_image = col_text(st, 11);
	a->lead_caption = col_text(st, 12);
	a->language = col_text(st, 13);
	a->word_count = sqlite3_column_int64(st, 14);
	a->published_at = sqlite3_column_int64(st, 15);
	a->updated_at = sqlite3_column_int64(st, 16);
	a->fetched_at = sqlite3_column_int64(st, 17);
	a->topics = col_text(st, 18);
	a->publisher_slug = col_text(st, 19);
	a->publisher_name = col_text(st, 20);
	a->publisher_logo = col_text(st, 21);
}

/*
 * Runs a list query whose parameters are ?1 user, ?2 and ?3 the cursor
 * (sort time and id, exclusive), ?4 the row limit.
 */
static enum status
list_articles(struct store *s, const char *sql, int64_t user_id,
	      const char *cursor, size_t limit, struct article_list *out)
{
	struct article_list l = {0};
	int64_t t = INT64_MAX, id = INT64_MAX, last_t = 0;
	sqlite3_stmt *st;
	enum status rc;
	int step;

	if (cursor && *cursor) {
		rc = store_cursor_parse(cursor, &t, &id);
		if (rc)
			return rc;
	}
	if (!limit)
		limit = 20;
	if (limit > 200)
		limit = 200;
	st = store_stmt(s, sql);
	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, t);
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_int64(st, 4, (int64_t)limit + 1);
	l.items = xcalloc(limit, sizeof(*l.items));
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (l.count == limit) {
			const struct article *a = &l.items[l.count - 1];

			l.next_cursor = store_cursor_make(last_t, a->id);
			break;
		}
		read_list_row(st, &l.items[l.count++]);
		last_t = sqlite3_column_int64(st, LIST_SORT_COLUMN);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		article_list_release(&l);
		return store_fail(s, "listing articles");
	}
	*out = l;
	return ST_OK;
}

enum status
store_saved_list(struct store *s, int64_t user_id, const char *cursor,
		 size_t limit, struct article_list *out)
{
	static const char sql[] =
		"SELECT " LIST_COLUMNS ", sv.created_at FROM saves sv"
		" JOIN articles a ON a.id = sv.article_id"
		" JOIN publishers p ON p.id = a.publisher_id"
		" WHERE sv.user_id = ?1 AND (sv.created_at < ?2 OR"
		"  (sv.created_at = ?2 AND a.id < ?3))"
		" ORDER BY sv.created_at DESC, a.id DESC LIMIT ?4";

	return list_articles(s, sql, user_id, cursor, limit, out);
}

enum status
store_history_list(struct store *s, int64_t user_id, const char *cursor,
		   size_t limit, struct article_list *out)
{
	static const char sql[] =
		"SELECT " LIST_COLUMNS ", r.t FROM"
		" (SELECT article_id, max(read_at) AS t FROM reads"
		"  WHERE user_id = ?1 AND hidden = 0 GROUP BY article_id) r"
		" JOIN articles a ON a.id = r.article_id"
		" JOIN publishers p ON p.id = a.publisher_id"
		" WHERE r.t < ?2 OR (r.t = ?2 AND a.id < ?3)"
		" ORDER BY r.t DESC, a.id DESC LIMIT ?4";

	return list_articles(s, sql, user_id, cursor, limit, out);
}

enum status
store_history_hide(struct store *s, int64_t user_id)
{
	sqlite3_stmt *st =
		store_stmt(s, "UPDATE reads SET hidden = 1 WHERE user_id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	return store_step_done(s, st, "clearing history");
}

enum status
store_for_you(struct store *s, int64_t user_id, const char *cursor,
	      size_t limit, struct article_list *out)
{
	static const char sql[] =
		"SELECT " LIST_COLUMNS ", a.published_at FROM articles a"
		" JOIN publishers p ON p.id = a.publisher_id"
		" WHERE (a.publisher_id IN (SELECT target_id FROM follows"
		"   WHERE user_id = ?1 AND kind = 'publisher')"
		"  OR a.id IN (SELECT x.article_id FROM article_topics x"
		"   JOIN follows f ON f.target_id = x.topic_id"
		"   AND f.kind = 'topic' AND f.user_id = ?1))"
		" AND (a.published_at < ?2 OR"
		"  (a.published_at = ?2 AND a.id < ?3))"
		" ORDER BY a.published_at DESC, a.id DESC LIMIT ?4";

	return list_articles(s, sql, user_id, cursor, limit, out);
}

/* ---- The read ledger ----------------------------------------------------- */

enum status
store_read_add(struct store *s, int64_t user_id, int64_t article_id,
	       const char *day, int64_t at, bool *added)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO reads (user_id, article_id,"
		" publisher_id, day, read_at)"
		" SELECT ?1, id, publisher_id, ?3, ?4 FROM articles"
		" WHERE id = ?2";
	static const char again[] =
		"UPDATE reads SET hidden = 0, read_at = ?4 WHERE user_id = ?1"
		" AND article_id = ?2 AND day = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;
	bool is_new;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, article_id);
	bind_text(st, 3, day);
	sqlite3_bind_int64(st, 4, at);
	rc = store_step_done(s, st, "recording read");
	if (rc)
		return rc;
	is_new = sqlite3_changes(s->db) > 0;
	if (!is_new) {
		/* The same day again: the history shows it, the ledger
		 * counts it once. */
		st = store_stmt(s, again);
		if (!st)
			return ST_DB;
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, article_id);
		bind_text(st, 3, day);
		sqlite3_bind_int64(st, 4, at);
		rc = change_rows(s, st, "recording read");
		if (rc)
			return rc; /* ST_NOTFOUND: no such article */
	}
	if (added)
		*added = is_new;
	return ST_OK;
}

void
read_count_list_release(struct read_count_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++) {
		free(l->items[i].key);
		free(l->items[i].name);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/*
 * Runs a counting query with ?1 publisher, ?2 first day, ?3 last day, ?4
 * limit; columns: id, key, name, reads.
 */
static enum status
count_query(struct store *s, const char *sql, int64_t publisher_id,
	    const char *first_day, const char *last_day, size_t limit,
	    struct read_count_list *out)
{
	struct read_count_list l = {0};
	sqlite3_stmt *st = store_stmt(s, sql);
	size_t cap = 0;
	int rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, publisher_id);
	bind_text(st, 2, first_day);
	bind_text(st, 3, last_day);
	sqlite3_bind_int64(st, 4, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct read_count *c;

		l.items = grow(l.items, l.count, &cap, sizeof(*l.items));
		c = &l.items[l.count++];
		c->id = sqlite3_column_int64(st, 0);
		c->key = col_text(st, 1);
		c->name = col_text(st, 2);
		c->reads = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		read_count_list_release(&l);
		return store_fail(s, "counting reads");
	}
	*out = l;
	return ST_OK;
}

enum status
store_reads_by_publisher(struct store *s, const char *first_day,
			 const char *last_day, struct read_count_list *out)
{
	static const char sql[] =
		"SELECT r.publisher_id, p.slug, p.name, count(*) FROM reads r"
		" JOIN publishers p ON p.id = r.publisher_id"
		" WHERE ?1 = ?1 AND r.day BETWEEN ?2 AND ?3"
		" GROUP BY r.publisher_id ORDER BY r.publisher_id LIMIT ?4";

	return count_query(s, sql, 0, first_day, last_day, 0, out);
}

enum status
store_reads_by_day(struct store *s, int64_t publisher_id, const char *first_day,
		   const char *last_day, struct read_count_list *out)
{
	static const char sql[] =
		"SELECT 0, day, NULL, count(*) FROM reads"
		" WHERE publisher_id = ?1 AND day BETWEEN ?2 AND ?3"
		" GROUP BY day ORDER BY day LIMIT ?4";

	return count_query(s, sql, publisher_id, first_day, last_day, 0, out);
}

enum status
store_reads_top_articles(struct store *s, int64_t publisher_id,
			 const char *first_day, const char *last_day,
			 size_t limit, struct read_count_list *out)
{
	static const char sql[] =
		"SELECT a.id, a.url, a.title, count(*) AS n FROM reads r"
		" JOIN articles a ON a.id = r.article_id"
		" WHERE r.publisher_id = ?1 AND r.day BETWEEN ?2 AND ?3"
		" GROUP BY a.id ORDER BY n DESC, a.id LIMIT ?4";

	return count_query(s, sql, publisher_id, first_day, last_day, limit,
			   out);
}

enum status
store_reads_detail(struct store *s, int64_t publisher_id, const char *first_day,
		   const char *last_day, struct read_count_list *out)
{
	static const char sql[] =
		"SELECT a.id, r.day || char(9) || a.url, a.title, count(*)"
		" FROM reads r JOIN articles a ON a.id = r.article_id"
		" WHERE r.publisher_id = ?1 AND r.day BETWEEN ?2 AND ?3"
		" GROUP BY r.day, a.id ORDER BY r.day, a.id LIMIT ?4";

	return count_query(s, sql, publisher_id, first_day, last_day, 0, out);
}

/* ---- API tokens ---------------------------------------------------------- */

void
api_token_list_release(struct api_token_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		free(l->items[i].name);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

enum status
store_api_token_add(struct store *s, int64_t user_id, const char *name,
		    const unsigned char hash[STORE_TOKEN_HASH], int64_t now,
		    int64_t *id)
{
	static const char sql[] =
		"INSERT INTO api_tokens (user_id, name, token_hash, created_at)"
		" VALUES (?, ?, ?, ?)";
	sqlite3_stmt *st = store_stmt(s, sql);
	enum status rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	bind_text(st, 2, name ? name : "");
	bind_hash(st, 3, hash);
	sqlite3_bind_int64(st, 4, now);
	rc = store_step_done(s, st, "adding API token");
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

enum status
store_api_token_list(struct store *s, int64_t user_id,
		     struct api_token_list *out)
{
	static const char sql[] =
		"SELECT id, user_id, name, created_at, last_used_at"
		" FROM api_tokens WHERE user_id = ? ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct api_token_list l = {0};
	size_t cap = 0;
	int rc;

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, user_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct api_token *t;

		l.items = grow(l.items, l.count, &cap, sizeof(*l.items));
		t = &l.items[l.count++];
		t->id = sqlite3_column_int64(st, 0);
		t->user_id = sqlite3_column_int64(st, 1);
		t->name = col_text(st, 2);
		t->created_at = sqlite3_column_int64(st, 3);
		t->last_used_at = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		api_token_list_release(&l);
		return store_fail(s, "listing API tokens");
	}
	*out = l;
	return ST_OK;
}

enum status
store_api_token_delete(struct store *s, int64_t user_id, int64_t id)
{
	sqlite3_stmt *st = store_stmt(
		s, "DELETE FROM api_tokens WHERE id = ? AND user_id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, user_id);
	return change_rows(s, st, "revoking API token");
}

enum status
store_api_token_lookup(struct store *s,
		       const unsigned char hash[STORE_TOKEN_HASH],
		       int64_t *user_id, int64_t *token_id,
		       int64_t *last_used_at)
{
	sqlite3_stmt *st =
		store_stmt(s, "SELECT user_id, id, last_used_at"
			      " FROM api_tokens WHERE token_hash = ?");
	enum status rc;
	int64_t uid, tid, used;

	if (!st)
		return ST_DB;
	bind_hash(st, 1, hash);
	rc = step_row(s, st, "reading API token");
	if (rc)
		return rc;
	uid = sqlite3_column_int64(st, 0);
	tid = sqlite3_column_int64(st, 1);
	used = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	*user_id = uid;
	if (token_id)
		*token_id = tid;
	if (last_used_at)
		*last_used_at = used;
	return ST_OK;
}

enum status
store_api_token_touch(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(
		s, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?");

	if (!st)
		return ST_DB;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, "touching API token");
}
