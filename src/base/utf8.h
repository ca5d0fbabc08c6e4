/*
 * utf8.h — decoding one UTF-8 sequence, strictly (no overlong forms, no
 * surrogates, nothing past U+10FFFF). Inline: the tokenizer calls it for
 * every non-ASCII character.
 */
#ifndef NEWSSTAND_BASE_UTF8_H
#define NEWSSTAND_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes one UTF-8 sequence at s (n > 0 bytes left). Returns the number of
 * bytes used and the code point in *cp, or 0xFFFD for an invalid sequence
 * (one byte used).
 */
static inline size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2 || c > 0xF4)
		goto bad;
	if (c < 0xE0) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c < 0xF0) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	}
	if (n < len)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = 0xFFFD;
	return 1;
}

#endif
