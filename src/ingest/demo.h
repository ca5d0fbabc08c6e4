/*
 * demo.h — the bundled demo catalogue (data/demo; see its README).
 */
#ifndef NEWSSTAND_INGEST_DEMO_H
#define NEWSSTAND_INGEST_DEMO_H

#include "common.h"

#include "base/buf.h"
#include "ingest/ingest.h"
#include "store/store.h"

/*
 * Loads the catalogue folder src into data_dir and its database s: renders
 * templates into DATA/demo, copies logos to DATA/logos and images to
 * DATA/media/demo, saves topics, publishers and feeds, ingests the feeds,
 * seeds picks. Running it again refreshes everything in place.
 */
enum status demo_load(struct store *s, const char *src, const char *data_dir,
		      struct ingest_stats *stats) WARN_UNUSED;
/* Renders one template (exposed for tests). */
void demo_render(const char *in, size_t len, int64_t now, const char *media_url,
		 struct buf *out);
/* The catalogue folder: NEWSSTAND_DEMO_DIR, ./data/demo or the installed
 * copy; NULL when none is found. */
const char *demo_find_catalogue(void);

#endif
