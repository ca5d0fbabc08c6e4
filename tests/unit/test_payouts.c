/*
 * test_payouts.c — the read ledger and payouts with exact figures.
 */
#include "common.h"

#include <criterion/criterion.h>

#include "account/account.h"
#include "account/payouts.h"
#include "account/settings.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "store/accounts.h"
#include "support/testutil.h"

static char *dir;
static struct store *db;
static int64_t pub[3], art[3][2], users[6];

static void
setup(void)
{
	config_defaults();
	log_set_level(LOG_ERROR);
	dir = test_tmpdir();
	cr_assert_not_null(dir);
	cr_assert_eq(store_open(dir, STORE_WRITE, 0, &db), ST_OK);
}

static void
teardown(void)
{
	store_close(db);
	test_rmdir(dir);
	free(dir);
	unsetenv("NEWSSTAND_PAYOUT_POOL_FRACTION");
	unsetenv("NEWSSTAND_PAYOUT_POOL_CENTS");
	config_free();
}

TestSuite(payouts, .init = setup, .fini = teardown);

static void
revenue(const char *id, int64_t cents, int64_t at)
{
	struct billing_event e = {.kind = (char *)"subscription_renewed",
				  .provider_event_id = (char *)id,
				  .amount_cents = cents,
				  .created_at = at};

	cr_assert_eq(store_billing_event_add(db, &e), ST_OK);
}

static void
read_on(int user, int p, int a, const char *day)
{
	bool added = false;

	cr_assert_eq(store_read_add(db, users[user], art[p][a], day, 0, &added),
		     ST_OK);
	cr_assert(added);
}

/*
 * Three publishers, November 2026: herald 5 reads, courier 3, gazette 2.
 * Revenue in November 34.97 (plus 50.00 in October and 20.00 in December
 * that do not count).
 */
static void
fixture(void)
{
	static const char *const slugs[] = {"herald", "courier", "gazette"};
	size_t i, j;

	for (i = 0; i < 3; i++) {
		struct publisher p = {.slug = (char *)slugs[i],
				      .name = (char *)slugs[i]};

		cr_assert_eq(store_publisher_put(db, &p), ST_OK);
		pub[i] = p.id;
		for (j = 0; j < 2; j++) {
			char url[64], title[64];
			struct article a = {.publisher_id = p.id,
					    .url = url,
					    .title = title,
					    .content_hash = url,
					    .published_at = 1790000000};
			enum article_put_result r;

			snprintf(url, sizeof(url), "https://%s.example/%zu",
				 slugs[i], j);
			snprintf(title, sizeof(title), "%s story %zu", slugs[i],
				 j);
			cr_assert_eq(store_article_put(db, &a, &r), ST_OK);
			art[i][j] = a.id;
		}
	}
	for (i = 0; i < ARRAY_SIZE(users); i++) {
		char email[32];
		struct user u = {.email = email,
				 .password_hash = (char *)"x",
				 .created_at = 1};

		snprintf(email, sizeof(email), "u%zu@example.com", i);
		cr_assert_eq(store_user_add(db, &u), ST_OK);
		users[i] = u.id;
	}
	/* herald: 5 */
	read_on(0, 0, 0, "2026-11-01");
	read_on(1, 0, 0, "2026-11-01");
	read_on(0, 0, 0, "2026-11-02");
	read_on(2, 0, 1, "2026-11-15");
	read_on(3, 0, 0, "2026-11-30");
	/* courier: 3 */
	read_on(0, 1, 0, "2026-11-03");
	read_on(4, 1, 1, "2026-11-03");
	read_on(5, 1, 1, "2026-11-20");
	/* gazette: 2 */
	read_on(1, 2, 0, "2026-11-10");
	read_on(2, 2, 0, "2026-11-10");
	/* October and December reads do not count for November. */
	read_on(0, 2, 1, "2026-10-31");
	read_on(0, 2, 1, "2026-12-01");
	revenue("evt_a", 999, 1793491200);    /* 2026-11-01T00:00:00Z */
	revenue("evt_b", 999, 1794700000);    /* mid-November */
	revenue("evt_c", 1499, 1796083199);   /* 2026-11-30T23:59:59Z */
	revenue("evt_oct", 5000, 1793491199); /* 2026-10-31T23:59:59Z */
	revenue("evt_dec", 2000, 1796083200); /* 2026-12-01T00:00:00Z */
}

