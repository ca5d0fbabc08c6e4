/*
 * config.h — every setting of newsstand, from one table.
 *
 * Values come from the built-in defaults, then a config file (name = value
 * lines), then NEWSSTAND_<NAME> environment variables, then command-line
 * flags: each later source overrides the earlier ones. A bad value is reported
 * with the setting's name, where it came from (file and line, variable or
 * flag) and what is allowed; the program does not start with a bad config.
 *
 * The configuration is the one mutable global: it is filled in at start-up and
 * read-only afterwards (tests may change it before starting what they test).
 */
#ifndef NEWSSTAND_BASE_CONFIG_H
#define NEWSSTAND_BASE_CONFIG_H

#include "common.h"

struct config {
	char *data_dir;		    /* where the database and media live */
	char *listen;		    /* ADDR:PORT the web server binds */
	char *base_url;		    /* public URL of the site, no slash */
	int log_level;		    /* enum log_level */
	long web_threads;	    /* HTTP worker threads; 0: one a core */
	long web_max_connections;   /* open connections at most */
	long web_max_per_ip;	    /* open connections per client address */
	long web_timeout;	    /* idle connection timeout, seconds */
	bool web_cache;		    /* cache anonymous pages in memory */
	char *trusted_proxies;	    /* addresses whose X-Forwarded-For counts */
	long fetch_concurrency;	    /* transfers at once */
	long fetch_per_host;	    /* transfers at once to one host */
	long fetch_connect_timeout; /* seconds */
	long fetch_timeout;	    /* seconds for a whole transfer */
	long fetch_max_body;	    /* bytes after decompression */
	long fetch_max_redirects;   /* redirects followed at most */
	char *fetch_user_agent;	    /* User-Agent header */
	char *fetch_allow;	/* addresses/hosts let past the SSRF guard */
	long poll_min;		/* shortest polling interval, seconds */
	long poll_max;		/* longest polling interval, seconds */
	long teaser_length;	/* characters of body shown to visitors */
	long trial_days;	/* length of the free trial */
	long session_idle;	/* seconds a session lives unused */
	long session_max;	/* seconds a session lives at most */
	long extract_min_ratio; /* % of page text a feed must carry */
	char *smtp_url;	      /* smtp://host:port of the mail relay; "": none */
	char *mail_from;      /* sender of account mail */
	char *webhook_secret; /* billing webhooks' secret; "": refused */
	char *payout_pool_fraction; /* revenue share paid out: "0.5", "70%" */
	long payout_pool_cents;	    /* fixed monthly pool; 0: the fraction */
	long hash_concurrency;	    /* password hashes at once */
};

extern struct config config;

/* Sets every setting to its default (frees earlier values). */
void config_defaults(void);
void config_free(void);
/* Reads name = value lines from path. */
enum status config_load_file(const char *path) WARN_UNUSED;
/* Reads NEWSSTAND_<NAME> for every setting. */
enum status config_load_env(void) WARN_UNUSED;
/*
 * Sets one setting by name (dashes and underscores alike). origin says where
 * the value came from, for the error message ("--listen", "file:12"…).
 */
enum status config_set(const char *name, const char *value,
		       const char *origin) WARN_UNUSED;
/*
 * The usual start-up: defaults, then the file named by --config or
 * NEWSSTAND_CONFIG (or /etc/newsstand/newsstand.conf when it exists), then
 * the environment. Command-line flags are applied by the caller afterwards.
 */
enum status config_load(const char *config_file) WARN_UNUSED;
/* Prints every setting with its type, default and help (for --help). */
void config_print_help(FILE *out);
/* Parses "30", "30s", "5m", "24h", "14d" into seconds. */
enum status config_parse_duration(const char *s, long *out) WARN_UNUSED;
/* Parses "1048576", "512K", "10M", "10MiB", "1G" into bytes. */
enum status config_parse_size(const char *s, long *out) WARN_UNUSED;

#endif
