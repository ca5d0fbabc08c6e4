/*
 * accounts.h — storage of the account module: users, sessions, password
 * resets, memberships, billing events, follows, saves, the read ledger,
 * API tokens and the payout queries. The rules (who may do what, when a
 * membership lapses, how a payout is rounded) live in src/account/; these
 * functions only read and write rows.
 *
 * Secrets are never stored: sessions, API tokens and reset tokens are kept
 * as 32-byte hashes (STORE_TOKEN_HASH bytes) computed by the caller.
 *
 * Memory: every struct filled in here owns its strings (malloc'd); release it
 * with the matching *_release(). Lists own their items. Out parameters are
 * written only on success. Times are Unix seconds; days are "YYYY-MM-DD"
 * (UTC) and months "YYYY-MM".
 */
#ifndef NEWSSTAND_STORE_ACCOUNTS_H
#define NEWSSTAND_STORE_ACCOUNTS_H

#include "common.h"

#include "store/store.h"

/* Bytes of a stored token hash (BLAKE2b-256). */
#define STORE_TOKEN_HASH 32

/* True when s is a STORE_WRITE connection. */
bool store_is_writer(const struct store *s);

/* ---- Users --------------------------------------------------------------- */

struct user {
	int64_t id;
	char *email;	      /* normalised (lower case) */
	char *password_hash;  /* crypto_pwhash_str output */
	char *display_name;   /* may be NULL */
	char *role;	      /* "member", "editor", "publisher", "admin" */
	int64_t publisher_id; /* the publisher of a publisher user; 0 none */
	bool onboarded;	      /* has been through "pick your topics" */
	int64_t created_at;
	char *publisher_slug; /* filled in by get and list; NULL when none */
};

struct user_list {
	struct user *items;
	size_t count;
};

void user_release(struct user *u);
void user_list_release(struct user_list *l);
/* Adds a user; ST_EXISTS when the email is taken. Writes u->id. */
enum status store_user_add(struct store *s, struct user *u) WARN_UNUSED;
enum status store_user_get(struct store *s, int64_t id,
			   struct user *out) WARN_UNUSED;
/* Case-insensitive; ST_NOTFOUND when there is none. */
enum status store_user_by_email(struct store *s, const char *email,
				struct user *out) WARN_UNUSED;
/* Every user, oldest first. */
enum status store_user_list(struct store *s, struct user_list *out) WARN_UNUSED;
enum status store_user_set_password(struct store *s, int64_t id,
				    const char *hash) WARN_UNUSED;
/* Sets role and publisher (0: none); ST_NOTFOUND for an unknown user. */
enum status store_user_set_role(struct store *s, int64_t id, const char *role,
				int64_t publisher_id) WARN_UNUSED;
enum status store_user_set_onboarded(struct store *s, int64_t id,
				     bool onboarded) WARN_UNUSED;
/*
 * Deletes a user with sessions, membership, follows, saves, tokens and
 * resets; reads and billing events stay with user_id NULL (the ledger and
 * the audit trail are kept, anonymous).
 */
enum status store_user_delete(struct store *s, int64_t id) WARN_UNUSED;

/* ---- Sessions ------------------------------------------------------------ */

struct store_session {
	int64_t id;
	int64_t user_id;
	char *csrf_token;     /* per-session CSRF token (not a credential) */
	int64_t created_at;   /* sign-in time */
	int64_t last_seen_at; /* last request, updated coarsely */
	int64_t expires_at;   /* absolute expiry */
	char *user_agent;     /* may be NULL */
	char *address;	      /* client address at sign-in; may be NULL */
};

struct store_session_list {
	struct store_session *items;
	size_t count;
};

void store_session_release(struct store_session *ss);
void store_session_list_release(struct store_session_list *l);
/* Adds a session under hash; writes ss->id. */
enum status store_session_add(struct store *s,
			      const unsigned char hash[STORE_TOKEN_HASH],
			      struct store_session *ss) WARN_UNUSED;
enum status store_session_by_hash(struct store *s,
				  const unsigned char hash[STORE_TOKEN_HASH],
				  struct store_session *out) WARN_UNUSED;
enum status store_session_touch(struct store *s, int64_t id,
				int64_t now) WARN_UNUSED;
