/*
 * payouts.c — payout tables, statements, CSV and the chart (payouts.h).
 */
#include "common.h"

#include <time.h>

#include "account/payouts.h"
#include "account/settings.h"
#include "base/log.h"

/* ---- Months -------------------------------------------------------------- */

static int
days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

static int64_t
month_start(int year, int month)
{
	struct tm tm = {0};

	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = 1;
	return (int64_t)timegm(&tm);
}

bool
payout_month_parse(const char *month, char first_day[11], char last_day[11],
		   int64_t *start, int64_t *end)
{
	int year, mon, i;

	if (!month || strlen(month) != 7 || month[4] != '-')
		return false;
	for (i = 0; i < 7; i++)
		if (i != 4 && (month[i] < '0' || month[i] > '9'))
			return false;
	year = atoi(month);
	mon = atoi(month + 5);
	if (year < 1970 || mon < 1 || mon > 12)
		return false;
	if (first_day)
		snprintf(first_day, 11, "%04u-%02u-01", (unsigned)year % 10000u,
			 (unsigned)mon % 100u);
	if (last_day)
		snprintf(last_day, 11, "%04u-%02u-%02u",
			 (unsigned)year % 10000u, (unsigned)mon % 100u,
			 (unsigned)days_in_month(year, mon) % 100u);
	if (start)
		*start = month_start(year, mon);
	if (end)
		*end = mon == 12 ? month_start(year + 1, 1)
				 : month_start(year, mon + 1);
	return true;
}

void
payout_month_of(int64_t t, char out[8])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(out, 8, "%04u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u);
}

/* ---- Allocation ---------------------------------------------------------- */

struct rank {
	size_t index;	   /* entry */
	int64_t remainder; /* pool × weight mod total */
	int64_t weight;	   /* for ties */
	int64_t id;	   /* for ties */
};

static int
rank_cmp(const void *pa, const void *pb)
{
	const struct rank *a = pa, *b = pb;

	if (a->remainder != b->remainder)
		return a->remainder > b->remainder ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

void
payout_allocate(int64_t pool, const int64_t *weights, const int64_t *ids,
		size_t n, int64_t *cents)
{
	unsigned __int128 total = 0;
	struct rank *ranks;
	int64_t given = 0, left;
	size_t i;

	for (i = 0; i < n; i++) {
		cents[i] = 0;
		if (weights[i] > 0)
			total += (unsigned __int128)weights[i];
	}
	if (!total || pool <= 0)
		return;
	ranks = xcalloc(n, sizeof(*ranks));
	for (i = 0; i < n; i++) {
		unsigned __int128 part = (unsigned __int128)pool *
					 (unsigned __int128)MAX(weights[i], 0);

		cents[i] = (int64_t)(part / total);
		given += cents[i];
		ranks[i].index = i;
		ranks[i].remainder = (int64_t)(part % total);
		ranks[i].weight = weights[i];
		ranks[i].id = ids ? ids[i] : (int64_t)i;
	}
	/* Fewer cents are left than entries with a remainder. */
	left = pool - given;
	qsort(ranks, n, sizeof(*ranks), rank_cmp);
	for (i = 0; i < n && left > 0; i++, left--)
		cents[ranks[i].index]++;
	free(ranks);
}

/* ---- Tables -------------------------------------------------------------- */

void
payout_table_release(struct payout_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->count; i++) {
		free(t->items[i].slug);
		free(t->items[i].name);
	}
	free(t->items);
	memset(t, 0, sizeof(*t));
}

