/*
 * internal.h — shared by the files of src/account/ only.
 */
#ifndef NEWSSTAND_ACCOUNT_INTERNAL_H
#define NEWSSTAND_ACCOUNT_INTERNAL_H

#include "common.h"

#include "account/account.h"

/* Bytes of a token before encoding (256 bits). */
#define TOKEN_BYTES 32

/* ---- password.c ---------------------------------------------------------- */

/* Starts libsodium once; false when it cannot (logged). */
bool account_sodium_ready(void);
/*
 * Hashes a password into out (crypto_pwhash_STRBYTES) with the current
 * limits, waiting for a hashing slot; ST_AGAIN when none frees in time.
 */
enum status password_hash(const char *password, char *out,
			  size_t size) WARN_UNUSED;
/*
 * Checks password against hash (NULL: against a dummy hash, for unknown
 * emails). *ok tells the answer; *rehash whether the hash's parameters
 * differ from the current ones. ST_AGAIN when no slot frees in time.
 */
enum status password_verify(const char *hash, const char *password, bool *ok,
			    bool *rehash) WARN_UNUSED;
/* Resets the hashing statistics and dummy hash (limits changed). */
void password_limits_changed(void);

/* ---- tokens.c ------------------------------------------------------------ */

/* A fresh random token as base64url text (ACCOUNT_TOKEN_LEN with NUL). */
void token_new(char out[ACCOUNT_TOKEN_LEN]);
/*
 * The stored hash of a token's text: BLAKE2b-256 of the decoded bytes.
 * false when text is not a well-formed token.
 */
bool token_hash(const char *text, unsigned char hash[STORE_TOKEN_HASH]);
/* Constant-time equality of two NUL-terminated strings. */
bool token_equal(const char *a, const char *b);

/* ---- throttle.c ---------------------------------------------------------- */

/*
 * Takes one attempt from the buckets of the account (a normalised email)
 * and of the client address; false when either is empty (nothing taken).
 * *retry_after gets the seconds until an attempt is possible.
 */
bool throttle_take(const char *email, const char *addr, int64_t *retry_after);
/* Empties every bucket (limits changed; tests). */
void throttle_reset(void);

/* ---- sessions.c ---------------------------------------------------------- */

/* Fills the membership fields of v for user_id (state, until, paywall). */
enum status viewer_load_user(struct store *s, int64_t user_id,
			     struct viewer *v) WARN_UNUSED;

/* ---- membership.c -------------------------------------------------------- */

/* The effective state of a stored membership at now. */
enum membership_state membership_effective(const struct membership *m,
					   int64_t now);
/* Adds an audit event (kind, detail) for a user; amount 0. */
enum status membership_event(struct store *s, int64_t user_id, const char *kind,
			     const char *detail) WARN_UNUSED;

/* ---- mail.c -------------------------------------------------------------- */

/* Sends a plain-text mail over account_setting_smtp_url(). */
enum status mail_send(const char *to, const char *subject,
		      const char *body) WARN_UNUSED;

/* "YYYY-MM-DD" of t (UTC) into out (>= 11 bytes). */
void account_day(int64_t t, char *out, size_t size);

#endif
