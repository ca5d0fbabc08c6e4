#!/bin/sh
# End-to-end ingest: parse, normalise, sanitise, dedupe, store and index
# N generated articles of about 2 KB (100 file:// feeds of N/100 items) with
# one `newsstand fetch --once --all`, beside the sqlite3 command-line tool
# bulk-inserting the same texts into a plain FTS5 table in one transaction.
#
#   bench/ingest.sh [N]     (default 20000)
#
# RUNS=N (default 3) runs both N times, alternated, and gives the medians.
#
# CORPUS=news (the default) draws words from a vocabulary of 20,000 made-up
# words and names with Zipf-like frequencies, as news text has; CORPUS=tiny
# draws from 40 words only, so that every article holds every word (the
# worst case for anything that looks articles up by their words).
set -eu
n=${1:-20000}
corpus=${CORPUS:-news}
bin=${NEWSSTAND_BIN:-build/newsstand}
tmp=$(mktemp -d /tmp/newsstand-bench-ingest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" "$n" "$corpus" <<'PY'
import random, sys, os, itertools
root, n, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(7)
small = ("harbour council budget river storm market energy school election "
         "minister union contract vaccine trial orbit satellite museum bronze "
         "festival league season transfer rates inflation export grain bridge "
         "flood rescue volunteer census theatre novel climate glacier coast "
         "court verdict appeal hospital nurse clinic research data privacy").split()
if corpus == "tiny":
    words, weights = small, None
else:
    # Made-up words of 3 to 10 letters; the i-th most common has weight
    # 1 / (i + 1), so a few hundred words make up half of the text.
    letters = "etaoinshrdlcumwfgypbvk"
    vocab = set(small)
    while len(vocab) < 20000:
        vocab.add("".join(random.choice(letters)
                          for _ in range(random.randint(3, 10))))
    words = sorted(vocab)
    random.shuffle(words)
    weights = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(words))))
def pick(k):
    if weights is None:
        return [random.choice(words) for _ in range(k)]
    return random.choices(words, cum_weights=weights, k=k)
feeds = 100
per = n // feeds
sql = open(os.path.join(root, "bulk.sql"), "w")
sql.write("CREATE VIRTUAL TABLE t USING fts5(title, byline, body);\nBEGIN;\n")
for f in range(feeds):
    out = open(os.path.join(root, "feed%03d.xml" % f), "w")
    out.write('<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Bench %d</title><link>https://bench%d.example/</link>\n' % (f, f))
    for i in range(per):
        paras = []
        size = 0
        while size < 2000:
            p = " ".join(pick(40)).capitalize() + "."
            paras.append(p)
            size += len(p)
        title = " ".join(pick(7)).capitalize()
        body = "".join("<p>%s</p>" % p for p in paras)
        out.write("<item><title>%s</title><link>https://bench%d.example/a/%d</link><guid>b%d-%d</guid><author>Writer %d</author><pubDate>Mon, 02 Nov 2026 %02d:%02d:00 GMT</pubDate><content:encoded><![CDATA[%s]]></content:encoded></item>\n" % (title, f, i, f, i, i % 50, i % 24, i % 60, body))
        text = "\n".join(paras).replace("'", "''")
        sql.write("INSERT INTO t VALUES('%s','Writer %d','%s');\n" % (title, i % 50, text))
    out.write("</channel></rss>\n")
sql.write("COMMIT;\n")
PY
export NEWSSTAND_LOG_LEVEL=warn
"$bin" publisher add bench --name Bench --data-dir "$tmp/template" >/dev/null
for f in "$tmp"/feed*.xml; do
	"$bin" feed add bench "file://$f" --data-dir "$tmp/template" >/dev/null
done
# The machine's speed moves from minute to minute: each run stores the
# articles afresh and then runs the peer, so that the two see the same
# moments, and the medians are compared.
. "$(dirname "$0")/lib.sh"
runs=${RUNS:-3}
all_ours= all_peer=
printf '%-44s %10s %10s\n' "ingest ($n articles of ~2 KB, $corpus)" "newsstand" "sqlite3"
i=1
while [ "$i" -le "$runs" ]; do
	rm -rf "$tmp/data" "$tmp/peer.db"
	cp -r "$tmp/template" "$tmp/data"
	start=$(date +%s.%N)
	"$bin" fetch --once --all --data-dir "$tmp/data" >"$tmp/fetch.out"
	end=$(date +%s.%N)
	ours=$(echo "$n / ($end - $start)" | bc -l)
	start=$(date +%s.%N)
	sqlite3 "$tmp/peer.db" <"$tmp/bulk.sql"
	end=$(date +%s.%N)
	peer=$(echo "$n / ($end - $start)" | bc -l)
	stored=$(sqlite3 "$tmp/data/newsstand.db" "SELECT count(*) FROM articles")
	printf '%-44s %10.0f %10.0f   (%s stored)\n' "run $i, articles/s" "$ours" "$peer" "$stored"
	all_ours="$all_ours $ours"
	all_peer="$all_peer $peer"
	i=$((i + 1))
done
ours=$(echo "$all_ours" | median)
peer=$(echo "$all_peer" | median)
printf '%-44s %10.0f %10.0f\n' "median of $runs, articles/s" "$ours" "$peer"
printf '%-44s %10.2f\n' "newsstand / sqlite3 CLI (plain FTS5, one transaction)" "$(echo "$ours / $peer" | bc -l)"