enum status
payout_compute_with(struct store *s, const char *month, long fraction_bp,
		    int64_t fixed_cents, struct payout_table *out)
{
	struct payout_table t;
	struct read_count_list reads = {0};
	char first[11], last[11];
	int64_t start, end, *weights = NULL, *ids = NULL, *cents = NULL;
	enum status rc;
	size_t i;

	memset(&t, 0, sizeof(t));
	if (!payout_month_parse(month, first, last, &start, &end))
		return ST_INVAL;
	snprintf(t.month, sizeof(t.month), "%s", month);
	rc = store_billing_revenue(s, start, end, &t.revenue_cents);
	if (!rc)
		rc = store_reads_by_publisher(s, first, last, &reads);
	if (rc)
		goto out;
	if (fixed_cents > 0) {
		t.fixed_pool = true;
		t.pool_cents = fixed_cents;
	} else {
		t.fraction_bp = fraction_bp;
		t.pool_cents =
			(int64_t)((unsigned __int128)MAX(t.revenue_cents, 0) *
				  (unsigned __int128)fraction_bp / 10000);
	}
	t.count = reads.count;
	t.items = xcalloc(reads.count ? reads.count : 1, sizeof(*t.items));
	weights = xcalloc(reads.count + 1, sizeof(*weights));
	ids = xcalloc(reads.count + 1, sizeof(*ids));
	cents = xcalloc(reads.count + 1, sizeof(*cents));
	for (i = 0; i < reads.count; i++) {
		t.total_reads += reads.items[i].reads;
		weights[i] = reads.items[i].reads;
		ids[i] = reads.items[i].id;
	}
	payout_allocate(t.pool_cents, weights, ids, reads.count, cents);
	for (i = 0; i < reads.count; i++) {
		struct payout_line *l = &t.items[i];

		l->publisher_id = reads.items[i].id;
		l->slug = reads.items[i].key;
		l->name = reads.items[i].name;
		reads.items[i].key = NULL;
		reads.items[i].name = NULL;
		l->reads = reads.items[i].reads;
		l->share = t.total_reads
				   ? (double)l->reads / (double)t.total_reads
				   : 0;
		l->cents = cents[i];
	}
	*out = t;
	memset(&t, 0, sizeof(t));
out:
	payout_table_release(&t);
	read_count_list_release(&reads);
	free(weights);
	free(ids);
	free(cents);
	return rc;
}

enum status
payout_compute(struct store *s, const char *month, struct payout_table *out)
{
	return payout_compute_with(s, month, account_setting_pool_fraction_bp(),
				   account_setting_pool_cents(), out);
}

void
payout_add_amount(struct buf *out, int64_t cents)
{
	const char *sign = cents < 0 ? "-" : "";
	uint64_t v = cents < 0 ? (uint64_t)(-(cents + 1)) + 1 : (uint64_t)cents;

	buf_addf(out, "%s%" PRIu64 ".%02" PRIu64, sign, v / 100, v % 100);
}

void
payout_table_text(const struct payout_table *t, struct buf *out)
{
	size_t i;
	int64_t paid = 0;

	buf_addf(out, "Payouts for %s\n", t->month);
	buf_adds(out, "Revenue recorded: ");
	payout_add_amount(out, t->revenue_cents);
	buf_adds(out, "\nPool: ");
	payout_add_amount(out, t->pool_cents);
	if (t->fixed_pool)
		buf_adds(out, " (fixed amount)\n");
	else
		buf_addf(out, " (%ld.%02ld%% of revenue)\n",
			 t->fraction_bp / 100, t->fraction_bp % 100);
	buf_addf(out, "Reads: %" PRId64 "\n\n", t->total_reads);
	if (!t->count) {
		buf_addf(out, "No reads in %s: nothing is paid.\n", t->month);
		return;
	}
	buf_addf(out, "%-28s %10s %8s %12s\n", "publisher", "reads", "share",
		 "payout");
	for (i = 0; i < t->count; i++) {
		const struct payout_line *l = &t->items[i];
		struct buf amount = BUF_INIT;

		payout_add_amount(&amount, l->cents);
		buf_addf(out, "%-28.28s %10" PRId64 " %7.2f%% %12s\n", l->slug,
			 l->reads, l->share * 100.0, amount.data);
		buf_release(&amount);
		paid += l->cents;
	}
	{
		struct buf amount = BUF_INIT;

		payout_add_amount(&amount, paid);
		buf_addf(out, "%-28s %10" PRId64 " %7.2f%% %12s\n", "total",
			 t->total_reads, 100.0, amount.data);
		buf_release(&amount);
	}
}