Test(payouts, allocation_rounds_to_the_pool)
{
	static const struct {
		int64_t pool;
		int64_t weights[4];
		size_t n;
		int64_t want[4];
	} cases[] = {
		{1000, {1, 1, 1}, 3, {334, 333, 333}},
		{100, {3, 3, 1}, 3, {43, 43, 14}},
		{2447, {5, 3, 2}, 3, {1224, 734, 489}},
		{1, {1, 1, 1, 1}, 4, {1, 0, 0, 0}},
		{7, {0, 2, 0, 5}, 4, {0, 2, 0, 5}},
		{10, {0, 0, 0}, 3, {0, 0, 0}},
		{0, {4, 4}, 2, {0, 0}},
		{99, {1, 2}, 2, {33, 66}},
		{100, {1, 2}, 2, {33, 67}},
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t got[4];

		payout_allocate(cases[i].pool, cases[i].weights, NULL,
				cases[i].n, got);
		for (j = 0; j < cases[i].n; j++)
			cr_expect_eq(got[j], cases[i].want[j],
				     "case %zu entry %zu: %lld", i, j,
				     (long long)got[j]);
	}
}

Test(payouts, allocation_sums_exactly_for_many_pools)
{
	int64_t weights[7] = {13, 7, 1, 29, 3, 3, 44}, got[7];
	int64_t pool;
	size_t i;

	for (pool = 0; pool < 5000; pool += 37) {
		int64_t sum = 0;

		payout_allocate(pool, weights, NULL, 7, got);
		for (i = 0; i < 7; i++) {
			double exact = (double)pool * weights[i] / 100.0;

			sum += got[i];
			cr_assert(got[i] >= (int64_t)exact &&
					  got[i] <= (int64_t)exact + 1,
				  "pool %lld entry %zu", (long long)pool, i);
		}
		cr_assert_eq(sum, pool);
	}
	/* Huge figures do not overflow. */
	weights[0] = INT64_MAX / 4;
	payout_allocate(INT64_MAX / 2, weights, NULL, 2, got);
	cr_assert_eq(got[0] + got[1], INT64_MAX / 2);
}

Test(payouts, month_parsing)
{
	char first[11], last[11];
	int64_t start, end;

	cr_assert(payout_month_parse("2024-02", first, last, &start, &end));
	cr_assert_str_eq(first, "2024-02-01");
	cr_assert_str_eq(last, "2024-02-29");
	cr_assert_eq(start, 1706745600);
	cr_assert_eq(end, 1709251200);
	cr_assert(payout_month_parse("2026-12", first, last, &start, &end));
	cr_assert_str_eq(last, "2026-12-31");
	cr_assert_eq(end, 1798761600); /* 2027-01-01 */
	cr_assert(!payout_month_parse("2026-13", first, last, NULL, NULL));
	cr_assert(!payout_month_parse("2026-1", first, last, NULL, NULL));
	cr_assert(!payout_month_parse("26-11-01", first, last, NULL, NULL));
	cr_assert(!payout_month_parse("2026/11", first, last, NULL, NULL));
	cr_assert(!payout_month_parse(NULL, first, last, NULL, NULL));
}