enum status store_session_delete(struct store *s, int64_t id) WARN_UNUSED;
/* Deletes every session of a user but except_id (0: all). */
enum status store_session_delete_user(struct store *s, int64_t user_id,
				      int64_t except_id) WARN_UNUSED;
/* A user's sessions, newest first. */
enum status store_session_list(struct store *s, int64_t user_id,
			       struct store_session_list *out) WARN_UNUSED;

/* ---- Password resets ----------------------------------------------------- */

enum status store_reset_add(struct store *s,
			    const unsigned char hash[STORE_TOKEN_HASH],
			    int64_t user_id, int64_t now,
			    int64_t expires_at) WARN_UNUSED;
/*
 * Marks the reset token used, once: writes its user when it exists, is
 * unused and has not expired at now; ST_NOTFOUND otherwise.
 */
enum status store_reset_consume(struct store *s,
				const unsigned char hash[STORE_TOKEN_HASH],
				int64_t now, int64_t *user_id) WARN_UNUSED;

/* ---- Memberships --------------------------------------------------------- */

struct membership {
	int64_t user_id;
	char *state; /* "trial", "member", "lapsed", "cancelled" as stored */
	bool trial_used;
	int64_t started_at;
	int64_t current_period_end;  /* access ends here */
	char *provider_customer;     /* billing provider's customer, or NULL */
	char *provider_subscription; /* and subscription */
	int64_t updated_at;
};

void membership_release(struct membership *m);
/* ST_NOTFOUND when the user has never had one. */
enum status store_membership_get(struct store *s, int64_t user_id,
				 struct membership *out) WARN_UNUSED;
enum status store_membership_by_customer(struct store *s, const char *customer,
					 struct membership *out) WARN_UNUSED;
/* Inserts or replaces the row of m->user_id. */
enum status store_membership_put(struct store *s,
				 const struct membership *m) WARN_UNUSED;

/* ---- Billing events ------------------------------------------------------ */

struct billing_event {
	int64_t id;
	int64_t user_id;	 /* 0 once the account is deleted */
	char *kind;		 /* "trial_started", "granted", … */
	char *provider_event_id; /* the provider's id (unique) or NULL */
	int64_t amount_cents;	 /* money received; 0 for other changes */
	char *currency;		 /* ISO 4217 lower case, or NULL */
	char *detail;		 /* human text for the audit */
	int64_t created_at;
};

struct billing_event_list {
	struct billing_event *items;
	size_t count;
};

void billing_event_release(struct billing_event *e);
void billing_event_list_release(struct billing_event_list *l);
/* Adds an event; ST_EXISTS when provider_event_id was seen (a replay). */
enum status store_billing_event_add(struct store *s,
				    struct billing_event *e) WARN_UNUSED;
/* A user's events, newest first (user_id 0: everyone's). */
enum status
store_billing_event_list(struct store *s, int64_t user_id, size_t limit,
			 struct billing_event_list *out) WARN_UNUSED;
/* Money recorded in [since, until). */
enum status store_billing_revenue(struct store *s, int64_t since, int64_t until,
				  int64_t *cents) WARN_UNUSED;

/* ---- Follows ------------------------------------------------------------- */

struct follow {
	char *kind;	   /* "publisher" or "topic" */
	int64_t target_id; /* publishers.id or topics.id */
	char *slug;	   /* the target's slug */
	char *name;	   /* the target's name */
	int64_t created_at;
};

struct follow_list {
	struct follow *items;
	size_t count;
};

void follow_list_release(struct follow_list *l);
/* Idempotent; ST_NOTFOUND when the target does not exist. */
enum status store_follow_add(struct store *s, int64_t user_id, const char *kind,
			     int64_t target_id, int64_t now) WARN_UNUSED;
enum status store_follow_delete(struct store *s, int64_t user_id,
				const char *kind,
				int64_t target_id) WARN_UNUSED;
enum status store_follow_list(struct store *s, int64_t user_id,
			      struct follow_list *out) WARN_UNUSED;

/* ---- Saves, history, For you --------------------------------------------- */

/* Idempotent; ST_NOTFOUND when the article does not exist. */
enum status store_save_add(struct store *s, int64_t user_id, int64_t article_id,
			   int64_t now) WARN_UNUSED;
