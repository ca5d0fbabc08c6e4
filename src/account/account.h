/*
 * account.h — members and their accounts: sign-up and sign-in, sessions,
 * CSRF tokens, throttling, API tokens, roles, memberships and the one
 * paywall decision, billing webhooks, password resets, follows, saves,
 * reading history and the read ledger.
 *
 * The web server calls four functions on every request (see
 * docs/internals/accounts.md):
 *
 *   account_resolve_viewer()  who is asking (cookie, Bearer token, address)
 *   account_route_allowed()   may this viewer use a route with these flags
 *   account_check_csrf()      for WEB_STATE routes: the form's token
 *   account_can_read_full()   the paywall: full text or the teaser
 *
 * Secrets: session, API and reset tokens are 256-bit random values handed
 * to the client once; only their BLAKE2b-256 hashes are stored. Passwords
 * are stored as Argon2id strings (crypto_pwhash_str).
 *
 * Stores: functions taking a struct store * write through it, so it must be
 * a STORE_WRITE connection unless said otherwise. account_writer() gives
 * the calling thread its own write connection.
 *
 * Memory: struct viewer has fixed-size fields and owns nothing. Strings
 * returned through char ** are malloc'd and freed by the caller.
 */
#ifndef NEWSSTAND_ACCOUNT_ACCOUNT_H
#define NEWSSTAND_ACCOUNT_ACCOUNT_H

#include "common.h"

#include "base/buf.h"
#include "store/accounts.h"
#include "store/store.h"

/* Route flag of publisher pages (beside web/http.h's WEB_ADMIN = 1 << 7). */
#define WEB_PUBLISHER (1u << 8)

enum account_role {
	ROLE_MEMBER,	/* reads, follows, saves */
	ROLE_EDITOR,	/* also curates picks and the catalogue */
	ROLE_PUBLISHER, /* also sees its publisher's statement */
	ROLE_ADMIN,	/* everything */
};

enum membership_state {
	MEMBERSHIP_VISITOR,   /* never had one (or not signed in) */
	MEMBERSHIP_TRIAL,     /* free trial running */
	MEMBERSHIP_MEMBER,    /* paid or granted, period running */
	MEMBERSHIP_LAPSED,    /* period ended or payment failed */
	MEMBERSHIP_CANCELLED, /* cancelled or revoked */
};

/* Bytes of the text form of a token (base64url of 32 bytes, NUL). */
#define ACCOUNT_TOKEN_LEN 44
/* Prefix of API tokens, so they are recognisable in logs and configs. */
#define ACCOUNT_API_TOKEN_PREFIX "nsk_"

/* Who is asking: resolved once per request. */
struct viewer {
	int64_t user_id;	      /* 0: a visitor */
	char email[256];	      /* the member's email; "" for visitors */
	enum account_role role;	      /* ROLE_MEMBER for visitors (unused) */
	int64_t publisher_id;	      /* publisher users: their publisher */
	enum membership_state state;  /* effective now (lapse computed) */
	int64_t until;		      /* end of the current period; 0 none */
	bool trial_used;	      /* the free trial has been taken */
	bool onboarded;		      /* has picked topics */
	bool can_read_full;	      /* the paywall answer at resolve time */
	bool via_bearer;	      /* authenticated by an API token */
	int64_t session_id;	      /* 0 without a cookie session */
	char csrf[ACCOUNT_TOKEN_LEN]; /* the session's CSRF token; "" none */
	char client_addr[64];	      /* the client's address (XFF aware) */
};

/* ---- Names --------------------------------------------------------------- */

const char *account_role_name(enum account_role role);
/* Parses a role name; false when it is not one. */
bool account_role_parse(const char *name, enum account_role *out);
const char *account_state_name(enum membership_state state);

/* ---- Requests ------------------------------------------------------------ */

