#!/bin/sh
# run.sh — article extraction speed: newsstand beside Readability.js on jsdom
# and on linkedom, over the Readability test pages, in one run.
#
#   bench/extract/run.sh [ROUNDS]
#
# NEWSSTAND_BIN (default build/newsstand) is the binary to time; CORPUS
# (default ../shared/corpora/readability/test/test-pages from the repository
# root) the page folders. Installs the node packages on first use.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=${1:-3}
bin=${NEWSSTAND_BIN:-$root/build/newsstand}
corpus=${CORPUS:-$root/../shared/corpora/readability/test/test-pages}

if [ ! -d "$corpus" ]; then
	echo "run.sh: no corpus at $corpus (set CORPUS)" >&2
	exit 2
fi
if [ ! -x "$bin" ]; then
	echo "run.sh: no binary at $bin (make, or set NEWSSTAND_BIN)" >&2
	exit 2
fi
if [ ! -d "$here/node_modules/@mozilla/readability" ]; then
	(cd "$here" && npm ci --no-audit --no-fund >/dev/null)
fi

ours=$("$bin" extract --bench "$corpus" --rounds "$rounds")
peers=$(cd "$here" && node peer.mjs "$corpus" "$rounds")

echo "$ours" | awk -v peers="$peers" '
/pages\/s/ {
	for (i = 1; i <= NF; i++) {
		if ($i == "pages/s") pps = $(i + 1)
		if ($i == "median") med = $(i + 1)
		if ($i == "p90") p90 = $(i + 1)
	}
}
END {
	printf "%-28s %10s %12s %10s\n", "extractor", "pages/s", "median ms", "p90 ms"
	printf "%-28s %10.1f %12.3f %10.3f\n", "newsstand (C, gumbo)", pps, med, p90
	n = split(peers, lines, "\n")
	for (i = 1; i <= n; i++) {
		split(lines[i], f, " ")
		if (f[1] == "") continue
		name = "Readability.js + " f[1]
		printf "%-28s %10.1f %12.3f %10.3f\n", name, f[2], f[3], f[4]
		ratio[f[1]] = pps / f[2]
	}
	for (e in ratio)
		printf "newsstand / Readability.js on %s: %.1fx pages/s\n", e, ratio[e]
}'
