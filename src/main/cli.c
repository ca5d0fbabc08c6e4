#include "common.h"

#include "base/config.h"
#include "main/cli.h"

void
cli_usage(FILE *out, const char *usage, const struct cli_option *opts)
{
	const struct cli_option *o;

	fprintf(out, "usage: %s\n", usage);
	if (!opts || !opts->name)
		return;
	fputs("\noptions:\n", out);
	for (o = opts; o->name; o++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-26s %s\n", left, o->help);
	}
	fprintf(out, "  %-26s %s\n", "--help", "show this help");
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "newsstand %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'newsstand %s --help')\n", cmd);
	return EXIT_USAGE;
}

bool
cli_parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0)
		return false;
	*out = v;
	return true;
}

int
cli_parse(int argc, char **argv, const char *usage,
	  const struct cli_option *opts, int *nargs)
{
	int i, positional = 1;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *value = NULL;
		const struct cli_option *o;
		size_t name_len;
		char origin[80];

		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (strncmp(arg, "--", 2) || !arg[2]) {
			/* Positional: keep its place, parse the rest. */
			argv[positional++] = argv[i];
			continue;
		}
		name = arg + 2;
		if (!strcmp(name, "help")) {
			cli_usage(stdout, usage, opts);
			return -1;
		}
		eq = strchr(name, '=');
		name_len = eq ? (size_t)(eq - name) : strlen(name);
		for (o = opts; o && o->name; o++)
			if (strlen(o->name) == name_len &&
			    !strncmp(o->name, name, name_len))
				break;
		if (!o || !o->name)
			return cli_usage_error(argv[0],
					       "unknown option '--%.*s'",
					       (int)name_len, name);
		if (o->arg) {
			if (eq)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else
				return cli_usage_error(argv[0], "--%s needs %s",
						       o->name, o->arg);
		} else if (eq) {
			return cli_usage_error(argv[0], "--%s takes no value",
					       o->name);
		}
		if (o->setting) {
			snprintf(origin, sizeof(origin), "option --%s",
				 o->name);
			if (config_set(o->setting, value ? value : "true",
				       origin))
				return EXIT_FAIL;
		}
		if (o->value)
			*o->value = value;
		if (o->flag)
			*o->flag = true;
	}
	for (; i < argc; i++)
		argv[positional++] = argv[i];
	argv[positional] = NULL;
	/* Positional arguments now sit in argv[1 .. positional). */
	*nargs = positional - 1;
	return 0;
}