/*
 * Resolves who is asking. cookie_value is the session cookie's value (or
 * NULL), auth_header the Authorization header (or NULL): "Bearer TOKEN"
 * gives an API-token viewer. peer_addr is the socket's address; the
 * X-Forwarded-For value (xff, may be NULL) is only believed when peer_addr
 * is one of config.trusted_proxies. An unknown, expired or idle session
 * gives a visitor (ST_OK): only a database failure is an error. The store
 * may be a reader: activity times are written through account_writer().
 */
enum status account_resolve_viewer(struct store *s, const char *cookie_value,
				   const char *auth_header,
				   const char *peer_addr, const char *xff,
				   struct viewer *out) WARN_UNUSED;
/* The client address to use: the peer, or XFF's when the peer is trusted. */
void account_client_addr(const char *peer_addr, const char *xff, char *out,
			 size_t size);
/*
 * The CSRF check of a state-changing request: true for API-token viewers
 * (no cookie, nothing for a third site to ride on) and for a session whose
 * token equals token (constant time); false otherwise, visitors included.
 */
bool account_check_csrf(const struct viewer *v, const char *token);
/*
 * True when v may use a route with these flags: WEB_MEMBER needs a
 * signed-in user, WEB_EDITOR an editor or admin, WEB_PUBLISHER a publisher
 * (linked to a publisher) or admin, WEB_ADMIN an admin.
 */
bool account_route_allowed(const struct viewer *v, unsigned route_flags);
/*
 * The paywall, decided here for every surface: true when the viewer is in
 * a running trial or membership (checked against clock_now(), not only the
 * state cached at resolve time). NULL and visitors: false.
 */
bool account_can_read_full(const struct viewer *v);
/* True when v has the role (admins have every role). */
bool account_has_role(const struct viewer *v, enum account_role role);

/* ---- Cookies ------------------------------------------------------------- */

/*
 * The session cookie's name: "__Host-session" when config.base_url is
 * https, "session" otherwise (browsers refuse __Host- cookies without
 * Secure, and Secure cookies over http://127.0.0.1).
 */
const char *account_cookie_name(void);
/* Appends a Set-Cookie value carrying token (NULL: one that clears it). */
void account_cookie_header(struct buf *out, const char *token);

/* ---- Users and passwords ------------------------------------------------- */

/* Minimum password length in characters. */
#define ACCOUNT_PASSWORD_MIN 10
#define ACCOUNT_PASSWORD_MAX 1024

/*
 * Normalises an email (trimmed, lower case) into out and checks its form;
 * false with a reason for the reader in *why when it is not valid.
 */
bool account_email_normalise(const char *email, char *out, size_t size,
			     const char **why);
/* NULL when the password is acceptable, else a message for the reader. */
const char *account_password_problem(const char *password);

/*
 * Creates a user. ST_INVAL for a bad email or password (message in *why),
 * ST_EXISTS for a taken email, ST_AGAIN when hashing is saturated. Writes
 * the new id.
 */
enum status account_signup(struct store *s, const char *email,
			   const char *password, enum account_role role,
			   int64_t publisher_id, int64_t *user_id,
			   const char **why) WARN_UNUSED;

/* What a successful sign-in hands out. */
struct account_login {
	char token[ACCOUNT_TOKEN_LEN]; /* the session cookie's value */
	char csrf[ACCOUNT_TOKEN_LEN];  /* the session's CSRF token */
	int64_t user_id;
	int64_t session_id;
};

/*
 * Checks email and password and opens a new session. ST_DENIED for an
 * unknown email or a wrong password alike (same work: an unknown email is
 * checked against a dummy hash), ST_AGAIN when throttled or hashing is
 * saturated. client_addr feeds the per-address throttle; user_agent is
 * kept with the session (both may be NULL). Rehashes the password when the
 * hashing parameters changed.
 */
enum status account_signin(struct store *s, const char *email,
			   const char *password, const char *client_addr,
			   const char *user_agent,
			   struct account_login *out) WARN_UNUSED;