/* Writes a CSV field, quoted when it needs to be (RFC 4180). */
static void
csv_field(struct buf *out, const char *s)
{
	const char *p;

	if (!s)
		return;
	/* A leading =, +, - or @ would be a formula in a spreadsheet. */
	if (!strpbrk(s, ",\"\r\n") && !strchr("=+-@", s[0] ? s[0] : 'x')) {
		buf_adds(out, s);
		return;
	}
	buf_addc(out, '"');
	if (strchr("=+-@", s[0] ? s[0] : 'x'))
		buf_addc(out, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_addc(out, '"');
		buf_addc(out, *p);
	}
	buf_addc(out, '"');
}

void
payout_table_csv(const struct payout_table *t, struct buf *out)
{
	size_t i;

	buf_adds(out, "month,publisher,name,reads,share,payout_cents,"
		      "pool_cents\r\n");
	for (i = 0; i < t->count; i++) {
		const struct payout_line *l = &t->items[i];

		buf_addf(out, "%s,", t->month);
		csv_field(out, l->slug);
		buf_addc(out, ',');
		csv_field(out, l->name);
		buf_addf(out, ",%" PRId64 ",%.6f,%" PRId64 ",%" PRId64 "\r\n",
			 l->reads, l->share, l->cents, t->pool_cents);
	}
}

/* ---- Statements ---------------------------------------------------------- */

void
payout_statement_release(struct payout_statement *st)
{
	if (!st)
		return;
	payout_table_release(&st->table);
	free(st->slug);
	free(st->name);
	read_count_list_release(&st->top);
	memset(st, 0, sizeof(*st));
}

enum status
payout_statement_get(struct store *s, int64_t publisher_id, const char *month,
		     struct payout_statement *out)
{
	struct payout_statement st;
	struct read_count_list days = {0};
	struct publisher p = {0};
	char first[11], last[11];
	enum status rc;
	size_t i;

	memset(&st, 0, sizeof(st));
	if (!payout_month_parse(month, first, last, NULL, NULL))
		return ST_INVAL;
	rc = store_publisher_get(s, publisher_id, &p);
	if (rc)
		return rc;
	st.publisher_id = p.id;
	st.slug = p.slug;
	st.name = p.name;
	p.slug = p.name = NULL;
	publisher_release(&p);
	st.days = atoi(last + 8);
	rc = payout_compute(s, month, &st.table);
	if (!rc)
		rc = store_reads_by_day(s, publisher_id, first, last, &days);
	if (!rc)
		rc = store_reads_top_articles(s, publisher_id, first, last, 10,
					      &st.top);
	if (rc)
		goto out;
	for (i = 0; i < days.count; i++) {
		int d = days.items[i].key ? atoi(days.items[i].key + 8) : 0;

		if (d >= 1 && d <= st.days)
			st.per_day[d - 1] = days.items[i].reads;
	}
	for (i = 0; i < st.table.count; i++) {
		if (st.table.items[i].publisher_id == publisher_id) {
			st.reads = st.table.items[i].reads;
			st.share = st.table.items[i].share;
			st.cents = st.table.items[i].cents;
		}
	}
	*out = st;
	memset(&st, 0, sizeof(st));
out:
	read_count_list_release(&days);
	payout_statement_release(&st);
	return rc;
}

enum status
payout_statement_csv(struct store *s, int64_t publisher_id, const char *month,
		     struct buf *out)
{
	struct read_count_list l = {0};
	char first[11], last[11];
	enum status rc;
	size_t i;

