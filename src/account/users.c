/*
 * users.c — sign-up, sign-in, passwords, roles, deletion and export of
 * accounts, and API tokens.
 */
#include "common.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>

#include "account/internal.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"

/* ---- Emails and passwords ------------------------------------------------ */

static bool
is_domain_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c >= 0x80;
}

static bool
is_local_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || strchr("!#$%&'*+/=?^_`{|}~.-", c);
}

bool
account_email_normalise(const char *email, char *out, size_t size,
			const char **why)
{
	struct str t = str_trim(str_from(email ? email : ""));
	const char *at = NULL;
	size_t i, local_len, domain_len;
	char *copy;

	*why = "Please enter an email address like name@example.com.";
	if (!t.len || t.len > 254 || t.len >= size)
		return false;
	for (i = 0; i < t.len; i++) {
		if (t.p[i] == '@') {
			if (at)
				return false;
			at = t.p + i;
		}
	}
	if (!at)
		return false;
	local_len = (size_t)(at - t.p);
	domain_len = t.len - local_len - 1;
	if (!local_len || local_len > 64 || domain_len < 3)
		return false;
	for (i = 0; i < local_len; i++)
		if (!is_local_char((unsigned char)t.p[i]))
			return false;
	for (i = 0; i < domain_len; i++)
		if (!is_domain_char((unsigned char)at[1 + i]))
			return false;
	if (!memchr(at + 1, '.', domain_len) || at[1] == '.' || at[1] == '-' ||
	    at[domain_len] == '.' || t.p[0] == '.' || at[-1] == '.')
		return false;
	copy = str_dup(t);
	for (i = 0; copy[i]; i++)
		copy[i] = (char)tolower((unsigned char)copy[i]);
	snprintf(out, size, "%s", copy);
	free(copy);
	*why = NULL;
	return true;
}

/* Characters (UTF-8 code points) in s. */
static size_t
utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

const char *
account_password_problem(const char *password)
{
	if (!password || utf8_length(password) < ACCOUNT_PASSWORD_MIN)
		return "Your password needs at least 10 characters.";
	if (strlen(password) > ACCOUNT_PASSWORD_MAX)
		return "Your password is too long (at most 1024 bytes).";
	return NULL;
}

/* ---- Sign-up and sign-in ------------------------------------------------- */

enum status
account_signup(struct store *s, const char *email, const char *password,
	       enum account_role role, int64_t publisher_id, int64_t *user_id,
	       const char **why)
{
	char norm[256], hash[crypto_pwhash_STRBYTES];
	struct user u = {0}, existing = {0};
	enum status rc;

	*why = NULL;
	if (!account_email_normalise(email, norm, sizeof(norm), why))
		return ST_INVAL;
	*why = account_password_problem(password);
	if (*why)
		return ST_INVAL;
	rc = store_user_by_email(s, norm, &existing);
	user_release(&existing);
	if (!rc) {
		*why = "An account with this email already exists. Sign in, "
		       "or reset your password.";
		return ST_EXISTS;
	}
	if (rc != ST_NOTFOUND)
		return rc;
	rc = password_hash(password, hash, sizeof(hash));
	if (rc == ST_AGAIN)
		*why = "We are very busy right now; please try again in a "
		       "moment.";
	if (rc)
		return rc;
	u.email = norm;
	u.password_hash = hash;
	u.role = (char *)account_role_name(role);
	u.publisher_id = role == ROLE_PUBLISHER ? publisher_id : 0;
	u.created_at = clock_now();
	rc = store_user_add(s, &u);
	if (rc == ST_EXISTS)
		*why = "An account with this email already exists. Sign in, "
		       "or reset your password.";
	if (rc)
		return rc;
	log_info("account: user %" PRId64 " signed up", u.id);
	*user_id = u.id;
	return ST_OK;
}

