#include "common.h"

#include <curl/curl.h>
#include <gumbo.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <xxhash.h>
#include <zlib.h>

#include "main/cli.h"
#include "main/commands.h"

int
cmd_version(int argc, char **argv)
{
	static const struct cli_option opts[] = {CLI_END};
	curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
	int nargs, rc;

	rc = cli_parse(argc, argv, "newsstand version", opts, &nargs);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (nargs)
		return cli_usage_error("version", "takes no arguments");
	printf("newsstand %s\n", NEWSSTAND_VERSION);
	printf("libcurl %s (%s)\n", curl->version,
	       curl->ssl_version ? curl->ssl_version : "no TLS");
	printf("libxml2 %s\n", xmlParserVersion);
	printf("SQLite %s\n", sqlite3_libversion());
	printf("libmicrohttpd %s\n", MHD_get_version());
	printf("libsodium %s\n", sodium_version_string());
	printf("jansson %s\n", jansson_version_str());
	printf("zlib %s\n", zlibVersion());
	printf("xxHash %u.%u.%u\n", XXH_versionNumber() / 10000,
	       XXH_versionNumber() / 100 % 100, XXH_versionNumber() % 100);
	printf("gumbo %s\n", GUMBO_PKG_VERSION);
	return EXIT_OK;
}
