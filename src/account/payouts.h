/*
 * payouts.h — the read ledger turned into money: each month's payout table,
 * one publisher's statement, their CSV and the statement's bar chart.
 *
 * A read is a trial or paid member opening an article in full, counted once
 * per member, article and day (account_record_read()). For a month:
 *
 *   share(p)  = reads(p) / all reads of the month
 *   pool      = payout_pool_cents when set, else
 *               floor(revenue × payout_pool_fraction), where revenue is the
 *               money recorded by billing events in that month (UTC)
 *   payout(p) = share(p) × pool, in whole cents by the largest-remainder
 *               method: every publisher gets floor(pool × reads / total),
 *               and the cents left over go one each to the largest
 *               remainders (ties: more reads, then the older publisher), so
 *               the payouts add up to the pool exactly.
 *
 * A month without reads pays nothing (the table says so).
 *
 * Memory: the tables and statements own their strings and arrays; release
 * them with the matching *_release().
 */
#ifndef NEWSSTAND_ACCOUNT_PAYOUTS_H
#define NEWSSTAND_ACCOUNT_PAYOUTS_H

#include "common.h"

#include "base/buf.h"
#include "store/accounts.h"
#include "store/store.h"

struct payout_line {
	int64_t publisher_id;
	char *slug;    /* the publisher's slug */
	char *name;    /* and name */
	int64_t reads; /* reads in the month */
	double share;  /* reads / total reads (for display) */
	int64_t cents; /* the payout */
};

struct payout_table {
	char month[8];		   /* "YYYY-MM" */
	int64_t total_reads;	   /* all reads of the month */
	int64_t revenue_cents;	   /* money recorded in the month */
	int64_t pool_cents;	   /* the money shared out */
	long fraction_bp;	   /* pool fraction, basis points; 0 if fixed */
	bool fixed_pool;	   /* the pool is payout_pool_cents */
	struct payout_line *items; /* publishers with reads, by id */
	size_t count;
};

void payout_table_release(struct payout_table *t);

/* Checks "YYYY-MM"; writes the first and last day ("YYYY-MM-DD"), the
 * month's start and the next month's start (Unix seconds, UTC). */
bool payout_month_parse(const char *month, char first_day[11],
			char last_day[11], int64_t *start, int64_t *end);
/* The month of time t ("YYYY-MM", UTC). */
void payout_month_of(int64_t t, char out[8]);

/*
 * Shares pool among n entries in proportion to weights by the largest
 * remainder method; ids break ties (smaller first) after larger weights.
 * cents[i] receives entry i's share; the shares sum to pool exactly. With
 * all weights 0, everything is 0.
 */
void payout_allocate(int64_t pool, const int64_t *weights, const int64_t *ids,
		     size_t n, int64_t *cents);

/* The payout table of month (pool from the account settings). */
enum status payout_compute(struct store *s, const char *month,
			   struct payout_table *out) WARN_UNUSED;
/* Like payout_compute() with an explicit pool rule (tests, tools). */
enum status payout_compute_with(struct store *s, const char *month,
				long fraction_bp, int64_t fixed_cents,
				struct payout_table *out) WARN_UNUSED;

/* The table as text for a terminal, or as CSV. */
void payout_table_text(const struct payout_table *t, struct buf *out);
void payout_table_csv(const struct payout_table *t, struct buf *out);
/* Appends cents as "1234.56". */
void payout_add_amount(struct buf *out, int64_t cents);

struct payout_statement {
	struct payout_table table;  /* the month's whole table */
	int64_t publisher_id;	    /* whose statement */
	char *slug;		    /* the publisher's slug */
	char *name;		    /* and name */
	int64_t reads;		    /* its reads */
	double share;		    /* its share */
	int64_t cents;		    /* its payout */
	int days;		    /* days in the month */
	int64_t per_day[31];	    /* reads on day 1 … days */
	struct read_count_list top; /* most read articles (key URL) */
};

void payout_statement_release(struct payout_statement *st);
/* One publisher's statement for month; ST_NOTFOUND for no publisher. */
enum status payout_statement_get(struct store *s, int64_t publisher_id,
				 const char *month,
				 struct payout_statement *out) WARN_UNUSED;
/* Reads per day and article as CSV (date,article_id,url,title,reads). */
enum status payout_statement_csv(struct store *s, int64_t publisher_id,
				 const char *month,
				 struct buf *out) WARN_UNUSED;
/*
 * An accessible inline SVG bar chart of reads per day: role="img" with a
 * <title> and <desc> summarising it, one bar per day with its own <title>
 * ("3 Nov: 12 reads"), and the largest value on the axis.
 */
void payout_chart_svg(struct buf *out, const char *month,
		      const int64_t *per_day, int days);

#endif