	if (!payout_month_parse(month, first, last, NULL, NULL))
		return ST_INVAL;
	rc = store_reads_detail(s, publisher_id, first, last, &l);
	if (rc)
		return rc;
	buf_adds(out, "date,article_id,url,title,reads\r\n");
	for (i = 0; i < l.count; i++) {
		const char *key = l.items[i].key ? l.items[i].key : "";
		const char *tab = strchr(key, '\t');
		char day[11];

		snprintf(day, sizeof(day), "%.10s", key);
		buf_addf(out, "%s,%" PRId64 ",", day, l.items[i].id);
		csv_field(out, tab ? tab + 1 : "");
		buf_addc(out, ',');
		csv_field(out, l.items[i].name);
		buf_addf(out, ",%" PRId64 "\r\n", l.items[i].reads);
	}
	read_count_list_release(&l);
	return out->err;
}

/* ---- The chart ----------------------------------------------------------- */

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr",
					  "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec"};

void
payout_chart_svg(struct buf *out, const char *month, const int64_t *per_day,
		 int days)
{
	enum { W = 640, H = 220, LEFT = 40, BOTTOM = 24, TOP = 12 };
	int64_t max = 0, total = 0, best = 0;
	int i, best_day = 0, mon = 1;
	double slot, bar_h = H - BOTTOM - TOP;
	const char *mname;

	if (month && strlen(month) >= 7)
		mon = atoi(month + 5);
	if (mon < 1 || mon > 12)
		mon = 1;
	mname = month_names[mon - 1];
	if (days < 1)
		days = 1;
	if (days > 31)
		days = 31;
	for (i = 0; i < days; i++) {
		total += per_day[i];
		if (per_day[i] > max)
			max = per_day[i];
		if (per_day[i] > best) {
			best = per_day[i];
			best_day = i + 1;
		}
	}
	slot = (double)(W - LEFT - 8) / days;
	buf_addf(out,
		 "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\""
		 " role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\""
		 " aria-labelledby=\"chart-title chart-desc\">",
		 W, H);
	buf_adds(out, "<title id=\"chart-title\">Reads per day, ");
	buf_add_html(out, month ? month : "", month ? strlen(month) : 0);
	buf_adds(out, "</title><desc id=\"chart-desc\">");
	if (total)
		buf_addf(out,
			 "%" PRId64 " reads in %d days; the busiest day was "
			 "%d %s with %" PRId64 " reads.",
			 total, days, best_day, mname, best);
	else
		buf_addf(out, "No reads in %d days.", days);
	buf_adds(out, "</desc>");
	/* Axes and the top value. */
	buf_addf(out,
		 "<g class=\"axis\" stroke=\"currentColor\" stroke-width=\"1\">"
		 "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		 "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>",
		 LEFT, TOP, LEFT, H - BOTTOM, LEFT, H - BOTTOM, W - 8,
		 H - BOTTOM);
	buf_addf(out,
		 "<g class=\"labels\" font-size=\"11\" fill=\"currentColor\">"
		 "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRId64
		 "</text>"
		 "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>",
		 LEFT - 4, TOP + 10, max, LEFT - 4, H - BOTTOM);
	for (i = 0; i < days; i++) {
		if (i == 0 || (i + 1) % 5 == 0)
			buf_addf(out,
				 "<text x=\"%.1f\" y=\"%d\" "
				 "text-anchor=\"middle\">%d</text>",
				 LEFT + slot * i + slot / 2, H - 8, i + 1);
	}
	buf_adds(out, "</g><g class=\"bars\" fill=\"currentColor\">");
	for (i = 0; i < days; i++) {
		double h = max ? bar_h * (double)per_day[i] / (double)max : 0;

		buf_addf(out,
			 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			 "height=\"%.1f\"><title>%d %s: %" PRId64
			 " read%s</title></rect>",
			 LEFT + slot * i + slot * 0.15, H - BOTTOM - h,
			 slot * 0.7, h, i + 1, mname, per_day[i],
			 per_day[i] == 1 ? "" : "s");
	}
	buf_adds(out, "</g></svg>");
}