/* Opens a session for a user without a password (after signup, reset). */
enum status account_session_open(struct store *s, int64_t user_id,
				 const char *client_addr,
				 const char *user_agent,
				 struct account_login *out) WARN_UNUSED;
/* Replaces the viewer's session by a new one (a privilege change). */
enum status account_session_rotate(struct store *s, const struct viewer *v,
				   struct account_login *out) WARN_UNUSED;
/* Ends the viewer's session. */
enum status account_signout(struct store *s,
			    const struct viewer *v) WARN_UNUSED;
/* Ends every session of the user. */
enum status account_signout_all(struct store *s, int64_t user_id) WARN_UNUSED;
/*
 * Changes the password after checking the current one: ST_DENIED for a
 * wrong current password, ST_INVAL (with *why) for a bad new one. Every
 * other session of the user ends.
 */
enum status account_change_password(struct store *s, const struct viewer *v,
				    const char *current, const char *next,
				    const char **why) WARN_UNUSED;
/* Sets a user's role (and publisher); ends the user's sessions. */
enum status account_set_role(struct store *s, int64_t user_id,
			     enum account_role role,
			     int64_t publisher_id) WARN_UNUSED;
/*
 * Deletes the account: personal data goes, the read ledger and billing
 * events stay without the user.
 */
enum status account_delete(struct store *s, int64_t user_id) WARN_UNUSED;
/* Writes everything kept about the user as JSON into out. */
enum status account_export(struct store *s, int64_t user_id,
			   struct buf *out) WARN_UNUSED;

/* ---- Password reset ------------------------------------------------------ */

/*
 * Starts a reset: when the email belongs to a user, stores a one-time token
 * (1 hour) and mails a link base_url/reset/TOKEN over SMTP. The answer is
 * the same whether or not the email is known (ST_OK); ST_IO only when the
 * mail could not be sent to a known user. ST_AGAIN when throttled.
 */
enum status account_reset_request(struct store *s, const char *email,
				  const char *client_addr) WARN_UNUSED;
/* Sets a new password with a reset token; ST_DENIED for a bad token. */
enum status account_reset_finish(struct store *s, const char *token,
				 const char *password,
				 const char **why) WARN_UNUSED;

/* ---- API tokens ---------------------------------------------------------- */

/* Creates a token: its text ("nsk_…", malloc'd) is shown to the user once. */
enum status account_api_token_create(struct store *s, int64_t user_id,
				     const char *name, char **token,
				     int64_t *id) WARN_UNUSED;
enum status account_api_token_revoke(struct store *s, int64_t user_id,
				     int64_t id) WARN_UNUSED;

/* ---- Memberships --------------------------------------------------------- */

/* A user's membership as seen now. */
struct membership_view {
	enum membership_state state; /* effective (lapse computed) */
	int64_t started_at;	     /* 0 when never */
	int64_t until;		     /* end of the period; 0 when none */
	bool trial_used;
};

enum status account_membership(struct store *s, int64_t user_id,
			       struct membership_view *out) WARN_UNUSED;
/*
 * Starts the free trial (config.trial_days, no card): once per account.
 * ST_EXISTS when the trial was used, ST_CONFLICT while a membership runs.
 */
enum status account_trial_start(struct store *s, int64_t user_id) WARN_UNUSED;
/* Makes the user a member until the end of the day until_day (UTC). */
enum status account_grant(struct store *s, int64_t user_id, int64_t until,
			  const char *by) WARN_UNUSED;
/* Ends the membership now (state cancelled). */
enum status account_revoke(struct store *s, int64_t user_id,
			   const char *by) WARN_UNUSED;

/* Billing webhooks. */
#define ACCOUNT_WEBHOOK_TOLERANCE 300 /* seconds either way */

/*
 * Checks a Stripe-style signature header "t=TIMESTAMP,v1=HEX[,v1=HEX]":
 * HMAC-SHA256 over "TIMESTAMP.PAYLOAD" with secret, the timestamp within
 * ACCOUNT_WEBHOOK_TOLERANCE of clock_now(). ST_DENIED otherwise (ST_INVAL
 * for a malformed header).
 */
