/*
 * tokens.c — random tokens, their stored hashes and constant-time
 * comparison.
 *
 * A token is 32 random bytes (randombytes_buf) written as unpadded
 * base64url (43 characters). Only BLAKE2b-256 of the bytes is stored, so a
 * copy of the database does not give anyone a session.
 */
#include "common.h"

#include <sodium.h>

#include "account/internal.h"

void
token_new(char out[ACCOUNT_TOKEN_LEN])
{
	unsigned char bytes[TOKEN_BYTES];

	if (!account_sodium_ready())
		die("libsodium is not available");
	randombytes_buf(bytes, sizeof(bytes));
	sodium_bin2base64(out, ACCOUNT_TOKEN_LEN, bytes, sizeof(bytes),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bytes, sizeof(bytes));
}

bool
token_hash(const char *text, unsigned char hash[STORE_TOKEN_HASH])
{
	unsigned char bytes[TOKEN_BYTES];
	size_t len = 0;

	if (!text || !account_sodium_ready() ||
	    strlen(text) != ACCOUNT_TOKEN_LEN - 1)
		return false;
	if (sodium_base642bin(bytes, sizeof(bytes), text, ACCOUNT_TOKEN_LEN - 1,
			      NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(bytes))
		return false;
	crypto_generichash(hash, STORE_TOKEN_HASH, bytes, sizeof(bytes), NULL,
			   0);
	sodium_memzero(bytes, sizeof(bytes));
	return true;
}

bool
token_equal(const char *a, const char *b)
{
	size_t len;

	if (!a || !b)
		return false;
	len = strlen(a);
	if (len == 0 || len != strlen(b))
		return false;
	return sodium_memcmp(a, b, len) == 0;
}
