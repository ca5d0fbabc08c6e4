/*
 * sessions.c — who is asking: sessions from the cookie, API tokens from the
 * Authorization header, the client address, CSRF and role checks, the
 * paywall decision, cookies.
 *
 * A session lives until its absolute expiry (config.session_max after
 * sign-in) or until it has been idle for config.session_idle, whichever
 * comes first. Its last activity is written at most once a minute.
 */
#include "common.h"

#include <strings.h>

#include "account/internal.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"

/*
 * The route flags of web/http.h this module reads (account sits below web,
 * so it cannot include it; web/account_routes.c asserts they agree).
 */
enum {
	FLAG_MEMBER = 1u << 5,
	FLAG_EDITOR = 1u << 6,
	FLAG_ADMIN = 1u << 7,
};

/* Activity is written when the last write is older than this (seconds). */
enum { TOUCH_EVERY = 60 };

/* ---- Names --------------------------------------------------------------- */

static const char *const role_names[] = {
	[ROLE_MEMBER] = "member",
	[ROLE_EDITOR] = "editor",
	[ROLE_PUBLISHER] = "publisher",
	[ROLE_ADMIN] = "admin",
};

static const char *const state_names[] = {
	[MEMBERSHIP_VISITOR] = "visitor",     [MEMBERSHIP_TRIAL] = "trial",
	[MEMBERSHIP_MEMBER] = "member",	      [MEMBERSHIP_LAPSED] = "lapsed",
	[MEMBERSHIP_CANCELLED] = "cancelled",
};

const char *
account_role_name(enum account_role role)
{
	return (size_t)role < ARRAY_SIZE(role_names) ? role_names[role] : "?";
}

bool
account_role_parse(const char *name, enum account_role *out)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(role_names); i++) {
		if (!strcmp(name, role_names[i])) {
			*out = (enum account_role)i;
			return true;
		}
	}
	return false;
}

const char *
account_state_name(enum membership_state state)
{
	return (size_t)state < ARRAY_SIZE(state_names) ? state_names[state]
						       : "?";
}

/* ---- Writers ------------------------------------------------------------- */

/* A connection that may write: s itself, or the thread's own writer. */
static enum status
writer_for(struct store *s, struct store **out)
{
	if (store_is_writer(s)) {
		*out = s;
		return ST_OK;
	}
	return account_writer(out);
}

/* ---- Client address ------------------------------------------------------ */

/* True when addr is one of the comma- or space-separated entries of list. */
static bool
in_list(const char *list, const char *addr, size_t len)
{
	const char *p = list;

	while (p && *p) {
		size_t n;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n && n == len && !strncmp(p, addr, len))
			return true;
		p += n;
	}
	return false;
}

void
account_client_addr(const char *peer_addr, const char *xff, char *out,
		    size_t size)
{
	const char *peer = peer_addr ? peer_addr : "";
	const char *end;

	snprintf(out, size, "%s", peer);
	if (!xff || !*xff || !config.trusted_proxies ||
	    !in_list(config.trusted_proxies, peer, strlen(peer)))
		return;
	/*
	 * Walk X-Forwarded-For from the right: the last entry not added by
	 * a trusted proxy is the client (the left part is the client's own
	 * claim and may be forged).
	 */
	end = xff + strlen(xff);
	while (end > xff) {
		const char *start = end, *a, *b;

		while (start > xff && start[-1] != ',')
			start--;
		a = start;
		b = end;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a) {
			snprintf(out, size, "%.*s", (int)(b - a), a);
			if (!in_list(config.trusted_proxies, a,
				     (size_t)(b - a)))
				return;
		}
		end = start > xff ? start - 1 : xff;
	}
}

/* ---- Viewers ------------------------------------------------------------- */