enum status
account_signin(struct store *s, const char *email, const char *password,
	       const char *client_addr, const char *user_agent,
	       struct account_login *out)
{
	char norm[256], hash[crypto_pwhash_STRBYTES];
	const char *why;
	struct user u = {0};
	bool ok = false, rehash = false, known;
	int64_t retry;
	enum status rc;

	if (!password)
		password = "";
	if (!account_email_normalise(email, norm, sizeof(norm), &why))
		norm[0] = '\0'; /* still throttled and hashed below */
	if (!throttle_take(norm, client_addr, &retry))
		return ST_AGAIN;
	rc = norm[0] ? store_user_by_email(s, norm, &u) : ST_NOTFOUND;
	if (rc && rc != ST_NOTFOUND)
		return rc;
	known = rc == ST_OK;
	/* An unknown email costs the same hash as a wrong password. */
	rc = password_verify(known ? u.password_hash : NULL, password, &ok,
			     &rehash);
	if (rc)
		goto out;
	if (!ok || !known || strlen(password) > ACCOUNT_PASSWORD_MAX) {
		rc = ST_DENIED;
		goto out;
	}
	if (rehash && !password_hash(password, hash, sizeof(hash)) &&
	    !store_user_set_password(s, u.id, hash))
		log_info("account: user %" PRId64 " password rehashed", u.id);
	rc = account_session_open(s, u.id, client_addr, user_agent, out);
out:
	user_release(&u);
	return rc;
}

enum status
account_change_password(struct store *s, const struct viewer *v,
			const char *current, const char *next, const char **why)
{
	char hash[crypto_pwhash_STRBYTES];
	struct user u = {0};
	bool ok = false;
	enum status rc;

	*why = NULL;
	if (!v || !v->user_id)
		return ST_DENIED;
	*why = account_password_problem(next);
	if (*why)
		return ST_INVAL;
	if (!throttle_take(v->email, v->client_addr, NULL)) {
		*why = "Too many attempts; please wait a few minutes.";
		return ST_AGAIN;
	}
	rc = store_user_get(s, v->user_id, &u);
	if (rc)
		return rc;
	rc = password_verify(u.password_hash, current ? current : "", &ok,
			     NULL);
	if (rc)
		goto out;
	if (!ok) {
		*why = "Your current password is not right.";
		rc = ST_DENIED;
		goto out;
	}
	rc = password_hash(next, hash, sizeof(hash));
	if (rc)
		goto out;
	rc = store_begin(s);
	if (rc)
		goto out;
	rc = store_user_set_password(s, u.id, hash);
	if (!rc)
		rc = store_session_delete_user(s, u.id, v->session_id);
	if (!rc)
		rc = store_commit(s);
	if (rc)
		store_rollback(s);
out:
	user_release(&u);
	return rc;
}

enum status
account_set_role(struct store *s, int64_t user_id, enum account_role role,
		 int64_t publisher_id)
{
	char detail[96];
	enum status rc;

	if (role == ROLE_PUBLISHER && publisher_id <= 0)
		return ST_INVAL;
	rc = store_begin(s);
	if (rc)
		return rc;
	rc = store_user_set_role(s, user_id, account_role_name(role),
				 role == ROLE_PUBLISHER ? publisher_id : 0);
	/* A privilege change: the user signs in again for a new token. */
	if (!rc)
		rc = store_session_delete_user(s, user_id, 0);
	snprintf(detail, sizeof(detail), "role set to %s",
		 account_role_name(role));
	if (!rc)
		rc = membership_event(s, user_id, "role_changed", detail);
	if (!rc)
		rc = store_commit(s);
	if (rc)
		store_rollback(s);
	return rc;
}

enum status
account_delete(struct store *s, int64_t user_id)
{
	enum status rc = store_begin(s);

	if (rc)
		return rc;
	rc = membership_event(s, user_id, "account_deleted", NULL);
	if (!rc)
		rc = store_user_delete(s, user_id);
	if (!rc)
		rc = store_commit(s);
	if (rc)
		store_rollback(s);
	else
		log_info("account: user %" PRId64 " deleted", user_id);
	return rc;
}

