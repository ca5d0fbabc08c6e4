/*
 * charset.c — single-byte character sets decoded by table.
 *
 * libxml2 decodes a document in any encoding but UTF-8, UTF-16 and Latin-1
 * through iconv, which spends a quarter of the parse of a windows-1252 or
 * windows-1251 feed converting it a character at a time. The single-byte
 * sets are registered with libxml2 here instead, each decoded through a
 * table of what its 256 bytes are in UTF-8. The tables are iconv's own
 * answers, asked once byte by byte, so the text and the errors (a byte the
 * set leaves undefined) are the ones iconv gives. A set's table is made when
 * a document first needs it: asking iconv loads the set's module, a few
 * milliseconds for all of them. glibc's windows-1255 and windows-1258
 * compose a letter with the accent that follows it, which no table of
 * single bytes can do: they stay with iconv (the tests compare every pair
 * of bytes of every set here with iconv).
 */
#include "common.h"

#include <iconv.h>
#include <pthread.h>

#include <libxml/encoding.h>

#include "feed/internal.h"

/*
 * A set: what each of its bytes is in UTF-8, utf8[b] holding len[b] bytes
 * (in memory order, the rest zero); len 0 for a byte the set leaves
 * undefined.
 */
struct charset {
	const char *name; /* as libxml2 looks it up: upper case */
	pthread_once_t made;
	uint32_t utf8[256];
	uint8_t len[256];
};

/* clang-format off */
#define SET(name) {name, PTHREAD_ONCE_INIT, {0}, {0}}
static struct charset sets[] = {
	SET("WINDOWS-1250"), SET("WINDOWS-1251"), SET("WINDOWS-1252"),
	SET("WINDOWS-1253"), SET("WINDOWS-1254"), SET("WINDOWS-1256"),
	SET("WINDOWS-1257"),
	SET("ISO-8859-2"), SET("ISO-8859-3"), SET("ISO-8859-4"),
	SET("ISO-8859-5"), SET("ISO-8859-6"), SET("ISO-8859-7"),
	SET("ISO-8859-8"), SET("ISO-8859-9"), SET("ISO-8859-10"),
	SET("ISO-8859-13"), SET("ISO-8859-14"), SET("ISO-8859-15"),
	SET("ISO-8859-16"), SET("KOI8-R"), SET("KOI8-U"),
};
/* clang-format on */

/*
 * Decodes what fits of in into out; libxml2's contract: the bytes written,
 * or -2 at a byte the set does not define, with *inlen and *outlen set to
 * what was read and written. While four bytes fit, a byte's whole entry is
 * copied and the output advanced by its length: no branch on the length,
 * which text mixes at random.
 */
static int
decode(const struct charset *cs, unsigned char *out, int *outlen,
       const unsigned char *in, int *inlen)
{
	int i = 0, o = 0, n = *inlen, cap = *outlen;

	for (; i < n; i++) {
		unsigned len = cs->len[in[i]];

		if (!len) {
			*inlen = i;
			*outlen = o;
			return -2;
		}
		if (o + 4 <= cap) {
			memcpy(out + o, &cs->utf8[in[i]], 4);
		} else {
			if (o + (int)len > cap)
				break;
			memcpy(out + o, &cs->utf8[in[i]], len);
		}
		o += (int)len;
	}
	*inlen = i;
	*outlen = o;
	return o;
}

/* iconv's conversion of len bytes at in to UTF-8 into out (room for cap
 * bytes); the bytes written, or -1 when it fails. */
static long
iconv_utf8(iconv_t cd, const char *in, size_t len, char *out, size_t cap)
{
	char *ip = (char *)in, *op = out;
	size_t il = len, ol = cap;

	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1 || il)
		return -1;
	return (long)(op - out);
}

/* Fills cs's table from iconv. A set iconv lacks (Debian's glibc has them
 * all) keeps every byte undefined: its documents fail to decode. */
static void
build(struct charset *cs)
{
	char out[8];
	iconv_t cd = iconv_open("UTF-8", cs->name);
	long got;
	size_t i;

	if (cd == (iconv_t)-1)
		return;
	for (i = 0; i < 256; i++) {
		char c = (char)i;

		got = iconv_utf8(cd, &c, 1, out, sizeof(out));
		if (got > 0 && got <= 3) {
			cs->len[i] = (uint8_t)got;
			memcpy(&cs->utf8[i], out, (size_t)got);
		}
	}
	iconv_close(cd);
}

/* libxml2's handlers take no context: one function per set, and one to
 * make its table for pthread_once(). */
#define DECODER(n)                                                             \
	static void build_##n(void)                                            \
	{                                                                      \
		build(&sets[n]);                                               \
	}                                                                      \
	static int decode_##n(unsigned char *out, int *outlen,                 \
			      const unsigned char *in, int *inlen)             \
	{                                                                      \
		pthread_once(&sets[n].made, build_##n);                        \
		return decode(&sets[n], out, outlen, in, inlen);               \
	}
DECODER(0)
DECODER(1)
DECODER(2)
DECODER(3)
DECODER(4)
DECODER(5)
DECODER(6)
DECODER(7)
DECODER(8)
DECODER(9)
DECODER(10)
DECODER(11)
DECODER(12)
DECODER(13)
DECODER(14)
DECODER(15)
DECODER(16)
DECODER(17)
DECODER(18)
DECODER(19)
DECODER(20)
DECODER(21)

static xmlCharEncodingInputFunc const decoders[] = {
	decode_0,  decode_1,  decode_2,	 decode_3,  decode_4,  decode_5,
	decode_6,  decode_7,  decode_8,	 decode_9,  decode_10, decode_11,
	decode_12, decode_13, decode_14, decode_15, decode_16, decode_17,
	decode_18, decode_19, decode_20, decode_21,
};
_Static_assert(ARRAY_SIZE(decoders) == ARRAY_SIZE(sets), "a decoder per set");

static void
register_sets(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sets); i++)
		xmlNewCharEncodingHandler(sets[i].name, decoders[i], NULL);
}

void
feed_charsets_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_sets);
}
