/*
 * mail.c — account mail over SMTP (libcurl) and the password reset flow.
 *
 * A reset token is a one-time 256-bit token, stored as its hash, valid for
 * an hour; the mail carries base_url/reset/TOKEN. Asking for a reset gives
 * the same answer whether or not the email has an account.
 */
#include "common.h"

#include <curl/curl.h>
#include <sodium.h>

#include "account/internal.h"
#include "account/settings.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"

enum { RESET_LIFETIME = 3600, MAIL_TIMEOUT = 20 };

struct upload {
	const char *data; /* the message */
	size_t len;	  /* its length */
	size_t pos;	  /* bytes sent */
};

static size_t
read_message(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t room = size * nmemb, n = MIN(room, u->len - u->pos);

	memcpy(ptr, u->data + u->pos, n);
	u->pos += n;
	return n;
}

/* True when s is safe in a header line (no CR or LF). */
static bool
is_header_safe(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

enum status
mail_send(const char *to, const char *subject, const char *body)
{
	const char *url = account_setting_smtp_url();
	const char *from = account_setting_mail_from();
	struct buf msg = BUF_INIT;
	struct curl_slist *rcpt = NULL;
	struct upload up;
	char date[40], rcpt_to[300], mail_from[300];
	const char *p;
	CURL *curl;
	CURLcode cc;
	enum status rc = ST_OK;

	if (!url || !*url)
		return log_error(ST_IO, "account: cannot send mail: no "
					"smtp_url is set");
	if (!is_header_safe(to) || !is_header_safe(subject) ||
	    !is_header_safe(from))
		return ST_INVAL;
	clock_format_http(clock_now(), date, sizeof(date));
	buf_addf(&msg, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\n",
		 date, from, to, subject);
	buf_adds(&msg, "MIME-Version: 1.0\r\n"
		       "Content-Type: text/plain; charset=utf-8\r\n"
		       "Content-Transfer-Encoding: 8bit\r\n\r\n");
	/* Bare LFs become CRLF; curl dot-stuffs lines itself. */
	for (p = body; *p; p++) {
		if (*p == '\n' && (p == body || p[-1] != '\r'))
			buf_addc(&msg, '\r');
		buf_addc(&msg, *p);
	}
	buf_adds(&msg, "\r\n");
	if (msg.err) {
		buf_release(&msg);
		return msg.err;
	}
	snprintf(rcpt_to, sizeof(rcpt_to), "<%s>", to);
	snprintf(mail_from, sizeof(mail_from), "<%s>", from);
	up = (struct upload){msg.data, msg.len, 0};
	curl = curl_easy_init();
	if (!curl) {
		buf_release(&msg);
		return ST_NOMEM;
	}
	rcpt = curl_slist_append(NULL, rcpt_to);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)MAIL_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	cc = curl_easy_perform(curl);
	if (cc != CURLE_OK)
		rc = log_error(ST_IO, "account: sending mail: %s",
			       curl_easy_strerror(cc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	buf_release(&msg);
	return rc;
}

enum status
account_reset_request(struct store *s, const char *email,
		      const char *client_addr)
{
	char norm[256], token[ACCOUNT_TOKEN_LEN];
	unsigned char hash[STORE_TOKEN_HASH];
	struct buf body = BUF_INIT;
	struct user u = {0};
	const char *why;
	int64_t now = clock_now();
	enum status rc;

	if (!account_email_normalise(email, norm, sizeof(norm), &why))
		return ST_OK; /* the same answer */
	if (!throttle_take(norm, client_addr, NULL))
		return ST_AGAIN;
	rc = store_user_by_email(s, norm, &u);
	if (rc == ST_NOTFOUND)
		return ST_OK;
	if (rc)
		return rc;
	token_new(token);
	if (!token_hash(token, hash)) {
		rc = ST_INTERNAL;
		goto out;
	}
	rc = store_reset_add(s, hash, u.id, now, now + RESET_LIFETIME);
	if (rc)
		goto out;
	buf_addf(&body,
		 "Someone (we hope you) asked to reset the password of your "
		 "newsstand account.\n\n"
		 "To choose a new password, open this link within an hour:\n\n"
		 "  %s/reset/%s\n\n"
		 "If you did not ask for this, ignore this mail: your password "
		 "stays as it is.\n",
		 config.base_url ? config.base_url : "", token);
	rc = mail_send(u.email, "Reset your newsstand password", body.data);
out:
	sodium_memzero(token, sizeof(token));
	buf_release(&body);
	user_release(&u);
	return rc;
}

enum status
account_reset_finish(struct store *s, const char *token, const char *password,
		     const char **why)
{
	char hash_text[crypto_pwhash_STRBYTES];
	unsigned char hash[STORE_TOKEN_HASH];
	int64_t user_id = 0;
	enum status rc;

	*why = account_password_problem(password);
	if (*why)
		return ST_INVAL;
	if (!token_hash(token, hash)) {
		*why = "This reset link is not valid. Ask for a new one.";
		return ST_DENIED;
	}
	rc = password_hash(password, hash_text, sizeof(hash_text));
	if (rc)
		return rc;
	rc = store_begin(s);
	if (rc)
		return rc;
	rc = store_reset_consume(s, hash, clock_now(), &user_id);
	if (!rc)
		rc = store_user_set_password(s, user_id, hash_text);
	/* Whoever knew the old password is signed out. */
	if (!rc)
		rc = store_session_delete_user(s, user_id, 0);
	if (!rc)
		rc = membership_event(s, user_id, "password_reset", NULL);
	if (!rc)
		rc = store_commit(s);
	if (rc)
		store_rollback(s);
	if (rc == ST_NOTFOUND) {
		*why = "This reset link has expired or was used already. Ask "
		       "for a new one.";
		rc = ST_DENIED;
	}
	return rc;
}
