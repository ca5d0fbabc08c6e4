/*
 * writer.c — one write connection per thread, opened on first use.
 *
 * The web server's workers read through read-only connections; account
 * actions (sign-in, follows, the read ledger) write through the calling
 * thread's own writer. SQLite lets one writer in at a time and the store's
 * busy timeout makes the others wait their turn. The connection closes
 * when its thread ends.
 */
#include "common.h"

#include <pthread.h>

#include "account/internal.h"
#include "base/config.h"

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
close_writer(void *p)
{
	store_close(p);
}

static void
make_key(void)
{
	if (pthread_key_create(&key, close_writer))
		die("pthread_key_create failed");
}

enum status
account_writer(struct store **out)
{
	struct store *s;
	enum status rc;

	pthread_once(&once, make_key);
	s = pthread_getspecific(key);
	if (!s) {
		rc = store_open(config.data_dir, STORE_WRITE, 0, &s);
		if (rc)
			return rc;
		pthread_setspecific(key, s);
	}
	*out = s;
	return ST_OK;
}

void
account_writer_close(void)
{
	struct store *s;

	pthread_once(&once, make_key);
	s = pthread_getspecific(key);
	if (s) {
		pthread_setspecific(key, NULL);
		store_close(s);
	}
}
