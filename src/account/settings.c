/*
 * settings.c — the account module's settings (see settings.h).
 */
#include "common.h"

#include "account/settings.h"

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

const char *
account_setting_smtp_url(void)
{
	return env_or("NEWSSTAND_SMTP_URL", "");
}

const char *
account_setting_mail_from(void)
{
	return env_or("NEWSSTAND_MAIL_FROM", "newsstand@localhost");
}

const char *
account_setting_webhook_secret(void)
{
	return env_or("NEWSSTAND_WEBHOOK_SECRET", "");
}

bool
account_parse_fraction_bp(const char *s, long *out)
{
	long whole = 0, frac = 0, scale = 10000;
	bool percent, digits = false;
	size_t len;
	const char *p;

	if (!s)
		return false;
	len = strlen(s);
	percent = len && s[len - 1] == '%';
	if (percent)
		scale = 100;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		digits = true;
		if (whole > 100)
			return false;
	}
	if (*p == '.') {
		long unit = scale;

		for (p++; *p >= '0' && *p <= '9'; p++) {
			digits = true;
			unit /= 10;
			frac += (*p - '0') * unit;
		}
	}
	if (!digits || (percent ? p != s + len - 1 : *p != '\0'))
		return false;
	whole = whole * scale + frac;
	if (whole > 10000)
		return false;
	*out = whole;
	return true;
}

long
account_setting_pool_fraction_bp(void)
{
	const char *v = getenv("NEWSSTAND_PAYOUT_POOL_FRACTION");
	long bp;

	if (v && *v && account_parse_fraction_bp(v, &bp))
		return bp;
	return 5000;
}

int64_t
account_setting_pool_cents(void)
{
	const char *v = getenv("NEWSSTAND_PAYOUT_POOL_CENTS");
	char *end;
	long long n;

	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < 0)
		return 0;
	return n;
}
