/*
 * gen.c — sanitises every row of the sanitizer corpus and writes a JSON
 * list [{"id": ..., "html": ...}] for the browser check.
 *
 *	gen VECTORS.jsonl BASE_URL > sanitised.json
 *	gen --raw VECTORS.jsonl BASE_URL > raw.json
 *
 * --raw writes the inputs unsanitised: the check's self-test, which must
 * find executions.
 */
#include "common.h"

#include <jansson.h>

#include "html/sanitize.h"

int
main(int argc, char **argv)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	json_t *list = json_array();
	int rc = 0;
	bool raw = argc == 4 && !strcmp(argv[1], "--raw");

	if (raw) {
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: gen [--raw] VECTORS.jsonl BASE_URL\n");
		return 2;
	}
	fp = fopen(argv[1], "r");
	if (!fp) {
		perror(argv[1]);
		return 1;
	}
	while (getline(&line, &cap, fp) > 0) {
		json_error_t err;
		json_t *row = json_loads(line, 0, &err);
		const char *in;
		struct buf out = BUF_INIT;

		if (!row) {
			fprintf(stderr, "bad JSON: %s\n", err.text);
			rc = 1;
			break;
		}
		in = json_string_value(json_object_get(row, "input"));
		if (in && raw)
			buf_adds(&out, in);
		else if (in &&
			 html_sanitize(in, strlen(in), argv[2], NULL, &out)) {
			fprintf(stderr, "sanitise failed\n");
			rc = 1;
		}
		json_array_append_new(list,
				      json_pack("{s:O, s:s}", "id",
						json_object_get(row, "id"),
						"html", out.data));
		buf_release(&out);
		json_decref(row);
	}
	free(line);
	fclose(fp);
	if (json_dumpf(list, stdout, JSON_COMPACT))
		rc = 1;
	json_decref(list);
	return rc;
}