Test(payouts, fraction_setting)
{
	static const struct {
		const char *in;
		long bp; /* -1: invalid */
	} cases[] = {
		{"0.7", 7000},	 {"70%", 7000},	  {"1", 10000},	   {"0", 0},
		{"0.125", 1250}, {"12.5%", 1250}, {"100%", 10000}, {"1.5", -1},
		{"abc", -1},	 {"", -1},	  {"101%", -1},	   {"-0.5", -1},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		long bp = -1;
		bool ok = account_parse_fraction_bp(cases[i].in, &bp);

		cr_expect_eq(ok, cases[i].bp >= 0, "%s", cases[i].in);
		if (ok)
			cr_expect_eq(bp, cases[i].bp, "%s", cases[i].in);
	}
	cr_expect_eq(account_setting_pool_fraction_bp(), 5000);
	setenv("NEWSSTAND_PAYOUT_POOL_FRACTION", "70%", 1);
	cr_expect_eq(account_setting_pool_fraction_bp(), 7000);
}

Test(payouts, month_table_with_exact_figures)
{
	struct payout_table t = {0};
	struct buf text = BUF_INIT, csv = BUF_INIT;

	fixture();
	setenv("NEWSSTAND_PAYOUT_POOL_FRACTION", "0.7", 1);
	cr_assert_eq(payout_compute(db, "2026-11", &t), ST_OK);
	cr_assert_eq(t.revenue_cents, 3497);
	cr_assert_eq(t.pool_cents, 2447); /* floor(34.97 × 0.7) */
	cr_assert_eq(t.total_reads, 10);
	cr_assert_eq(t.count, 3);
	cr_assert_str_eq(t.items[0].slug, "herald");
	cr_assert_eq(t.items[0].reads, 5);
	cr_assert_eq(t.items[0].cents, 1224); /* 1223.5: gets the cent */
	cr_assert_str_eq(t.items[1].slug, "courier");
	cr_assert_eq(t.items[1].reads, 3);
	cr_assert_eq(t.items[1].cents, 734); /* 734.1 */
	cr_assert_str_eq(t.items[2].slug, "gazette");
	cr_assert_eq(t.items[2].cents, 489); /* 489.4 */
	cr_assert_eq(t.items[0].cents + t.items[1].cents + t.items[2].cents,
		     t.pool_cents);
	payout_table_text(&t, &text);
	cr_assert_not_null(strstr(text.data, "Revenue recorded: 34.97\n"));
	cr_assert_not_null(strstr(text.data, "Pool: 24.47 (70.00% of "
					     "revenue)\n"));
	cr_assert_not_null(strstr(text.data,
				  "herald                                5"
				  "   50.00%        12.24\n"));
	cr_assert_not_null(strstr(text.data,
				  "total                                10"
				  "  100.00%        24.47\n"));
	payout_table_csv(&t, &csv);
	cr_assert_str_eq(csv.data,
			 "month,publisher,name,reads,share,payout_cents,"
			 "pool_cents\r\n"
			 "2026-11,herald,herald,5,0.500000,1224,2447\r\n"
			 "2026-11,courier,courier,3,0.300000,734,2447\r\n"
			 "2026-11,gazette,gazette,2,0.200000,489,2447\r\n");
	payout_table_release(&t);
	buf_release(&text);
	buf_release(&csv);
}

Test(payouts, fixed_pool)
{
	struct payout_table t = {0};

	fixture();
	setenv("NEWSSTAND_PAYOUT_POOL_CENTS", "100000", 1);
	cr_assert_eq(payout_compute(db, "2026-11", &t), ST_OK);
	cr_assert(t.fixed_pool);
	cr_assert_eq(t.pool_cents, 100000);
	cr_assert_eq(t.items[0].cents, 50000);
	cr_assert_eq(t.items[1].cents, 30000);
	cr_assert_eq(t.items[2].cents, 20000);
	payout_table_release(&t);
	/* 1000.01 among 5:3:2 → 500.005, 300.003, 200.002. */
	cr_assert_eq(payout_compute_with(db, "2026-11", 0, 100001, &t), ST_OK);
	cr_assert_eq(t.items[0].cents, 50001);
	cr_assert_eq(t.items[1].cents, 30000);
	cr_assert_eq(t.items[2].cents, 20000);
	payout_table_release(&t);
}

