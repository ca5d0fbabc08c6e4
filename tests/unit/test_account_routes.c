/*
 * test_account_routes.c — the account route table enumerated: every
 * state-changing route needs the session's own CSRF token, every role route
 * refuses the roles that must not use it; and the form parser.
 */
#include "common.h"

#include <criterion/criterion.h>

#include "account/account.h"
#include "base/arena.h"
#include "web/account_pages.h"

/* POST routes that act without a session (their own checks apply). */
static const char *const sessionless_posts[] = {
	"/signup", "/signin", "/reset", "/reset/{token}", "/webhooks/billing",
};

static bool
is_sessionless(const char *pattern)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sessionless_posts); i++)
		if (!strcmp(pattern, sessionless_posts[i]))
			return true;
	return false;
}

static bool
has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

Test(account_routes, every_state_changing_route_needs_csrf)
{
	size_t n, i, checked = 0;
	const struct web_route *r = account_web_routes(&n);
	struct viewer member = {
		.user_id = 7, .session_id = 3, .role = ROLE_MEMBER};
	static const char own[] = "own-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	static const char foreign[] =
		"foreign-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

	snprintf(member.csrf, sizeof(member.csrf), "%s", own);
	for (i = 0; i < n; i++) {
		cr_assert_not_null(r[i].handler, "%s", r[i].pattern);
		if (strcmp(r[i].method, "POST"))
			continue;
		if (is_sessionless(r[i].pattern)) {
			cr_expect(!(r[i].flags & WEB_STATE), "%s",
				  r[i].pattern);
			continue;
		}
		cr_expect(r[i].flags & WEB_STATE, "POST %s lacks WEB_STATE",
			  r[i].pattern);
		cr_expect(r[i].flags & WEB_MEMBER, "POST %s lacks WEB_MEMBER",
			  r[i].pattern);
		/* A missing, empty, foreign or altered token is refused. */
		cr_expect(!account_check_csrf(&member, NULL), "%s",
			  r[i].pattern);
		cr_expect(!account_check_csrf(&member, ""), "%s", r[i].pattern);
		cr_expect(!account_check_csrf(&member, foreign), "%s",
			  r[i].pattern);
		cr_expect(!account_check_csrf(&member, "own-token"), "%s",
			  r[i].pattern);
		cr_expect(account_check_csrf(&member, own), "%s", r[i].pattern);
		/* A visitor never passes, whatever it sends. */
		cr_expect(!account_check_csrf(&(struct viewer){0}, own));
		checked++;
	}
	cr_assert_eq(checked, 18);
}

enum who { VISITOR, MEMBER, EDITOR, PUBLISHER, ADMIN, WHO_COUNT };

Test(account_routes, every_role_route_refuses_other_roles)
{
	struct viewer viewers[WHO_COUNT] = {
		[VISITOR] = {0},
		[MEMBER] = {.user_id = 1, .role = ROLE_MEMBER},
		[EDITOR] = {.user_id = 2, .role = ROLE_EDITOR},
		[PUBLISHER] = {.user_id = 3,
			       .role = ROLE_PUBLISHER,
			       .publisher_id = 4},
		[ADMIN] = {.user_id = 5, .role = ROLE_ADMIN},
	};
	size_t n, i;
	const struct web_route *r = account_web_routes(&n);
	int w;

	for (i = 0; i < n; i++) {
		const char *p = r[i].pattern;
		bool allowed[WHO_COUNT] = {true, true, true, true, true};

		if (has_prefix(p, "/editor/")) {
			cr_expect(r[i].flags & WEB_EDITOR, "%s", p);
			allowed[VISITOR] = allowed[MEMBER] =
				allowed[PUBLISHER] = false;
		} else if (has_prefix(p, "/admin/")) {
			cr_expect(r[i].flags & WEB_ADMIN, "%s", p);
			allowed[VISITOR] = allowed[MEMBER] = allowed[EDITOR] =
				allowed[PUBLISHER] = false;
		} else if (has_prefix(p, "/publisher/")) {
			cr_expect(r[i].flags & WEB_PUBLISHER, "%s", p);
			allowed[VISITOR] = allowed[MEMBER] = allowed[EDITOR] =
				false;
		} else if (has_prefix(p, "/account") ||
			   has_prefix(p, "/for-you") ||
			   has_prefix(p, "/saved") ||
			   has_prefix(p, "/history") ||
			   has_prefix(p, "/onboarding") ||
			   (!strcmp(r[i].method, "POST") &&
			    !is_sessionless(p))) {
			cr_expect(r[i].flags & WEB_MEMBER, "%s", p);
			allowed[VISITOR] = false;
		}
		for (w = 0; w < WHO_COUNT; w++)
			cr_expect_eq(
				account_route_allowed(&viewers[w], r[i].flags),
				allowed[w], "%s %s for viewer %d", r[i].method,
				p, w);
	}
}

Test(account_routes, patterns_are_unique)
{
	size_t n, i, j;
	const struct web_route *r = account_web_routes(&n);

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			cr_expect(strcmp(r[i].method, r[j].method) ||
					  strcmp(r[i].pattern, r[j].pattern),
				  "%s %s twice", r[i].method, r[i].pattern);
}

Test(account_routes, form_fields)
{
	static const char body[] =
		"email=ada%40example.com&password=a+b%2Bc&empty=&flag"
		"&bad=%zz%4&csrf=x%00y&email=second";
	static const struct {
		const char *name, *want; /* want NULL: absent */
	} cases[] = {
		{"email", "ada@example.com"}, /* the first one wins */
		{"password", "a b+c"},
		{"empty", ""},
		{"flag", ""},
		{"bad", "%zz%4"},
		{"missing", NULL},
		{"emai", NULL},
	};
	struct arena a;
	size_t i;

	arena_init(&a, 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = account_form_field(&a, body, strlen(body),
						     cases[i].name);

		if (!cases[i].want)
			cr_expect_null(got, "%s", cases[i].name);
		else
			cr_expect_str_eq(got, cases[i].want, "%s",
					 cases[i].name);
	}
	/* An embedded NUL ends the C string: "x", never "x\0y" as one. */
	cr_expect_str_eq(account_form_field(&a, body, strlen(body), "csrf"),
			 "x");
	cr_expect_null(account_form_field(&a, NULL, 0, "email"));
	arena_release(&a);
}
