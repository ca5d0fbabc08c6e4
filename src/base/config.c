#include "common.h"

#include <ctype.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"

struct config config;

enum setting_type {
	SET_STRING,
	SET_INT,
	SET_BOOL,
	SET_DURATION,
	SET_SIZE,
	SET_LOG_LEVEL,
	SET_LISTEN,
	SET_URL,
};

struct setting {
	const char *name;	/* as in the file; NEWSSTAND_ + upper case */
	enum setting_type type; /* how the value is parsed */
	size_t offset;		/* where in struct config */
	const char *default_value;
	long min, max;	  /* bounds for numbers */
	const char *help; /* one line for --help and the example file */
};

#define S(name, type, def, min, max, help)                                     \
	{                                                                      \
#name, type, offsetof(struct config, name), def, min, max,     \
			help                                                   \
	}

/* clang-format off */
static const struct setting settings[] = {
	S(data_dir, SET_STRING, "var", 0, 0,
	  "data directory: database, media, demo files"),
	S(listen, SET_LISTEN, "127.0.0.1:8080", 0, 0,
	  "address and port the web server listens on"),
	S(base_url, SET_URL, "http://127.0.0.1:8080", 0, 0,
	  "public URL of the site, for links in feeds and mail"),
	S(log_level, SET_LOG_LEVEL, "info", 0, 0,
	  "error, warn, info or debug"),
	S(web_threads, SET_INT, "0", 0, 256,
	  "HTTP serving threads (0: one per core)"),
	S(web_max_connections, SET_INT, "4096", 1, 1000000,
	  "open HTTP connections at most"),
	S(web_max_per_ip, SET_INT, "256", 1, 1000000,
	  "open HTTP connections per client address"),
	S(web_timeout, SET_DURATION, "30s", 1, 3600,
	  "idle HTTP connection timeout"),
	S(web_cache, SET_BOOL, "true", 0, 0,
	  "keep rendered pages for visitors in memory"),
	S(trusted_proxies, SET_STRING, "", 0, 0,
	  "comma-separated proxy addresses whose X-Forwarded-For is trusted"),
	S(fetch_concurrency, SET_INT, "32", 1, 1024,
	  "feed transfers at once"),
	S(fetch_per_host, SET_INT, "4", 1, 256,
	  "feed transfers at once to one host"),
	S(fetch_connect_timeout, SET_DURATION, "10s", 1, 600,
	  "connect timeout"),
	S(fetch_timeout, SET_DURATION, "30s", 1, 3600,
	  "timeout for a whole transfer"),
	S(fetch_max_body, SET_SIZE, "10MiB", 1024, 1L << 30,
	  "largest response body, counted after decompression"),
	S(fetch_max_redirects, SET_INT, "5", 0, 20,
	  "redirects followed at most"),
	S(fetch_user_agent, SET_STRING,
	  "newsstand/" NEWSSTAND_VERSION " (+https://newsstand.example/bot)", 0, 0,
	  "User-Agent of the fetcher"),
	S(fetch_allow, SET_STRING, "", 0, 0,
	  "comma-separated hosts or CIDR ranges let past the private-address guard"),
	S(poll_min, SET_DURATION, "5m", 10, 7 * 86400,
	  "shortest interval between fetches of a feed"),
	S(poll_max, SET_DURATION, "24h", 60, 30 * 86400,
	  "longest interval between fetches of a feed"),
	S(teaser_length, SET_INT, "600", 50, 100000,
	  "characters of an article's text shown to visitors"),
	S(trial_days, SET_INT, "14", 0, 365,
	  "length of the free trial in days"),
	S(session_idle, SET_DURATION, "14d", 60, 365 * 86400,
	  "how long a session lives unused"),
	S(session_max, SET_DURATION, "30d", 60, 365 * 86400,
	  "how long a session lives at most"),
	S(extract_min_ratio, SET_INT, "60", 0, 100,
	  "fetch the page when the feed's text is under this % of it"),
	S(smtp_url, SET_STRING, "", 0, 0,
	  "smtp:// or smtps:// URL of the relay for account mail (empty: none)"),
	S(mail_from, SET_STRING, "newsstand@localhost", 0, 0,
	  "sender address of account mail"),
	S(webhook_secret, SET_STRING, "", 0, 0,
	  "secret of the billing provider's webhooks (empty: refused)"),
	S(payout_pool_fraction, SET_STRING, "0.5", 0, 0,
	  "share of the month's revenue paid to publishers: 0.7 or 70%"),
	S(payout_pool_cents, SET_INT, "0", 0, LONG_MAX,
	  "a fixed monthly payout pool in cents; 0: use the fraction"),
	S(hash_concurrency, SET_INT, "4", 1, 256,
	  "password hashes at once (64 MiB each), on as many web threads"),
};
/* clang-format on */

