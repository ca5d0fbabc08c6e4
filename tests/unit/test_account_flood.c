/*
 * test_account_flood.c — issue 6, acceptance 5, against the real binary:
 * `newsstand serve` with hash_concurrency 2 and the default Argon2id cost
 * (64 MiB a hash) and two serving threads takes a bounded flood of wrong
 * sign-ins from many threads while a reader keeps reading. The server's
 * peak memory (VmHWM) must stay within the hashing cap (2 × 64 MiB and
 * some slack, where an uncapped server would need 8 × 64 MiB), every
 * sign-in must get 401 or 429 (never a 5xx), every read must succeed, and
 * the median read must take less than a quarter of a hash: the hashes run
 * on threads of their own, never on the two serving threads.
 */
#include "common.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "support/testutil.h"
#include "unit/web_fixture.h"

enum {
	FLOODERS = 8,	 /* threads signing in at once */
	EACH = 5,	 /* attempts per thread (under the address burst) */
	HASH_MIB = 64,	 /* Argon2id interactive memory */
	CONCURRENCY = 2, /* the server's hash_concurrency */
	SLACK_MIB = 48,	 /* everything else the flood may touch */
	READS = 15,	 /* article pages read during the flood */
};

static int port;

static int
free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	p = ntohs(sa.sin_port);
	close(fd);
	return p;
}

static size_t
sink(char *p, size_t size, size_t n, void *userp)
{
	(void)p;
	(void)userp;
	return size * n;
}

/* One request; returns the status (0 when the transfer failed). */
static long
request(const char *method, const char *path, const char *form, double *seconds)
{
	CURL *c = curl_easy_init();
	char url[512];
	long status = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (form)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (seconds)
		curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, seconds);
	curl_easy_cleanup(c);
	return status;
}

/* A line of /proc/PID/status in KiB ("VmHWM", "VmRSS"); -1 if absent. */
static long
proc_kib(pid_t pid, const char *key)
{
	char path[64], *text, *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	text = test_read_file(path, NULL);
	if (!text)
		return -1;
	p = strstr(text, key);
	if (p)
		v = strtol(p + strlen(key) + 1, NULL, 10);
	free(text);
	return v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct flooder {
	int index;   /* which thread */
	int denied;  /* 401 */
	int refused; /* 429 */
	int other;   /* anything else */
};

static void *
flood(void *arg)
{
	struct flooder *f = arg;
	char form[160];
	int i;

	for (i = 0; i < EACH; i++) {
		long st;

		/* Unknown emails cost a dummy hash: the same work. */
		snprintf(form, sizeof(form),
			 "email=guess%d-%d%%40example.com&password=wrong+guess+"
			 "%d",
			 f->index, i, i);
		st = request("POST", "/signin", form, NULL);
		f->denied += st == 401;
		f->refused += st == 429;
		f->other += st != 401 && st != 429;
	}
	return NULL;
}

Test(account_flood, login_flood_stays_under_the_cap_and_readers_read,
     .timeout = 240)
{
	struct web_fixture fx;
	struct flooder fl[FLOODERS];
	pthread_t threads[FLOODERS];
	char listen[64], path[512], *asan;
	long base_kib, peak_kib;
	double slowest = 0, hash_s = 0, read_s[READS];
	int i, ok_reads = 0, status;
	pid_t pid;

	web_fixture_build(&fx);
	port = free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	/* ASan keeps freed blocks in quarantine: measure the program. */
	asan = NULL;
	{
		struct buf b = BUF_INIT;
		const char *cur = getenv("ASAN_OPTIONS");

		buf_addf(&b, "%s%squarantine_size_mb=0", cur ? cur : "",
			 cur && *cur ? ":" : "");
		asan = buf_detach(&b, NULL);
	}
	pid = fork();
	cr_assert(pid >= 0);
	if (!pid) {
		setenv("NEWSSTAND_HASH_CONCURRENCY", "2", 1);
		/* One serving thread per core on two cores. */
		setenv("NEWSSTAND_WEB_THREADS", "2", 1);
		setenv("NEWSSTAND_LOG_LEVEL", "error", 1);
		setenv("NEWSSTAND_CONFIG", "/dev/null", 1);
		setenv("ASAN_OPTIONS", asan, 1);
		execl(test_bin(), test_bin(), "serve", "--role", "web",
		      "--data-dir", fx.dir, "--listen", listen, (char *)NULL);
		_exit(127);
	}
	free(asan);
	for (i = 0; i < 100 && request("GET", "/", NULL, NULL) != 200; i++)
		usleep(100 * 1000);
	cr_assert_lt(i, 100, "the server did not start");
	/* Warm up: pages, and one hash so libsodium is loaded. */
	snprintf(path, sizeof(path), "%s", fx.canary_path);
	request("GET", path, NULL, NULL);
	request("POST", "/signin", "email=warm%40example.com&password=x+y+z+w",
		NULL);
	request("POST", "/signin", "email=warm%40example.com&password=x+y+z+w",
		&hash_s);
	base_kib = proc_kib(pid, "VmRSS");
	cr_assert_gt(base_kib, 0);
	for (i = 0; i < FLOODERS; i++) {
		fl[i] = (struct flooder){.index = i};
		cr_assert_eq(pthread_create(&threads[i], NULL, flood, &fl[i]),
			     0);
	}
	for (i = 0; i < READS; i++) {
		double s = 0;

		ok_reads += request("GET", path, NULL, &s) == 200;
		if (s > slowest)
			slowest = s;
		read_s[i] = s;
		usleep(50 * 1000);
	}
	for (i = 0; i < FLOODERS; i++)
		pthread_join(threads[i], NULL);
	peak_kib = proc_kib(pid, "VmHWM");
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	{
		int denied = 0, refused = 0, other = 0;
		long grew_mib = (peak_kib - base_kib) / 1024;

		for (i = 0; i < FLOODERS; i++) {
			denied += fl[i].denied;
			refused += fl[i].refused;
			other += fl[i].other;
		}
		double median;

		qsort(read_s, READS, sizeof(*read_s), cmp_double);
		median = read_s[READS / 2];
		cr_log_info("flood: %d sign-ins, %d denied, %d refused; "
			    "peak %ld MiB above %ld MiB; %d/%d reads, "
			    "median %.1f ms, slowest %.0f ms; a hash %.0f ms",
			    FLOODERS * EACH, denied, refused, grew_mib,
			    base_kib / 1024, ok_reads, READS, median * 1000,
			    slowest * 1000, hash_s * 1000);
		cr_assert_eq(other, 0, "sign-ins answered neither 401 nor 429");
		cr_assert_gt(denied, 0, "no sign-in was checked at all");
		cr_assert_leq(grew_mib, CONCURRENCY * HASH_MIB + SLACK_MIB,
			      "memory grew %ld MiB under the flood", grew_mib);
		cr_assert_eq(ok_reads, READS, "readers were turned away");
		/* Readers are served while both cores hash: bounded, not
		 * fast (the test suite runs beside it, under ASan). */
		cr_assert_lt(slowest, 3.0, "a read took %.1f s", slowest);
		cr_assert_lt(median, hash_s / 4,
			     "median read %.1f ms against a hash of %.1f ms",
			     median * 1000, hash_s * 1000);
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "serve did not stop cleanly");
	web_fixture_release(&fx);
}
