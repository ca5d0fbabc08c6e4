/*
 * membership.c — membership states, the free trial, manual grants and
 * revocations, and the billing provider's signed webhooks.
 *
 * The stored state is what the last change said; the effective state is
 * computed when read: a trial or membership whose current_period_end has
 * passed is lapsed. Every change writes a billing event in the same
 * transaction, so billing_events is the audit trail of memberships and the
 * record of revenue the payout pool is computed from.
 */
#include "common.h"

#include <jansson.h>
#include <sodium.h>

#include "account/internal.h"
#include "account/settings.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"

/* A paid period when the provider does not say (days). */
enum { DEFAULT_PERIOD_DAYS = 31 };

enum membership_state
membership_effective(const struct membership *m, int64_t now)
{
	if (!m || !m->state)
		return MEMBERSHIP_VISITOR;
	if (!strcmp(m->state, "cancelled"))
		return MEMBERSHIP_CANCELLED;
	if (!strcmp(m->state, "lapsed"))
		return MEMBERSHIP_LAPSED;
	if (m->current_period_end <= now)
		return MEMBERSHIP_LAPSED;
	if (!strcmp(m->state, "trial"))
		return MEMBERSHIP_TRIAL;
	if (!strcmp(m->state, "member"))
		return MEMBERSHIP_MEMBER;
	return MEMBERSHIP_VISITOR;
}

enum status
account_membership(struct store *s, int64_t user_id,
		   struct membership_view *out)
{
	struct membership m = {0};
	struct membership_view v = {0};
	enum status rc = store_membership_get(s, user_id, &m);

	if (rc == ST_NOTFOUND) {
		v.state = MEMBERSHIP_VISITOR;
		*out = v;
		return ST_OK;
	}
	if (rc)
		return rc;
	v.state = membership_effective(&m, clock_now());
	v.started_at = m.started_at;
	v.until = m.current_period_end;
	v.trial_used = m.trial_used;
	membership_release(&m);
	*out = v;
	return ST_OK;
}

enum status
membership_event(struct store *s, int64_t user_id, const char *kind,
		 const char *detail)
{
	struct billing_event e = {
		.user_id = user_id,
		.kind = (char *)kind,
		.detail = (char *)detail,
		.created_at = clock_now(),
	};

	return store_billing_event_add(s, &e);
}

/*
 * Loads the stored membership of user_id (or a blank one), lets change()
 * edit it, saves it and adds the event e, in one transaction.
 */
static enum status
change_membership(struct store *s, int64_t user_id,
		  enum status (*change)(struct membership *m, void *arg),
		  void *arg, struct billing_event *e)
{
	struct membership m = {0};
	enum status rc = store_begin(s);

	if (rc)
		return rc;
	rc = store_membership_get(s, user_id, &m);
	if (rc == ST_NOTFOUND) {
		memset(&m, 0, sizeof(m));
		m.user_id = user_id;
		rc = ST_OK;
	}
	if (!rc)
		rc = change(&m, arg);
	if (!rc) {
		m.updated_at = clock_now();
		rc = store_membership_put(s, &m);
	}
	if (!rc) {
		e->user_id = user_id;
		e->created_at = clock_now();
		rc = store_billing_event_add(s, e);
	}
	if (!rc)
		rc = store_commit(s);
	if (rc)
		store_rollback(s);
	membership_release(&m);
	return rc;
}

static void
set_state(struct membership *m, const char *state)
{
	free(m->state);
	m->state = xstrdup(state);
}

static enum status
start_trial(struct membership *m, void *arg)
{
	int64_t now = clock_now();

	(void)arg;
	if (m->trial_used)
		return ST_EXISTS;
	if (membership_effective(m, now) == MEMBERSHIP_MEMBER)
		return ST_CONFLICT;
	set_state(m, "trial");
	m->trial_used = true;
	m->started_at = now;
	m->current_period_end = now + config.trial_days * 86400;
	return ST_OK;
}

enum status
account_trial_start(struct store *s, int64_t user_id)
{
	char detail[64];
	struct billing_event e = {.kind = (char *)"trial_started"};

	snprintf(detail, sizeof(detail), "%ld-day free trial",
		 config.trial_days);
	e.detail = detail;
	return change_membership(s, user_id, start_trial, NULL, &e);
}

static enum status
grant(struct membership *m, void *arg)
{
	int64_t until = *(int64_t *)arg, now = clock_now();

	if (until <= now)
		return ST_INVAL;
	if (membership_effective(m, now) != MEMBERSHIP_MEMBER)
		m->started_at = now;
	set_state(m, "member");
	m->current_period_end = until;
	return ST_OK;
}

