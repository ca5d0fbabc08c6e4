/*
 * extract_select.c — the selector language of per-publisher overrides.
 *
 *	list     = complex *( "," complex )
 *	complex  = compound *( white-space compound )	(descendant)
 *	compound = [ name | "*" ] *( "." class | "#" id | "[" attr [ "=" value ]
 *"]" )
 *
 * Names, classes and ids are matched as written; tag and attribute names
 * case-insensitively. A class matches one of the element's space-separated
 * classes. Matching a descendant chain walks up the ancestors iteratively
 * (greedily: the nearest ancestor that matches each part).
 */
#include "common.h"

#include <ctype.h>
#include <strings.h>

#include "html/extract_int.h"

enum part_kind {
	PART_CLASS, /* .name */
	PART_ID,    /* #name */
	PART_ATTR,  /* [name] or [name=value] */
};

struct part {
	enum part_kind kind; /* what it tests */
	char *name;	     /* class, id or attribute name */
	char *value;	     /* attribute value, or NULL for presence */
};

struct compound {
	char *tag;	    /* lower-case tag name, or NULL for any */
	struct part *parts; /* the tests */
	size_t nparts;	    /* number of tests */
};

struct complex {
	struct compound *seq; /* outermost first */
	size_t n;	      /* number of compounds */
};

struct xselector {
	struct complex *list; /* alternatives */
	size_t n;	      /* number of alternatives */
};

static bool
is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' ||
	       (unsigned char)c >= 0x80;
}

static char *
read_ident(const char **sp)
{
	const char *s = *sp, *start = s;

	while (is_ident(*s))
		s++;
	*sp = s;
	if (s == start)
		return NULL;
	return xstrndup(start, (size_t)(s - start));
}

static void
compound_free(struct compound *c)
{
	size_t i;

	for (i = 0; i < c->nparts; i++) {
		free(c->parts[i].name);
		free(c->parts[i].value);
	}
	free(c->parts);
	free(c->tag);
}

void
xselector_free(struct xselector *sel)
{
	size_t i, j;

	if (!sel)
		return;
	for (i = 0; i < sel->n; i++) {
		for (j = 0; j < sel->list[i].n; j++)
			compound_free(&sel->list[i].seq[j]);
		free(sel->list[i].seq);
	}
	free(sel->list);
	free(sel);
}

static char *
read_value(const char **sp)
{
	const char *s = *sp;
	const char *start;
	char quote = 0;
	char *v;

	if (*s == '"' || *s == '\'')
		quote = *s++;
	start = s;
	if (quote) {
		while (*s && *s != quote)
			s++;
		if (*s != quote)
			return NULL;
		v = xstrndup(start, (size_t)(s - start));
		s++;
	} else {
		while (*s && *s != ']' && !isspace((unsigned char)*s))
			s++;
		if (s == start)
			return NULL;
		v = xstrndup(start, (size_t)(s - start));
	}
	*sp = s;
	return v;
}

/* Parses one compound selector at *sp; false on a syntax error. */
static bool
parse_compound(const char **sp, struct compound *c)
{
	const char *s = *sp;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (*s == '*')
		s++;
	else if (is_ident(*s)) {
		c->tag = read_ident(&s);
		for (i = 0; c->tag[i]; i++)
			c->tag[i] = (char)tolower((unsigned char)c->tag[i]);
	}
	while (*s == '.' || *s == '#' || *s == '[') {
		struct part p = {0};
		char k = *s++;

		if (k == '[') {
			while (isspace((unsigned char)*s))
				s++;
			p.kind = PART_ATTR;
			p.name = read_ident(&s);
			if (p.name)
				for (i = 0; p.name[i]; i++)
					p.name[i] = (char)tolower(
						(unsigned char)p.name[i]);
			while (isspace((unsigned char)*s))
				s++;
			if (p.name && *s == '=') {
				s++;
				p.value = read_value(&s);
				if (!p.value) {
					free(p.name);
					p.name = NULL;
				}
			}
			while (isspace((unsigned char)*s))
				s++;
			if (!p.name || *s != ']') {
				free(p.name);
				free(p.value);
				return false;
			}
			s++;
		} else {
			p.kind = k == '.' ? PART_CLASS : PART_ID;
			p.name = read_ident(&s);
			if (!p.name)
				return false;
		}
		c->parts = xreallocarray(c->parts, c->nparts + 1,
					 sizeof(*c->parts));
		c->parts[c->nparts++] = p;
	}
	if (s == *sp)
		return false;
	*sp = s;
	return true;
}

enum status
xselector_parse(const char *s, struct xselector **out)
{
	struct xselector *sel = xcalloc(1, sizeof(*sel));
	struct complex *cx = NULL;

	for (;;) {
		struct compound c;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		if (*s == ',') {
			if (!cx || !cx->n)
				goto bad;
			cx = NULL;
			s++;
			continue;
		}
		if (!cx) {
			sel->list = xreallocarray(sel->list, sel->n + 1,
						  sizeof(*sel->list));
			cx = &sel->list[sel->n++];
			memset(cx, 0, sizeof(*cx));
		}
		if (!parse_compound(&s, &c)) {
			compound_free(&c);
			goto bad;
		}
		cx->seq = xreallocarray(cx->seq, cx->n + 1, sizeof(*cx->seq));
		cx->seq[cx->n++] = c;
		if (*s && !isspace((unsigned char)*s) && *s != ',')
			goto bad;
	}
	if (!sel->n || (cx && !cx->n))
		goto bad;
	*out = sel;
	return ST_OK;
bad:
	xselector_free(sel);
	return ST_INVAL;
}

static bool
has_class(const char *classes, const char *name)
{
	size_t len = strlen(name);
	const char *s = classes;

	while (*s) {
		const char *start;

		while (*s && isspace((unsigned char)*s))
			s++;
		start = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if ((size_t)(s - start) == len && !memcmp(start, name, len))
			return true;
	}
	return false;
}

static bool
compound_match(const struct compound *c, const struct xnode *n)
{
	size_t i;

	if (n->type != XN_ELEM)
		return false;
	if (c->tag && strcmp(c->tag, n->name))
		return false;
	for (i = 0; i < c->nparts; i++) {
		const struct part *p = &c->parts[i];
		const char *v;

		switch (p->kind) {
		case PART_CLASS:
			v = xnode_attr(n, "class");
			if (!v || !has_class(v, p->name))
				return false;
			break;
		case PART_ID:
			v = xnode_attr(n, "id");
			if (!v || strcmp(v, p->name))
				return false;
			break;
		case PART_ATTR:
			v = xnode_attr(n, p->name);
			if (!v || (p->value && strcmp(v, p->value)))
				return false;
			break;
		}
	}
	return true;
}

static bool
complex_match(const struct complex *cx, const struct xnode *n)
{
	size_t i;

	if (!cx->n || !compound_match(&cx->seq[cx->n - 1], n))
		return false;
	i = cx->n - 1;
	for (n = n->parent; n && i > 0; n = n->parent)
		if (compound_match(&cx->seq[i - 1], n))
			i--;
	return i == 0;
}

bool
xselector_match(const struct xselector *sel, const struct xnode *n)
{
	size_t i;

	for (i = 0; i < sel->n; i++)
		if (complex_match(&sel->list[i], n))
			return true;
	return false;
}
