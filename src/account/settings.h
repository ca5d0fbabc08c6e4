/*
 * settings.h — the account module's settings, from the configuration table
 * (base/config.h; file, NEWSSTAND_<NAME> variables, defaults):
 *
 *   smtp_url		 smtp://host:port of the mail relay ("" : no mail)
 *   mail_from		 sender address of account mail
 *   webhook_secret	 shared secret of the billing provider's webhooks
 *   payout_pool_fraction share of the month's revenue paid out: "0.7" or
 *			 "70%" (default 0.5)
 *   payout_pool_cents	 a fixed monthly pool in cents; overrides the
 *			 fraction when set and positive
 *   hash_concurrency	 password hashes at once (read by `serve`, which
 *			 passes it to account_limits_set())
 *
 * A NEWSSTAND_<NAME> variable set in the environment wins over the table,
 * as it does at start-up, and is read at each call (tests change it).
 * The strings returned are the environment's, the configuration's or
 * static: do not free them.
 */
#ifndef NEWSSTAND_ACCOUNT_SETTINGS_H
#define NEWSSTAND_ACCOUNT_SETTINGS_H

#include "common.h"

const char *account_setting_smtp_url(void);
const char *account_setting_mail_from(void);
const char *account_setting_webhook_secret(void);
/* The pool fraction in basis points (0 … 10000); 5000 by default. */
long account_setting_pool_fraction_bp(void);
/* The fixed pool in cents; 0 when not set. */
int64_t account_setting_pool_cents(void);
/* Parses "0.7", "70%" or "1" into basis points; false when invalid. */
bool account_parse_fraction_bp(const char *s, long *out);

#endif
