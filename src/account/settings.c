/*
 * settings.c — the account module's settings (see settings.h).
 */
#include "common.h"

#include "account/settings.h"
#include "base/config.h"
#include "base/log.h"

/*
 * A setting's value: its NEWSSTAND_<NAME> variable when set (the
 * environment outranks the file, as in config_load(), and is read again
 * here so a variable set after start-up still counts), else the
 * configuration table's value, else the built-in default.
 */
static const char *
setting(const char *env_name, const char *configured, const char *fallback)
{
	const char *v = getenv(env_name);

	if (v && *v)
		return v;
	if (configured && *configured)
		return configured;
	return fallback;
}

const char *
account_setting_smtp_url(void)
{
	return setting("NEWSSTAND_SMTP_URL", config.smtp_url, "");
}

const char *
account_setting_mail_from(void)
{
	return setting("NEWSSTAND_MAIL_FROM", config.mail_from,
		       "newsstand@localhost");
}

const char *
account_setting_webhook_secret(void)
{
	return setting("NEWSSTAND_WEBHOOK_SECRET", config.webhook_secret, "");
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
	const char *v = setting("NEWSSTAND_PAYOUT_POOL_FRACTION",
				config.payout_pool_fraction, "0.5");
	long bp;

	if (account_parse_fraction_bp(v, &bp))
		return bp;
	log_warn(ST_INVAL,
		 "payout_pool_fraction '%s' is not a share (0.7 or 70%%); "
		 "using 0.5",
		 v);
	return 5000;
}

int64_t
account_setting_pool_cents(void)
{
	const char *v = getenv("NEWSSTAND_PAYOUT_POOL_CENTS");
	char *end;
	long long n;

	if (!v || !*v)
		return config.payout_pool_cents > 0 ? config.payout_pool_cents
						    : 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < 0)
		return 0;
	return n;
}