enum status
account_grant(struct store *s, int64_t user_id, int64_t until, const char *by)
{
	char detail[128], day[16];
	struct billing_event e = {.kind = (char *)"granted"};

	account_day(until - 1, day, sizeof(day));
	snprintf(detail, sizeof(detail), "member through %s by %s", day,
		 by ? by : "an operator");
	e.detail = detail;
	return change_membership(s, user_id, grant, &until, &e);
}

static enum status
revoke(struct membership *m, void *arg)
{
	int64_t now = clock_now();

	(void)arg;
	set_state(m, "cancelled");
	if (!m->started_at)
		m->started_at = now;
	if (m->current_period_end > now || !m->current_period_end)
		m->current_period_end = now;
	return ST_OK;
}

enum status
account_revoke(struct store *s, int64_t user_id, const char *by)
{
	char detail[128];
	struct billing_event e = {.kind = (char *)"revoked"};

	snprintf(detail, sizeof(detail), "revoked by %s",
		 by ? by : "an operator");
	e.detail = detail;
	return change_membership(s, user_id, revoke, NULL, &e);
}

/* ---- Webhooks ------------------------------------------------------------ */

static void
hmac_hex(const char *secret, const char *t, const char *payload, size_t len,
	 char hex[crypto_auth_hmacsha256_BYTES * 2 + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, strlen(t));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)payload, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, crypto_auth_hmacsha256_BYTES * 2 + 1, mac,
		       sizeof(mac));
}

void
account_webhook_sign(const char *secret, int64_t t, const char *payload,
		     size_t len, struct buf *out)
{
	char ts[24], hex[crypto_auth_hmacsha256_BYTES * 2 + 1];

	if (!account_sodium_ready())
		return;
	snprintf(ts, sizeof(ts), "%" PRId64, t);
	hmac_hex(secret, ts, payload, len, hex);
	buf_addf(out, "t=%s,v1=%s", ts, hex);
}

enum status
account_webhook_verify(const char *secret, const char *header,
		       const char *payload, size_t len)
{
	char ts[24] = "", hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
	const char *p = header;
	bool matched = false;
	long long t;
	char *end;

	if (!account_sodium_ready())
		return ST_INTERNAL;
	if (!secret || !*secret)
		return log_warn(ST_DENIED, "account: webhook refused: no "
					   "webhook_secret is set");
	if (!header || !payload)
		return ST_INVAL;
	/* First pass: the timestamp. */
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n > 2 && !strncmp(p, "t=", 2) && n - 2 < sizeof(ts))
			snprintf(ts, sizeof(ts), "%.*s", (int)(n - 2), p + 2);
		p += n;
		if (*p == ',')
			p++;
	}
	errno = 0;
	t = strtoll(ts, &end, 10);
	if (!ts[0] || errno || *end || t <= 0)
		return ST_INVAL;
	hmac_hex(secret, ts, payload, len, hex);
	/* Second pass: any v1 signature may match (secret rotation). */
	for (p = header; *p;) {
		size_t n = strcspn(p, ",");

		if (n == 3 + sizeof(hex) - 1 && !strncmp(p, "v1=", 3) &&
		    sodium_memcmp(p + 3, hex, sizeof(hex) - 1) == 0)
			matched = true;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!matched)
		return ST_DENIED;
	if (t < clock_now() - ACCOUNT_WEBHOOK_TOLERANCE ||
	    t > clock_now() + ACCOUNT_WEBHOOK_TOLERANCE)
		return ST_DENIED;
	return ST_OK;
}

enum hook_kind {
	HOOK_CREATED,
	HOOK_RENEWED,
	HOOK_CANCELLED,
	HOOK_FAILED,
};

static const struct {
	const char *type;    /* the event's type */
	enum hook_kind kind; /* what it does */
	const char *event;   /* our billing event kind */
} hook_types[] = {
	{"subscription.created", HOOK_CREATED, "subscription_created"},
	{"customer.subscription.created", HOOK_CREATED, "subscription_created"},
	{"subscription.renewed", HOOK_RENEWED, "subscription_renewed"},
	{"invoice.paid", HOOK_RENEWED, "subscription_renewed"},
	{"invoice.payment_succeeded", HOOK_RENEWED, "subscription_renewed"},
	{"subscription.cancelled", HOOK_CANCELLED, "subscription_cancelled"},
	{"customer.subscription.deleted", HOOK_CANCELLED,
	 "subscription_cancelled"},
	{"payment.failed", HOOK_FAILED, "payment_failed"},
	{"invoice.payment_failed", HOOK_FAILED, "payment_failed"},
};

struct hook {
	enum hook_kind kind;
	const char *customer;	  /* provider's customer id, or NULL */
	const char *subscription; /* provider's subscription id, or NULL */
	int64_t period_end;	  /* 0: not given */
};