/* ---- Export -------------------------------------------------------------- */

static json_t *
json_time(int64_t t)
{
	char tmp[32];

	if (!t)
		return json_null();
	clock_format_rfc3339(t, tmp, sizeof(tmp));
	return json_string(tmp);
}

static json_t *
json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static enum status
export_articles(struct store *s, int64_t user_id, json_t *root, const char *key,
		bool saved)
{
	json_t *arr = json_array();
	char *cursor = NULL;
	enum status rc = ST_OK;
	size_t i;

	json_object_set_new(root, key, arr);
	for (;;) {
		struct article_list l = {0};

		rc = saved ? store_saved_list(s, user_id, cursor, 200, &l)
			   : store_history_list(s, user_id, cursor, 200, &l);
		free(cursor);
		cursor = NULL;
		if (rc)
			break;
		for (i = 0; i < l.count; i++)
			json_array_append_new(
				arr, json_pack("{s:I, s:s?, s:s?}", "id",
					       (json_int_t)l.items[i].id,
					       "title", l.items[i].title, "url",
					       l.items[i].url));
		cursor = l.next_cursor ? xstrdup(l.next_cursor) : NULL;
		article_list_release(&l);
		if (!cursor)
			break;
	}
	return rc;
}

enum status
account_export(struct store *s, int64_t user_id, struct buf *out)
{
	struct user u = {0};
	struct membership_view m;
	struct follow_list fl = {0};
	struct billing_event_list el = {0};
	struct api_token_list tl = {0};
	struct store_session_list sl = {0};
	json_t *root = NULL, *arr;
	char *text = NULL;
	enum status rc;
	size_t i;

	rc = store_user_get(s, user_id, &u);
	if (rc)
		return rc;
	rc = account_membership(s, user_id, &m);
	if (!rc)
		rc = store_follow_list(s, user_id, &fl);
	if (!rc)
		rc = store_billing_event_list(s, user_id, 0, &el);
	if (!rc)
		rc = store_api_token_list(s, user_id, &tl);
	if (!rc)
		rc = store_session_list(s, user_id, &sl);
	if (rc)
		goto out;
	root = json_object();
	json_object_set_new(
		root, "account",
		json_pack("{s:I, s:s, s:o, s:s, s:o, s:b}", "id",
			  (json_int_t)u.id, "email", u.email, "display_name",
			  json_str_or_null(u.display_name), "role", u.role,
			  "created_at", json_time(u.created_at), "onboarded",
			  u.onboarded));
	json_object_set_new(root, "membership",
			    json_pack("{s:s, s:o, s:o, s:b}", "state",
				      account_state_name(m.state), "started_at",
				      json_time(m.started_at), "until",
				      json_time(m.until), "trial_used",
				      m.trial_used));
	arr = json_array();
	for (i = 0; i < fl.count; i++)
		json_array_append_new(
			arr,
			json_pack("{s:s, s:s?, s:s?, s:o}", "kind",
				  fl.items[i].kind, "slug", fl.items[i].slug,
				  "name", fl.items[i].name, "since",
				  json_time(fl.items[i].created_at)));
	json_object_set_new(root, "follows", arr);
	rc = export_articles(s, user_id, root, "saved", true);
	if (!rc)
		rc = export_articles(s, user_id, root, "history", false);
	if (rc)
		goto out;
	arr = json_array();
	for (i = 0; i < el.count; i++)
		json_array_append_new(
			arr, json_pack("{s:s, s:I, s:s?, s:s?, s:o}", "kind",
				       el.items[i].kind, "amount_cents",
				       (json_int_t)el.items[i].amount_cents,
				       "currency", el.items[i].currency,
				       "detail", el.items[i].detail, "at",
				       json_time(el.items[i].created_at)));
	json_object_set_new(root, "billing_events", arr);
	arr = json_array();
	for (i = 0; i < tl.count; i++)
		json_array_append_new(
			arr, json_pack("{s:I, s:s?, s:o, s:o}", "id",
				       (json_int_t)tl.items[i].id, "name",
				       tl.items[i].name, "created_at",
				       json_time(tl.items[i].created_at),
				       "last_used_at",
				       json_time(tl.items[i].last_used_at)));
	json_object_set_new(root, "api_tokens", arr);
	arr = json_array();
	for (i = 0; i < sl.count; i++)
		json_array_append_new(
			arr, json_pack("{s:o, s:o, s:s?, s:s?}", "signed_in_at",
				       json_time(sl.items[i].created_at),
				       "last_seen_at",
				       json_time(sl.items[i].last_seen_at),
				       "user_agent", sl.items[i].user_agent,
				       "address", sl.items[i].address));
	json_object_set_new(root, "sessions", arr);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text) {
		rc = ST_NOMEM;
		goto out;
	}
	buf_adds(out, text);
	buf_addc(out, '\n');
	rc = out->err;
