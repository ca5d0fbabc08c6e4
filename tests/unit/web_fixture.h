/*
 * web_fixture.h — a small reading-app world for the web and API tests: a
 * temporary data directory with a database of a few publishers, topics,
 * articles (one story covered by three publishers, one article whose body
 * carries a canary sentence past its teaser, enough articles of one
 * publisher to paginate), a pick, logos and a media file; and the server
 * started in-process on 127.0.0.1 with an ephemeral port.
 *
 * HTTP helpers fetch with libcurl (no automatic decompression unless asked)
 * and keep the status, headers and body.
 */
#ifndef NEWSSTAND_TESTS_WEB_FIXTURE_H
#define NEWSSTAND_TESTS_WEB_FIXTURE_H

#include "common.h"

#include "base/buf.h"

/* A sentence that only members may ever receive. */
#define WF_CANARY "The harbour canary sings only for paying members."
/* A word that appears only in the canary article's body, past its teaser. */
#define WF_BODY_WORD "quillfeather"
/* A word of the canary article's teaser. */
#define WF_TEASER_WORD "lighthouse"

struct web_fixture {
	char *dir;		   /* the data directory (removed at the end) */
	int64_t canary_id;	   /* the article with WF_CANARY in its body */
	char *canary_path;	   /* its page path "/a/ID-slug" */
	int64_t story_id;	   /* the story covered by three publishers */
	int64_t story_article_id;  /* one article of that story */
	char *story_article_path;  /* its page path */
	int64_t pick_article_id;   /* the picked article */
	struct web_server *server; /* running server, or NULL */
	int port;		   /* its port */
};

/* Builds the data directory and database (aborts the test on failure). */
void web_fixture_build(struct web_fixture *f);
/*
 * Starts the server on the fixture: config gets its defaults (unless already
 * loaded, so a test may change settings first) and the fixture's data
 * directory, an ephemeral port and two threads.
 */
void web_fixture_start(struct web_fixture *f);
/* Stops the server and removes the data directory. */
void web_fixture_release(struct web_fixture *f);
/* Adds one more article through a writer connection; returns its id. */
int64_t web_fixture_add_article(struct web_fixture *f, const char *title);

/* What a fixture user's membership is when the test starts. */
enum wf_membership {
	WF_NO_MEMBERSHIP, /* signed in, never a member */
	WF_TRIAL,	  /* a running free trial */
	WF_PAID,	  /* a running (granted) membership */
	WF_TRIAL_OVER,	  /* a trial started 30 days ago (clock), expired */
	WF_LAPSED,	  /* a membership that ended 10 days ago (clock) */
};

/* A signed-in fixture user. */
struct wf_user {
	int64_t id;	  /* users.id */
	char cookie[64];  /* the session cookie's value */
	char csrf[64];	  /* the session's CSRF token */
	char *api_token;  /* an API token ("nsk_…"), malloc'd */
	char *cookie_hdr; /* "Cookie: NAME=VALUE", malloc'd */
	char *auth_hdr;	  /* "Authorization: Bearer TOKEN", malloc'd */
};

/*
 * Creates a user (password "correct horse battery") with a role (an
 * account_role value; publisher_slug for publisher users, else NULL), the
 * membership asked for, a session and an API token. Lowers the hashing
 * cost for the test process. Release with wf_user_release().
 */
void web_fixture_user(struct web_fixture *f, const char *email, int role,
		      const char *publisher_slug, enum wf_membership m,
		      struct wf_user *out);
void wf_user_release(struct wf_user *u);

struct http_reply {
	long status;	 /* HTTP status, 0 when the transfer failed */
	struct buf head; /* response headers as received */
	struct buf body; /* response body (decoded when gzip was asked) */
	double seconds;	 /* total time */
};

/*
 * GETs path on the fixture's server. headers: NULL-terminated extra request
 * lines ("If-None-Match: x"), may be NULL. gzip: ask for gzip and decode.
 */
void http_get(const struct web_fixture *f, const char *path,
	      const char *const *headers, bool gzip, struct http_reply *out);
/* Like http_get with another method (no body). */
void http_request(const struct web_fixture *f, const char *method,
		  const char *path, const char *const *headers, bool gzip,
		  struct http_reply *out);
/*
 * A request with extra header lines (NULL-terminated, may be NULL) and an
 * urlencoded form body (NULL: none), as a browser's form sends it.
 */
void http_send(const struct web_fixture *f, const char *method,
	       const char *path, const char *const *lines, const char *form,
	       struct http_reply *out);
/* The same with the session cookie's value (NULL: none) as the line. */
void http_form(const struct web_fixture *f, const char *method,
	       const char *path, const char *cookie, const char *form,
	       struct http_reply *out);
/* A response header's value (malloc'd), or NULL. Last one wins. */
char *http_header(const struct http_reply *r, const char *name);
void http_reply_release(struct http_reply *r);

#endif