static enum status
apply_hook(struct membership *m, void *arg)
{
	const struct hook *h = arg;
	int64_t now = clock_now();

	if (h->customer) {
		free(m->provider_customer);
		m->provider_customer = xstrdup(h->customer);
	}
	if (h->subscription) {
		free(m->provider_subscription);
		m->provider_subscription = xstrdup(h->subscription);
	}
	switch (h->kind) {
	case HOOK_CREATED:
	case HOOK_RENEWED:
		if (membership_effective(m, now) != MEMBERSHIP_MEMBER)
			m->started_at = now;
		set_state(m, "member");
		m->current_period_end =
			h->period_end > now
				? h->period_end
				: MAX(m->current_period_end, now) +
					  DEFAULT_PERIOD_DAYS * 86400;
		break;
	case HOOK_CANCELLED:
		set_state(m, "cancelled");
		if (!m->started_at)
			m->started_at = now;
		if (m->current_period_end > now)
			m->current_period_end = now;
		break;
	case HOOK_FAILED:
		set_state(m, "lapsed");
		if (!m->started_at)
			m->started_at = now;
		if (m->current_period_end > now)
			m->current_period_end = now;
		break;
	}
	return ST_OK;
}

/* Finds the member an event is about: user_id, email, then customer. */
static enum status
hook_user(struct store *s, json_t *data, int64_t *user_id)
{
	json_t *id = json_object_get(data, "user_id");
	const char *email = json_string_value(json_object_get(data, "email"));
	const char *customer =
		json_string_value(json_object_get(data, "customer"));
	enum status rc;

	if (json_is_integer(id) && json_integer_value(id) > 0) {
		struct user u = {0};

		rc = store_user_get(s, json_integer_value(id), &u);
		if (!rc)
			*user_id = u.id;
		user_release(&u);
		return rc;
	}
	if (email) {
		char norm[256];
		const char *why;
		struct user u = {0};

		if (!account_email_normalise(email, norm, sizeof(norm), &why))
			return ST_INVAL;
		rc = store_user_by_email(s, norm, &u);
		if (!rc)
			*user_id = u.id;
		user_release(&u);
		return rc;
	}
	if (customer) {
		struct membership m = {0};

		rc = store_membership_by_customer(s, customer, &m);
		if (!rc)
			*user_id = m.user_id;
		membership_release(&m);
		return rc;
	}
	return ST_INVAL;
}

enum status
account_webhook_handle(struct store *s, const char *signature,
		       const char *payload, size_t len)
{
	json_t *root = NULL, *data;
	json_error_t jerr;
	const char *id, *type, *currency;
	struct billing_event e = {0};
	struct hook h = {0};
	char detail[160];
	int64_t user_id = 0;
	enum status rc;
	size_t i;

	rc = account_webhook_verify(account_setting_webhook_secret(), signature,
				    payload, len);
	if (rc)
		return rc;
	root = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root)) {
		rc = ST_INVAL;
		goto out;
	}
	id = json_string_value(json_object_get(root, "id"));
	type = json_string_value(json_object_get(root, "type"));
	data = json_object_get(root, "data");
	if (json_is_object(json_object_get(data, "object")))
		data = json_object_get(data, "object"); /* Stripe's nesting */
	if (!id || !*id || !type || !json_is_object(data)) {
		rc = ST_INVAL;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(hook_types); i++)
		if (!strcmp(type, hook_types[i].type))
			break;
	if (i == ARRAY_SIZE(hook_types)) {
		rc = ST_UNSUPPORTED;
		goto out;
	}
	h.kind = hook_types[i].kind;
	h.customer = json_string_value(json_object_get(data, "customer"));
	h.subscription =
		json_string_value(json_object_get(data, "subscription"));
	if (json_is_integer(json_object_get(data, "period_end")))
		h.period_end =
			json_integer_value(json_object_get(data, "period_end"));
	rc = hook_user(s, data, &user_id);
	if (rc)
		goto out;
	e.kind = (char *)hook_types[i].event;
	e.provider_event_id = (char *)id;
	if (h.kind == HOOK_CREATED || h.kind == HOOK_RENEWED) {
		json_t *amount = json_object_get(data, "amount_cents");

		if (json_is_integer(amount) && json_integer_value(amount) > 0)
			e.amount_cents = json_integer_value(amount);
	}
	currency = json_string_value(json_object_get(data, "currency"));
	e.currency = (char *)currency;
	snprintf(detail, sizeof(detail), "%s from the billing provider", type);
	e.detail = detail;
	rc = change_membership(s, user_id, apply_hook, &h, &e);
	if (rc == ST_EXISTS)
		log_warn(ST_EXISTS, "account: webhook event %.60s replayed",
			 id);
out:
	json_decref(root);
	return rc;
}