enum status store_save_delete(struct store *s, int64_t user_id,
			      int64_t article_id) WARN_UNUSED;
enum status store_save_has(struct store *s, int64_t user_id, int64_t article_id,
			   bool *out) WARN_UNUSED;

/*
 * The lists below return articles without bodies, newest first by the
 * list's own time (saved, read, published), cursor-paginated like
 * store_article_list(): pass next_cursor back as cursor.
 */
enum status store_saved_list(struct store *s, int64_t user_id,
			     const char *cursor, size_t limit,
			     struct article_list *out) WARN_UNUSED;
/* Reading history: the reads not hidden, the latest read per article. */
enum status store_history_list(struct store *s, int64_t user_id,
			       const char *cursor, size_t limit,
			       struct article_list *out) WARN_UNUSED;
/* "Clear history": hides the user's reads; the ledger keeps them. */
enum status store_history_hide(struct store *s, int64_t user_id) WARN_UNUSED;
/* Articles of followed publishers and topics, newest first. */
enum status store_for_you(struct store *s, int64_t user_id, const char *cursor,
			  size_t limit, struct article_list *out) WARN_UNUSED;

/* ---- The read ledger ----------------------------------------------------- */

/*
 * Records a read of article_id by user_id on day (one per member, article
 * and day); *added tells whether it is new. ST_NOTFOUND for an unknown
 * article.
 */
enum status store_read_add(struct store *s, int64_t user_id, int64_t article_id,
			   const char *day, int64_t at,
			   bool *added) WARN_UNUSED;

struct read_count {
	int64_t id;    /* publisher, article or 0 for a day */
	char *key;     /* the slug, URL or day */
	char *name;    /* the name or title */
	int64_t reads; /* how many */
};

struct read_count_list {
	struct read_count *items;
	size_t count;
};

void read_count_list_release(struct read_count_list *l);
/* Reads per publisher for days in [first_day, last_day], by publisher id. */
enum status store_reads_by_publisher(struct store *s, const char *first_day,
				     const char *last_day,
				     struct read_count_list *out) WARN_UNUSED;
/* One publisher's reads per day (only days with reads), by day. */
enum status store_reads_by_day(struct store *s, int64_t publisher_id,
			       const char *first_day, const char *last_day,
			       struct read_count_list *out) WARN_UNUSED;
/* One publisher's most read articles (key: URL, name: title). */
enum status store_reads_top_articles(struct store *s, int64_t publisher_id,
				     const char *first_day,
				     const char *last_day, size_t limit,
				     struct read_count_list *out) WARN_UNUSED;
/*
 * One publisher's reads per day and article, for CSV: id is the article,
 * key "DAY\tURL", name the title; ordered by day then article.
 */
enum status store_reads_detail(struct store *s, int64_t publisher_id,
			       const char *first_day, const char *last_day,
			       struct read_count_list *out) WARN_UNUSED;

/* ---- API tokens ---------------------------------------------------------- */

struct api_token {
	int64_t id;
	int64_t user_id;
	char *name;
	int64_t created_at;
	int64_t last_used_at; /* 0: never */
};

struct api_token_list {
	struct api_token *items;
	size_t count;
};

void api_token_list_release(struct api_token_list *l);
enum status store_api_token_add(struct store *s, int64_t user_id,
				const char *name,
				const unsigned char hash[STORE_TOKEN_HASH],
				int64_t now, int64_t *id) WARN_UNUSED;
enum status store_api_token_list(struct store *s, int64_t user_id,
				 struct api_token_list *out) WARN_UNUSED;
/* Deletes the user's token id; ST_NOTFOUND when it is not theirs. */
enum status store_api_token_delete(struct store *s, int64_t user_id,
				   int64_t id) WARN_UNUSED;
/*
 * The owner of a token hash, the token's id and when it was last used;
 * ST_NOTFOUND when there is none. token_id and last_used_at may be NULL.
 */
enum status store_api_token_lookup(struct store *s,
				   const unsigned char hash[STORE_TOKEN_HASH],
				   int64_t *user_id, int64_t *token_id,
				   int64_t *last_used_at) WARN_UNUSED;
enum status store_api_token_touch(struct store *s, int64_t id,
				  int64_t now) WARN_UNUSED;

#endif