out:
	free(text);
	json_decref(root);
	user_release(&u);
	follow_list_release(&fl);
	billing_event_list_release(&el);
	api_token_list_release(&tl);
	store_session_list_release(&sl);
	return rc;
}

/* ---- API tokens ---------------------------------------------------------- */

enum status
account_api_token_create(struct store *s, int64_t user_id, const char *name,
			 char **token, int64_t *id)
{
	char raw[ACCOUNT_TOKEN_LEN], label[81];
	unsigned char hash[STORE_TOKEN_HASH];
	struct buf b = BUF_INIT;
	enum status rc;

	token_new(raw);
	if (!token_hash(raw, hash))
		return ST_INTERNAL;
	snprintf(label, sizeof(label), "%s", name ? name : "");
	rc = store_api_token_add(s, user_id, label, hash, clock_now(), id);
	if (rc)
		return rc;
	buf_addf(&b, "%s%s", ACCOUNT_API_TOKEN_PREFIX, raw);
	*token = buf_detach(&b, NULL);
	return ST_OK;
}

enum status
account_api_token_revoke(struct store *s, int64_t user_id, int64_t id)
{
	return store_api_token_delete(s, user_id, id);
}

/* ---- Members' features --------------------------------------------------- */

enum status
account_follow(struct store *s, int64_t user_id, const char *kind,
	       const char *slug, bool follow)
{
	int64_t target = 0;
	enum status rc;

	if (!kind || !slug)
		return ST_INVAL;
	if (!strcmp(kind, "publisher")) {
		struct publisher p = {0};

		rc = store_publisher_by_slug(s, slug, &p);
		target = p.id;
		publisher_release(&p);
	} else if (!strcmp(kind, "topic")) {
		struct topic t = {0};

		rc = store_topic_by_slug(s, slug, &t);
		target = t.id;
		topic_release(&t);
	} else {
		return ST_INVAL;
	}
	if (rc)
		return rc;
	if (follow)
		return store_follow_add(s, user_id, kind, target, clock_now());
	return store_follow_delete(s, user_id, kind, target);
}

void
account_day(int64_t t, char *out, size_t size)
{
	char tmp[32];

	clock_format_rfc3339(t, tmp, sizeof(tmp));
	snprintf(out, size, "%.10s", tmp);
}

enum status
account_record_read(struct store *s, const struct viewer *v, int64_t article_id,
		    bool *counted)
{
	char day[16];
	int64_t now = clock_now();
	bool added = false;
	enum status rc;

	if (counted)
		*counted = false;
	if (!account_can_read_full(v))
		return ST_OK;
	account_day(now, day, sizeof(day));
	rc = store_read_add(s, v->user_id, article_id, day, now, &added);
	if (rc)
		return rc;
	if (counted)
		*counted = added;
	return ST_OK;
}