Test(payouts, a_month_without_reads_pays_nothing)
{
	struct payout_table t = {0};
	struct buf text = BUF_INIT;

	fixture();
	/* January 2027: revenue recorded but nobody read anything. */
	revenue("evt_jan", 5000, 1798800000);
	cr_assert_eq(payout_compute_with(db, "2027-01", 7000, 0, &t), ST_OK);
	cr_assert_eq(t.revenue_cents, 5000);
	cr_assert_eq(t.pool_cents, 3500);
	cr_assert_eq(t.total_reads, 0);
	cr_assert_eq(t.count, 0);
	payout_table_text(&t, &text);
	cr_assert_not_null(
		strstr(text.data, "No reads in 2027-01: nothing is paid."));
	payout_table_release(&t);
	buf_release(&text);
	cr_assert_eq(payout_compute(db, "2027-13", &t), ST_INVAL);
}

Test(payouts, statement_chart_and_csv)
{
	struct payout_statement st = {0};
	struct buf svg = BUF_INIT, csv = BUF_INIT;
	const char *p;
	int rects = 0;

	fixture();
	setenv("NEWSSTAND_PAYOUT_POOL_FRACTION", "0.7", 1);
	cr_assert_eq(payout_statement_get(db, pub[0], "2026-11", &st), ST_OK);
	cr_assert_str_eq(st.slug, "herald");
	cr_assert_eq(st.days, 30);
	cr_assert_eq(st.reads, 5);
	cr_assert_eq(st.cents, 1224);
	cr_assert_eq(st.per_day[0], 2);
	cr_assert_eq(st.per_day[1], 1);
	cr_assert_eq(st.per_day[14], 1);
	cr_assert_eq(st.per_day[29], 1);
	cr_assert_eq(st.per_day[2], 0);
	cr_assert_eq(st.top.count, 2);
	cr_assert_eq(st.top.items[0].id, art[0][0]);
	cr_assert_eq(st.top.items[0].reads, 4);
	cr_assert_str_eq(st.top.items[0].name, "herald story 0");
	payout_chart_svg(&svg, "2026-11", st.per_day, st.days);
	cr_assert_not_null(strstr(svg.data, "role=\"img\""));
	cr_assert_not_null(strstr(svg.data, "aria-labelledby=\"chart-title "
					    "chart-desc\""));
	cr_assert_not_null(strstr(svg.data, "<title id=\"chart-title\">Reads "
					    "per day, 2026-11</title>"));
	cr_assert_not_null(strstr(svg.data, "5 reads in 30 days; the busiest "
					    "day was 1 Nov with 2 reads."));
	cr_assert_not_null(strstr(svg.data, "<title>2 Nov: 1 read</title>"));
	for (p = svg.data; (p = strstr(p, "<rect")); p++)
		rects++;
	cr_assert_eq(rects, 30);
	cr_assert_eq(payout_statement_csv(db, pub[0], "2026-11", &csv), ST_OK);
	cr_assert_str_eq(csv.data,
			 "date,article_id,url,title,reads\r\n"
			 "2026-11-01,1,https://herald.example/0,herald story "
			 "0,2\r\n"
			 "2026-11-02,1,https://herald.example/0,herald story "
			 "0,1\r\n"
			 "2026-11-15,2,https://herald.example/1,herald story "
			 "1,1\r\n"
			 "2026-11-30,1,https://herald.example/0,herald story "
			 "0,1\r\n");
	payout_statement_release(&st);
	buf_release(&svg);
	buf_release(&csv);
	cr_assert_eq(payout_statement_get(db, 999, "2026-11", &st),
		     ST_NOTFOUND);
}

Test(payouts, empty_chart)
{
	int64_t none[28] = {0};
	struct buf svg = BUF_INIT;

	payout_chart_svg(&svg, "2026-02", none, 28);
	cr_assert_not_null(strstr(svg.data, "No reads in 28 days."));
	cr_assert_null(strstr(svg.data, "nan"));
	buf_release(&svg);
}