enum status account_webhook_verify(const char *secret, const char *header,
				   const char *payload, size_t len) WARN_UNUSED;
/* Makes a signature header for payload at time t (tests, tools). */
void account_webhook_sign(const char *secret, int64_t t, const char *payload,
			  size_t len, struct buf *out);
/*
 * Verifies (with account_setting_webhook_secret()) and applies a billing
 * event. The payload is JSON: {"id": "evt_…", "type": T, "data": {…}} where
 * T is subscription.created, subscription.renewed, subscription.cancelled
 * or payment.failed (Stripe's names customer.subscription.created,
 * invoice.paid, customer.subscription.deleted and invoice.payment_failed
 * are understood too) and data carries "email" or "user_id" or "customer",
 * and optionally "subscription", "amount_cents", "currency",
 * "period_end". ST_DENIED for a bad signature, ST_EXISTS for a replay
 * (the event id was seen), ST_INVAL for a payload it cannot use,
 * ST_NOTFOUND for an unknown member.
 */
enum status account_webhook_handle(struct store *s, const char *signature,
				   const char *payload, size_t len) WARN_UNUSED;

/* ---- Members' features --------------------------------------------------- */

/* Follows a publisher or topic by slug; kind is "publisher" or "topic". */
enum status account_follow(struct store *s, int64_t user_id, const char *kind,
			   const char *slug, bool follow) WARN_UNUSED;
/*
 * Records a full read in the ledger when the viewer may read in full (one
 * per member, article and day, UTC); a no-op for others. *counted (may be
 * NULL) tells whether a new ledger row was written.
 */
enum status account_record_read(struct store *s, const struct viewer *v,
				int64_t article_id, bool *counted) WARN_UNUSED;

/* ---- Write connections --------------------------------------------------- */

/*
 * The calling thread's own write connection to config.data_dir, opened on
 * first use and closed when the thread exits (or by account_writer_close()).
 * Web worker threads write accounts through it; SQLite's busy timeout
 * serialises writers.
 */
enum status account_writer(struct store **out) WARN_UNUSED;
void account_writer_close(void);

/* ---- Limits (tests lower them) ------------------------------------------- */

struct account_limits {
	unsigned long long hash_opslimit; /* Argon2id passes */
	size_t hash_memlimit;		  /* Argon2id memory, bytes */
	unsigned hash_concurrency;	  /* hashes at once, at most */
	int64_t hash_wait_ms;		  /* wait for a slot, then ST_AGAIN */
	double account_burst;		  /* sign-in attempts per account */
	double account_per_minute;	  /* refill rate per account */
	double addr_burst;		  /* attempts per client address */
	double addr_per_minute;		  /* refill rate per address */
};

/* The defaults: interactive Argon2id (64 MiB), 4 at once, 5 s wait, 10
 * attempts per account then 2 a minute, 50 per address then 20 a minute. */
void account_limits_default(struct account_limits *out);
/* Replaces the limits (before serving; tests). Resets the throttle. */
void account_limits_set(const struct account_limits *l);
void account_limits_get(struct account_limits *out);
/*
 * Makes the calling thread's hashes count their wait from since_ms
 * (clock_mono_ms()) rather than from the call: a request that waited in a
 * queue before it could hash gets ST_AGAIN once it has waited hash_wait_ms
 * in all, free slot or not. 0 returns to waiting from the call.
 */
void account_hash_wait_from(int64_t since_ms);

/* Hashing statistics, for tests and metrics. */
struct account_hash_stats {
	unsigned in_flight;	 /* hashes running now */
	unsigned peak_in_flight; /* most at once since the last reset */
	uint64_t refused;	 /* ST_AGAIN answers */
	uint64_t done;		 /* hashes computed */
};
void account_hash_stats(struct account_hash_stats *out, bool reset_peak);

#endif