enum status
viewer_load_user(struct store *s, int64_t user_id, struct viewer *v)
{
	struct user u = {0};
	struct membership_view m;
	enum account_role role = ROLE_MEMBER;
	enum status rc;

	rc = store_user_get(s, user_id, &u);
	if (rc)
		return rc;
	rc = account_membership(s, user_id, &m);
	if (rc)
		goto out;
	(void)account_role_parse(u.role, &role);
	v->user_id = u.id;
	snprintf(v->email, sizeof(v->email), "%s", u.email ? u.email : "");
	v->role = role;
	v->publisher_id = u.publisher_id;
	v->onboarded = u.onboarded;
	v->state = m.state;
	v->until = m.until;
	v->trial_used = m.trial_used;
	v->can_read_full = account_can_read_full(v);
out:
	user_release(&u);
	return rc;
}

static enum status
resolve_bearer(struct store *s, const char *token, struct viewer *v)
{
	unsigned char hash[STORE_TOKEN_HASH];
	int64_t user_id, token_id, last_used, now = clock_now();
	size_t plen = strlen(ACCOUNT_API_TOKEN_PREFIX);
	struct store *w;
	enum status rc;

	if (strncmp(token, ACCOUNT_API_TOKEN_PREFIX, plen) ||
	    !token_hash(token + plen, hash))
		return ST_OK;
	rc = store_api_token_lookup(s, hash, &user_id, &token_id, &last_used);
	if (rc == ST_NOTFOUND)
		return ST_OK;
	if (rc)
		return rc;
	rc = viewer_load_user(s, user_id, v);
	if (rc == ST_NOTFOUND)
		return ST_OK;
	if (rc)
		return rc;
	v->via_bearer = true;
	if (now - last_used >= TOUCH_EVERY && !writer_for(s, &w) &&
	    store_api_token_touch(w, token_id, now))
		log_debug("account: API token %" PRId64 " not touched",
			  token_id);
	return ST_OK;
}

static enum status
resolve_cookie(struct store *s, const char *cookie, struct viewer *v)
{
	unsigned char hash[STORE_TOKEN_HASH];
	struct store_session ss = {0};
	int64_t now = clock_now();
	struct store *w;
	enum status rc;

	if (!token_hash(cookie, hash))
		return ST_OK;
	rc = store_session_by_hash(s, hash, &ss);
	if (rc == ST_NOTFOUND)
		return ST_OK;
	if (rc)
		return rc;
	if (now >= ss.expires_at ||
	    now - ss.last_seen_at >= config.session_idle) {
		/* Expired: forget it (best effort). */
		if (!writer_for(s, &w) && store_session_delete(w, ss.id))
			log_debug("account: expired session not deleted");
		goto out;
	}
	rc = viewer_load_user(s, ss.user_id, v);
	if (rc == ST_NOTFOUND) {
		rc = ST_OK;
		goto out;
	}
	if (rc)
		goto out;
	v->session_id = ss.id;
	snprintf(v->csrf, sizeof(v->csrf), "%s",
		 ss.csrf_token ? ss.csrf_token : "");
	if (now - ss.last_seen_at >= TOUCH_EVERY && !writer_for(s, &w) &&
	    store_session_touch(w, ss.id, now))
		log_debug("account: session %" PRId64 " not touched", ss.id);
out:
	store_session_release(&ss);
	return rc;
}

enum status
account_resolve_viewer(struct store *s, const char *cookie_value,
		       const char *auth_header, const char *peer_addr,
		       const char *xff, struct viewer *out)
{
	struct viewer v;
	enum status rc = ST_OK;

	memset(&v, 0, sizeof(v));
	account_client_addr(peer_addr, xff, v.client_addr,
			    sizeof(v.client_addr));
	if (auth_header && !strncasecmp(auth_header, "Bearer ", 7)) {
		const char *token = auth_header + 7;

		while (*token == ' ')
			token++;
		rc = resolve_bearer(s, token, &v);
	} else if (cookie_value && *cookie_value) {
		rc = resolve_cookie(s, cookie_value, &v);
	}
	if (rc)
		return rc;
	if (!v.user_id) {
		/* Whatever was half-filled, a visitor is a visitor. */
		char addr[sizeof(v.client_addr)];

		memcpy(addr, v.client_addr, sizeof(addr));
		memset(&v, 0, sizeof(v));
		memcpy(v.client_addr, addr, sizeof(addr));
	}
	*out = v;
	return ST_OK;
}

