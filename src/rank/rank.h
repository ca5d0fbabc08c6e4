/*
 * rank.h — stories, top stories and related articles.
 *
 * A story is the set of articles about one event, from any number of
 * publishers. Ingest calls rank_assign_story() for every new or changed
 * article, inside its transaction, and the article joins the most similar
 * story of the last and next 48 hours or starts a new one. Pages then ask
 * for:
 *
 *   rank_top_stories()  "Top stories right now": stories ranked by how many
 *                       publishers cover them, how many articles and reads
 *                       they have, halving in weight every 12 hours since
 *                       their latest article;
 *   rank_related()      "Related stories" beside an article: its own
 *                       story's coverage by other publishers, then the
 *                       nearest articles by text (recorded when the
 *                       article was clustered: no search per page);
 *   rank_story_get()    a story page: the story with all its articles,
 *                       grouped by publisher.
 *
 * docs/internals/ranking.md explains the scores and thresholds.
 *
 * Threads: every function works on the store handle it is given (one per
 * thread). rank_assign_story() and rank_recluster() write, so they need
 * the STORE_WRITE handle; the others read and work on any handle.
 *
 * Memory: out parameters are written only on success and own what they
 * hold; free them with story_release(), story_list_release() or
 * article_list_release() (see store/stories.h and store/store.h). Articles
 * returned here never carry body_html or body_text.
 */
#ifndef NEWSSTAND_RANK_RANK_H
#define NEWSSTAND_RANK_RANK_H

#include "common.h"

#include "store/stories.h"
#include "store/store.h"

/*
 * Puts a stored article (a->id set, with title, published_at, publisher_id
 * and body_text or summary as given to store_article_put()) into a story:
 * the most similar story of the window when it is similar enough, else a
 * new story of its own; then updates that story's counters, lead and score.
 * Computes a->fingerprint (simhash of the body) when it is 0 and saves it,
 * and writes a->story_id. An article already in a story stays there (its
 * story is refreshed). Call it inside the writer's transaction after
 * store_article_put() returned ARTICLE_CREATED or ARTICLE_UPDATED.
 */
enum status rank_assign_story(struct store *s, struct article *a) WARN_UNUSED;

/*
 * The best limit stories right now (now: Unix seconds, normally
 * clock_now()), each with its lead article (no body), counters, reads of
 * the last 24 hours and score. Stories seen in the last 72 hours are
 * considered; when fewer than limit exist, older ones (up to 30 days) fill
 * the list, so a quiet site still shows something.
 */
enum status rank_top_stories(struct store *s, int64_t now, size_t limit,
			     struct story_list *out) WARN_UNUSED;

/*
 * Articles related to article_id, at most limit: first the other articles
 * of its story (one per other publisher, then the rest), then the nearest
 * articles by text published within a week of it. Never the article
 * itself, no near-copies of what is already listed, at most two from any
 * one publisher. ST_NOTFOUND when the article does not exist. The
 * neighbours by text are those rank_assign_story() recorded (its
 * candidates of the 48 hours either side); an article it never saw (no
 * fingerprint) has them searched for instead, over a week either side.
 */
enum status rank_related(struct store *s, int64_t article_id, size_t limit,
			 struct article_list *out) WARN_UNUSED;

/*
 * The same for an article the caller has loaded (id, story_id,
 * publisher_id, title, fingerprint, published_at; body_text or summary
 * for articles never clustered): saves loading it again.
 */
enum status rank_related_article(struct store *s, const struct article *self,
				 size_t limit,
				 struct article_list *out) WARN_UNUSED;

/*
 * One story with its lead and every article (out->articles, no bodies),
 * grouped by publisher: the lead's publisher first, then the others in the
 * order they first covered it, each publisher's articles oldest first.
 * ST_NOTFOUND when there is no such story.
 */
enum status rank_story_get(struct store *s, int64_t story_id,
			   struct story *out) WARN_UNUSED;

/*
 * Recomputes the stories of every article published since a time (0: all),
 * oldest first, as if they had just been ingested in that order. Runs in
 * its own transaction: do not call it inside one. Used after loading the
 * demo catalogue and by tests.
 */
enum status rank_recluster(struct store *s, int64_t since) WARN_UNUSED;

#endif