static const struct setting *
find_setting(const char *name)
{
	char norm[64];
	size_t i, len = strlen(name);

	if (len >= sizeof(norm))
		return NULL;
	for (i = 0; i <= len; i++)
		norm[i] = name[i] == '-'
				  ? '_'
				  : (char)tolower((unsigned char)name[i]);
	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if (!strcmp(settings[i].name, norm))
			return &settings[i];
	return NULL;
}

static const char *
type_text(const struct setting *s)
{
	switch (s->type) {
	case SET_STRING:
		return "a string";
	case SET_INT:
		return "a whole number";
	case SET_BOOL:
		return "true or false";
	case SET_DURATION:
		return "a duration (30s, 5m, 24h, 14d)";
	case SET_SIZE:
		return "a size (512K, 10MiB, 1G)";
	case SET_LOG_LEVEL:
		return "error, warn, info or debug";
	case SET_LISTEN:
		return "ADDR:PORT (127.0.0.1:8080, [::1]:8080)";
	case SET_URL:
		return "an http:// or https:// URL";
	}
	return "?";
}

enum status
config_parse_duration(const char *s, long *out)
{
	char *end;
	long v, mult = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v < 0)
		return ST_INVAL;
	if (*end) {
		switch (*end) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		default:
			return ST_INVAL;
		}
		if (end[1])
			return ST_INVAL;
	}
	if (v > LONG_MAX / mult)
		return ST_INVAL;
	*out = v * mult;
	return ST_OK;
}

enum status
config_parse_size(const char *s, long *out)
{
	char *end;
	long v, mult = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v < 0)
		return ST_INVAL;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K':
			mult = 1L << 10;
			break;
		case 'M':
			mult = 1L << 20;
			break;
		case 'G':
			mult = 1L << 30;
			break;
		default:
			return ST_INVAL;
		}
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return ST_INVAL;
	}
	if (v > LONG_MAX / mult)
		return ST_INVAL;
	*out = v * mult;
	return ST_OK;
}

static bool
is_listen(const char *v)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long port;

	if (!colon || colon == v)
		return false;
	if (v[0] == '[' && colon[-1] != ']')
		return false;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	return !errno && end != colon + 1 && !*end && port >= 0 &&
	       port <= 65535;
}

static enum status
bad_value(const struct setting *s, const char *value, const char *origin)
{
	if (s->type == SET_INT || s->type == SET_DURATION ||
	    s->type == SET_SIZE)
		return log_error(ST_INVAL,
				 "config: %s: %s: '%s' is not valid: allowed "
				 "is %s from %ld to %ld",
				 origin, s->name, value, type_text(s), s->min,
				 s->max);
	return log_error(ST_INVAL,
			 "config: %s: %s: '%s' is not valid: allowed is %s",
			 origin, s->name, value, type_text(s));
}

