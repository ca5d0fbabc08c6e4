#!/bin/sh
# Feed parsing throughput: a generated RSS 2.0 feed and an Atom 1.0 feed of
# N items with about 3 KB of HTML each, parsed into the full model by
# `newsstand parse --bench R` (R rounds in one process, reading the file
# once), beside sfeed (C, streaming, writes TSV) and Python feedparser, each
# on the same files. Figures: MB/s of input and items/s.
#
#   bench/parse.sh [N] [ROUNDS]     (defaults 10000 and 5)
set -eu
n=${1:-10000}
rounds=${2:-5}
bin=${NEWSSTAND_BIN:-build/newsstand}
tmp=$(mktemp -d /tmp/newsstand-bench-parse.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp" "$n" <<'PY'
import random, sys, os
root, n = sys.argv[1], int(sys.argv[2])
random.seed(11)
words = ("harbour council budget river storm market energy school election "
         "minister union contract vaccine trial orbit satellite museum bronze "
         "festival league season transfer rates inflation export grain bridge "
         "flood rescue volunteer census theatre novel climate glacier coast "
         "court verdict appeal hospital nurse clinic research data privacy").split()
def body():
    out, size = [], 0
    while size < 3000:
        p = " ".join(random.choice(words) for _ in range(30)).capitalize()
        s = '<p>%s <a href="https://example.com/%d">link</a> <em>%s</em>.</p>' % (
            p, random.randint(1, 10**6), random.choice(words))
        out.append(s)
        size += len(s)
    return "".join(out)
def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
items = [(" ".join(random.choice(words) for _ in range(8)).capitalize(), body())
         for _ in range(n)]
with open(os.path.join(root, "rss.xml"), "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>'
            '<title>Bench</title><link>https://bench.example/</link>'
            '<description>Generated</description>\n')
    for i, (title, html) in enumerate(items):
        f.write('<item><title>%s</title><link>https://bench.example/a/%d</link>'
                '<guid isPermaLink="false">a%d</guid><dc:creator>Writer %d</dc:creator>'
                '<pubDate>Mon, 02 Nov 2026 %02d:%02d:00 +0000</pubDate>'
                '<category>Section %d</category>'
                '<description>%s</description></item>\n'
                % (title, i, i, i % 40, i % 24, i % 60, i % 12, esc(html)))
    f.write('</channel></rss>\n')
with open(os.path.join(root, "atom.xml"), "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            '<title>Bench</title><id>urn:bench</id><updated>2026-11-02T00:00:00Z</updated>'
            '<link href="https://bench.example/"/>\n')
    for i, (title, html) in enumerate(items):
        f.write('<entry><title>%s</title><id>urn:bench:%d</id>'
                '<link href="https://bench.example/a/%d"/>'
                '<author><name>Writer %d</name></author>'
                '<updated>2026-11-02T%02d:%02d:00Z</updated>'
                '<category term="Section %d"/>'
                '<content type="html">%s</content></entry>\n'
                % (title, i, i, i % 40, i % 24, i % 60, i % 12, esc(html)))
    f.write('</feed>\n')
PY

# Each tool is timed by the wall clock and by its CPU time (user + system),
# so that a busy machine does not make the comparison meaningless.
run_tool() { # label rounds file bytes items command...
	label=$1 r=$2 f=$3 b=$4 i=$5
	shift 5
	python3 - "$r" "$f" "$b" "$i" "$@" <<'PY'
import os, resource, subprocess, sys, time
r, path, size, items = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cmd = sys.argv[5:]
start = time.perf_counter()
for _ in range(r):
    with open(path, "rb") as f:
        subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, check=True)
wall = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru.ru_utime + ru.ru_stime
print("%8.1f MB/s %9.0f items/s | CPU %8.1f MB/s %9.0f items/s"
      % (size * r / wall / 1e6, items * r / wall, size * r / cpu / 1e6, items * r / cpu))
PY
}

printf '%-8s %-20s %s\n' feed parser "wall clock                   | CPU time"
for kind in rss atom; do
	file=$tmp/$kind.xml
	bytes=$(wc -c <"$file")
	printf '%-8s %s\n' "$kind" "($((bytes / 1000000)) MB, $n items)"
	if "$bin" parse --help >/dev/null 2>&1; then
		printf '%-8s %-20s ' "" "newsstand parse"
		"$bin" parse --bench "$rounds" "$file" | awk -F'[:,;]' '{
			split($2, a, " "); split($3, b, " ");
			split($5, c, " "); split($6, d, " ");
			printf "%8.1f MB/s %9.0f items/s | CPU %8.1f MB/s %9.0f items/s\n",
				a[1], b[1], c[1], d[1] }'
	else
		echo "newsstand parse: not available in $bin" >&2
	fi
	if command -v sfeed >/dev/null 2>&1; then
		printf '%-8s %-20s ' "" "sfeed"
		run_tool sfeed "$rounds" "$file" "$bytes" "$n" sfeed
	else
		printf '%-8s %-20s %s\n' "" "sfeed" "(not installed)"
	fi
	if /usr/bin/python3 -c 'import feedparser' 2>/dev/null; then
		printf '%-8s %-20s ' "" "python3 feedparser"
		run_tool feedparser 1 "$file" "$bytes" "$n" /usr/bin/python3 -c \
			'import sys, feedparser; feedparser.parse(sys.stdin.buffer.read())'
	else
		printf '%-8s %-20s %s\n' "" "python3 feedparser" "(not installed)"
	fi
done