bool
account_check_csrf(const struct viewer *v, const char *token)
{
	if (!v || !v->user_id)
		return false;
	if (v->via_bearer)
		return true;
	if (!v->session_id || !v->csrf[0])
		return false;
	return token_equal(v->csrf, token);
}

bool
account_has_role(const struct viewer *v, enum account_role role)
{
	if (!v || !v->user_id)
		return false;
	if (v->role == ROLE_ADMIN || role == ROLE_MEMBER)
		return true;
	if (role == ROLE_PUBLISHER)
		return v->role == ROLE_PUBLISHER && v->publisher_id > 0;
	return v->role == role;
}

bool
account_route_allowed(const struct viewer *v, unsigned route_flags)
{
	unsigned needs = route_flags & (FLAG_MEMBER | FLAG_EDITOR | FLAG_ADMIN |
					WEB_PUBLISHER);

	if (!needs)
		return true;
	if (!v || !v->user_id)
		return false;
	if ((route_flags & FLAG_EDITOR) && !account_has_role(v, ROLE_EDITOR))
		return false;
	if ((route_flags & WEB_PUBLISHER) &&
	    !account_has_role(v, ROLE_PUBLISHER))
		return false;
	if ((route_flags & FLAG_ADMIN) && !account_has_role(v, ROLE_ADMIN))
		return false;
	return true;
}

bool
account_can_read_full(const struct viewer *v)
{
	if (!v || !v->user_id)
		return false;
	if (v->state != MEMBERSHIP_TRIAL && v->state != MEMBERSHIP_MEMBER)
		return false;
	return v->until > clock_now();
}

/* ---- Cookies ------------------------------------------------------------- */

static bool
is_https(void)
{
	return config.base_url && !strncasecmp(config.base_url, "https://", 8);
}

const char *
account_cookie_name(void)
{
	return is_https() ? "__Host-session" : "session";
}

void
account_cookie_header(struct buf *out, const char *token)
{
	buf_addf(out, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%ld",
		 account_cookie_name(), token ? token : "",
		 token ? config.session_max : 0L);
	if (is_https())
		buf_adds(out, "; Secure");
}

/* ---- Sessions ------------------------------------------------------------ */

enum status
account_session_open(struct store *s, int64_t user_id, const char *client_addr,
		     const char *user_agent, struct account_login *out)
{
	struct account_login login;
	unsigned char hash[STORE_TOKEN_HASH];
	struct store_session ss = {0};
	int64_t now = clock_now();
	char ua[256];
	enum status rc;

	memset(&login, 0, sizeof(login));
	token_new(login.token);
	token_new(login.csrf);
	if (!token_hash(login.token, hash))
		return ST_INTERNAL;
	snprintf(ua, sizeof(ua), "%s", user_agent ? user_agent : "");
	ss.user_id = user_id;
	ss.csrf_token = login.csrf;
	ss.created_at = now;
	ss.last_seen_at = now;
	ss.expires_at = now + config.session_max;
	ss.user_agent = user_agent ? ua : NULL;
	ss.address = (char *)client_addr;
	rc = store_session_add(s, hash, &ss);
	if (rc)
		return rc;
	login.user_id = user_id;
	login.session_id = ss.id;
	*out = login;
	return ST_OK;
}

enum status
account_session_rotate(struct store *s, const struct viewer *v,
		       struct account_login *out)
{
	enum status rc;

	if (!v || !v->user_id || !v->session_id)
		return ST_DENIED;
	rc = store_begin(s);
	if (rc)
		return rc;
	rc = account_session_open(s, v->user_id, v->client_addr, NULL, out);
	if (!rc)
		rc = store_session_delete(s, v->session_id);
	if (!rc)
		rc = store_commit(s);
	if (rc)
		store_rollback(s);
	return rc;
}

enum status
account_signout(struct store *s, const struct viewer *v)
{
	if (!v || !v->session_id)
		return ST_OK;
	return store_session_delete(s, v->session_id);
}

enum status
account_signout_all(struct store *s, int64_t user_id)
{
	return store_session_delete_user(s, user_id, 0);
}
