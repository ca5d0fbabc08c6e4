/*
 * embedded.h — the asset files compiled into the binary (generated into
 * $(BUILD)/gen/web_assets.c by assets/embed.sh from assets/).
 */
#ifndef NEWSSTAND_WEB_EMBEDDED_H
#define NEWSSTAND_WEB_EMBEDDED_H

#include "common.h"

struct web_embedded {
	const char *name;	   /* file name: "app.css" */
	const unsigned char *data; /* the bytes */
	size_t len;		   /* their number */
};

extern const struct web_embedded web_embedded_assets[];
extern const size_t web_embedded_count;

#endif
