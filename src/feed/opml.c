/*
 * opml.c — reading and writing OPML subscription lists with libxml2.
 */
#include "common.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "feed/internal.h"
#include "feed/opml.h"

/* An outline whose subtree is still to be walked, with the folder path. */
struct walk {
	xmlNodePtr node;      /* the first child to visit */
	const char **folders; /* titles of the enclosing folders */
	size_t folder_count;  /* entries in folders */
};

/* Returns an attribute's value in the arena, trimmed, or NULL if absent or
 * empty. Attribute names are matched without regard to case. */
static const char *
get_attr(struct arena *a, xmlNodePtr node, const char *name)
{
	xmlAttrPtr at;

	for (at = node->properties; at; at = at->next) {
		xmlChar *v;
		const char *s;

		if (strcasecmp((const char *)at->name, name))
			continue;
		v = xmlNodeGetContent((xmlNodePtr)at);
		if (!v)
			return NULL;
		s = feed_collapse_space(a, (const char *)v,
					strlen((const char *)v));
		xmlFree(v);
		return *s ? s : NULL;
	}
	return NULL;
}

static struct opml_outline *
find_outline(struct opml *opml, const char *xml_url)
{
	size_t i;

	for (i = 0; i < opml->outline_count; i++)
		if (!strcmp(opml->outlines[i].xml_url, xml_url))
			return &opml->outlines[i];
	return NULL;
}

static void
add_category(struct arena *a, struct opml_outline *o, const char *c)
{
	size_t i;
	const char **bigger;

	if (!c || !*c)
		return;
	for (i = 0; i < o->category_count; i++)
		if (!strcmp(o->categories[i], c))
			return;
	bigger = arena_alloc(a, (o->category_count + 1) * sizeof(*bigger));
	if (o->category_count)
		memcpy(bigger, o->categories,
		       o->category_count * sizeof(*bigger));
	bigger[o->category_count++] = c;
	o->categories = bigger;
}

/* Adds the comma-separated values of a category attribute ("a,b/c"), each
 * without a leading slash. */
static void
add_category_attr(struct arena *a, struct opml_outline *o, const char *attr)
{
	const char *p = attr;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *c = feed_collapse_space(a, p, len);

		while (*c == '/')
			c++;
		add_category(a, o, c);
		p = comma ? comma + 1 : NULL;
	}
}

static enum status
add_outline(struct opml *opml, xmlNodePtr node, const struct walk *w)
{
	struct arena *a = &opml->arena;
	const char *xml_url = get_attr(a, node, "xmlUrl");
	const char *title, *category;
	struct opml_outline *o;
	size_t i;

	if (!xml_url)
		xml_url = get_attr(a, node, "url");
	title = get_attr(a, node, "title");
	if (!title)
		title = get_attr(a, node, "text");
	o = find_outline(opml, xml_url);
	if (!o) {
		if (opml->outline_count >= OPML_MAX_OUTLINES)
			return ST_TOOBIG;
		if (!(opml->outline_count & (opml->outline_count - 1))) {
			size_t cap = opml->outline_count
					     ? opml->outline_count * 2
					     : 16;
			struct opml_outline *bigger =
				arena_alloc(a, cap * sizeof(*bigger));

			if (opml->outline_count)
				memcpy(bigger, opml->outlines,
				       opml->outline_count * sizeof(*bigger));
			opml->outlines = bigger;
		}
		o = &opml->outlines[opml->outline_count++];
		memset(o, 0, sizeof(*o));
		o->xml_url = xml_url;
		o->title = title ? title : xml_url;
		o->html_url = get_attr(a, node, "htmlUrl");
	} else if (!o->html_url) {
		o->html_url = get_attr(a, node, "htmlUrl");
	}
	for (i = 0; i < w->folder_count; i++)
		add_category(a, o, w->folders[i]);
	category = get_attr(a, node, "category");
	if (category)
		add_category_attr(a, o, category);
	return ST_OK;
}

static bool
is_outline(xmlNodePtr node)
{
	return node->type == XML_ELEMENT_NODE &&
	       !strcasecmp((const char *)node->name, "outline");
}

static bool
declares_entities(xmlDocPtr doc)
{
	return (doc->intSubset && doc->intSubset->entities) ||
	       (doc->extSubset && doc->extSubset->entities);
}