static enum status
apply(const struct setting *s, const char *value, const char *origin)
{
	char *field = (char *)&config + s->offset;
	long number = 0;
	char *end;
	enum log_level level;

	switch (s->type) {
	case SET_URL:
		if (strncmp(value, "http://", 7) &&
		    strncmp(value, "https://", 8))
			return bad_value(s, value, origin);
		/* fall through */
	case SET_STRING:
	case SET_LISTEN:
		if (s->type == SET_LISTEN && !is_listen(value))
			return bad_value(s, value, origin);
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		if (s->type == SET_URL) {
			char *u = *(char **)field;
			size_t n = strlen(u);

			while (n > 8 && u[n - 1] == '/')
				u[--n] = '\0';
		}
		return ST_OK;
	case SET_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "yes") ||
		    !strcmp(value, "on") || !strcmp(value, "1"))
			*(bool *)field = true;
		else if (!strcmp(value, "false") || !strcmp(value, "no") ||
			 !strcmp(value, "off") || !strcmp(value, "0"))
			*(bool *)field = false;
		else
			return bad_value(s, value, origin);
		return ST_OK;
	case SET_LOG_LEVEL:
		if (log_level_parse(value, &level))
			return bad_value(s, value, origin);
		*(int *)field = (int)level;
		log_set_level(level);
		return ST_OK;
	case SET_INT:
		errno = 0;
		number = strtol(value, &end, 10);
		if (end == value || *end || errno)
			return bad_value(s, value, origin);
		break;
	case SET_DURATION:
		if (config_parse_duration(value, &number))
			return bad_value(s, value, origin);
		break;
	case SET_SIZE:
		if (config_parse_size(value, &number))
			return bad_value(s, value, origin);
		break;
	}
	if (number < s->min || number > s->max)
		return bad_value(s, value, origin);
	*(long *)field = number;
	return ST_OK;
}

enum status
config_set(const char *name, const char *value, const char *origin)
{
	const struct setting *s = find_setting(name);

	if (!s)
		return log_error(ST_INVAL,
				 "config: %s: unknown setting '%s' (see "
				 "'newsstand --help-config')",
				 origin, name);
	return apply(s, value, origin);
}

void
config_free(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		enum setting_type t = settings[i].type;

		if (t == SET_STRING || t == SET_LISTEN || t == SET_URL) {
			char **field =
				(char **)((char *)&config + settings[i].offset);
			free(*field);
			*field = NULL;
		}
	}
}

void
config_defaults(void)
{
	size_t i;

	config_free();
	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if (apply(&settings[i], settings[i].default_value, "default"))
			die("bad default for %s", settings[i].name);
}

enum status
config_load_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], origin[4200];
	unsigned lineno = 0;
	enum status rc = ST_OK;

	if (!f)
		return log_error(ST_IO, "config: cannot open %s: %s", path,
				 strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *name, *value, *eq, *end;

		lineno++;
		snprintf(origin, sizeof(origin), "%s:%u", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			rc = log_error(ST_INVAL, "config: %s: line too long",
				       origin);
			break;
		}
		name = line;
		while (isspace((unsigned char)*name))
			name++;
		if (!*name || *name == '#' || *name == ';')
			continue;
		eq = strchr(name, '=');
		if (!eq) {
			rc = log_error(ST_INVAL,
				       "config: %s: expected 'name = value'",
				       origin);
			break;
		}
		end = eq;
		while (end > name && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		value = eq + 1;
		while (isspace((unsigned char)*value))
			value++;
		end = value + strlen(value);
		while (end > value && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		if (end - value >= 2 && value[0] == '"' && end[-1] == '"') {
			end[-1] = '\0';
			value++;
		}
		rc = config_set(name, value, origin);
		if (rc)
			break;
	}
	fclose(f);
	return rc;
}

enum status
config_load_env(void)
{
	char var[96], origin[128];
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		const char *value;
		enum status rc;

		snprintf(var, sizeof(var), "NEWSSTAND_%s", settings[i].name);
		for (j = 0; var[j]; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		value = getenv(var);
		if (!value)
			continue;
		snprintf(origin, sizeof(origin), "environment %s", var);
		rc = apply(&settings[i], value, origin);
		if (rc)
			return rc;
	}
	return ST_OK;
}

enum status
config_load(const char *config_file)
{
	const char *path = config_file;
	static const char system_file[] = "/etc/newsstand/newsstand.conf";
	enum status rc;

	config_defaults();
	if (!path)
		path = getenv("NEWSSTAND_CONFIG");
	if (!path && access(system_file, R_OK) == 0)
		path = system_file;
	if (path && *path) {
		rc = config_load_file(path);
		if (rc)
			return rc;
	}
	return config_load_env();
}

void
config_print_help(FILE *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(settings); i++)
		fprintf(out, "  %-22s %s (default: %s)\n", settings[i].name,
			settings[i].help,
			*settings[i].default_value ? settings[i].default_value
						   : "empty");
}