enum status
opml_parse(const char *data, size_t len, struct opml **out, const char **reason)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, body = NULL, head = NULL, n;
	struct opml *opml = NULL;
	struct walk *stack = NULL;
	size_t depth = 0, cap = 0;
	enum status rc = ST_OK;
	const char *why = NULL;

	if (len > INT_MAX || len > FEED_MAX_SIZE) {
		rc = ST_TOOBIG;
		why = "document larger than the size limit";
		goto out;
	}
	doc = xmlReadMemory(data, (int)len, NULL, NULL,
			    XML_PARSE_RECOVER | XML_PARSE_NONET |
				    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc || !(root = xmlDocGetRootElement(doc))) {
		rc = ST_PARSE;
		why = "not XML";
		goto out;
	}
	if (declares_entities(doc)) {
		rc = ST_PARSE;
		why = "OPML that declares entities is refused";
		goto out;
	}
	if (strcasecmp((const char *)root->name, "opml")) {
		rc = ST_PARSE;
		why = "not OPML: the root element is not <opml>";
		goto out;
	}
	for (n = root->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcasecmp((const char *)n->name, "body"))
			body = n;
		else if (!strcasecmp((const char *)n->name, "head"))
			head = n;
	}
	if (!body) {
		rc = ST_PARSE;
		why = "OPML without a <body>";
		goto out;
	}
	opml = xcalloc(1, sizeof(*opml));
	arena_init(&opml->arena, 0);
	for (n = head ? head->children : NULL; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    !strcasecmp((const char *)n->name, "title")) {
			xmlChar *t = xmlNodeGetContent(n);

			if (t) {
				opml->title = feed_collapse_space(
					&opml->arena, (const char *)t,
					strlen((const char *)t));
				xmlFree(t);
			}
		}
	}

	/* An explicit stack: the depth comes from the document. */
	cap = 16;
	stack = xmallocarray(cap, sizeof(*stack));
	stack[0] = (struct walk){body->children, NULL, 0};
	depth = 1;
	while (depth) {
		struct walk *w = &stack[depth - 1];
		xmlNodePtr node = w->node;
		const char *folder;
		const char **folders;

		if (!node) {
			depth--;
			continue;
		}
		w->node = node->next;
		if (!is_outline(node))
			continue;
		if (get_attr(&opml->arena, node, "xmlUrl") ||
		    get_attr(&opml->arena, node, "url")) {
			rc = add_outline(opml, node, w);
			if (rc) {
				why = "too many outlines";
				goto out;
			}
			continue;
		}
		if (!node->children)
			continue;
		/* A folder: its children get its title as a category. */
		folder = get_attr(&opml->arena, node, "text");
		if (!folder)
			folder = get_attr(&opml->arena, node, "title");
		folders = arena_alloc(&opml->arena,
				      (w->folder_count + 1) * sizeof(*folders));
		if (w->folder_count)
			memcpy(folders, w->folders,
			       w->folder_count * sizeof(*folders));
		if (folder)
			folders[w->folder_count] = folder;
		if (depth == cap) {
			cap *= 2;
			stack = xreallocarray(stack, cap, sizeof(*stack));
			w = &stack[depth - 1];
		}
		stack[depth++] = (struct walk){node->children, folders,
					       w->folder_count + !!folder};
	}
	*out = opml;
	opml = NULL;
out:
	free(stack);
	opml_free(opml);
	xmlFreeDoc(doc);
	if (reason)
		*reason = why;
	return rc;
}

void
opml_free(struct opml *opml)
{
	if (!opml)
		return;
	arena_release(&opml->arena);
	free(opml);
}

static void
write_attr(struct buf *out, const char *name, const char *value)
{
	if (!value)
		return;
	buf_addf(out, " %s=\"", name);
	buf_add_html(out, value, strlen(value));
	buf_addc(out, '"');
}

void
opml_write(const struct opml_outline *outlines, size_t count, const char *title,
	   struct buf *out)
{
	size_t i, j;

	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<opml version=\"2.0\">\n  <head>\n    <title>");
	buf_add_html(out, title ? title : "newsstand subscriptions",
		     strlen(title ? title : "newsstand subscriptions"));
	buf_adds(out, "</title>\n  </head>\n  <body>\n");
	for (i = 0; i < count; i++) {
		const struct opml_outline *o = &outlines[i];

		buf_adds(out, "    <outline type=\"rss\"");
		write_attr(out, "text", o->title);
		write_attr(out, "title", o->title);
		write_attr(out, "xmlUrl", o->xml_url);
		write_attr(out, "htmlUrl", o->html_url);
		if (o->category_count) {
			struct buf cats = BUF_INIT;

			/* OPML 2.0: comma-separated; a comma inside a name
			 * cannot be written. */
			for (j = 0; j < o->category_count; j++) {
				const char *c = o->categories[j];

				if (j)
					buf_addc(&cats, ',');
				for (; *c; c++)
					buf_addc(&cats, *c == ',' ? ' ' : *c);
			}
			write_attr(out, "category", cats.data);
			buf_release(&cats);
		}
		buf_adds(out, "/>\n");
	}
	buf_adds(out, "  </body>\n</opml>\n");
}
