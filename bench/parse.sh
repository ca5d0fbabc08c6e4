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

# The real feeds of the corpora (../shared/corpora beside the repository:
# feeds captured from publishers by Miniflux's tests, in several encodings,
# and newsboat's sample), 0.5 MB in all. newsstand reads every file
# ROUNDS*40 times in one process, feedparser ROUNDS times in one, each
# counting the CPU time of the parsing alone; sfeed, a filter, runs once per
# file and round, and the CPU time of as many runs on a one-item feed (its
# start-up) is taken off. newsstand and sfeed are measured three times, alternated,
# and each keeps its least CPU time: on a shared machine other work only
# ever adds to it.
here=$(cd "$(dirname "$0")" && pwd)
corpora=${CORPORA:-$here/../../shared/corpora}
if [ ! -d "$corpora/miniflux" ]; then
	echo "real feeds: $corpora not found, skipped"
	exit 0
fi
real="miniflux/internal/reader/parser/testdata/large_atom.xml
miniflux/internal/reader/parser/testdata/large_rss.xml
miniflux/internal/reader/parser/testdata/small_atom.xml
miniflux/internal/reader/parser/testdata/rdf_UTF8.xml
miniflux/internal/reader/parser/testdata/urdu_UTF8.xml
miniflux/internal/reader/parser/testdata/encoding_ISO-8859-1.xml
miniflux/internal/reader/parser/testdata/encoding_WINDOWS-1251.xml
newsboat/test/data/rss.xml"
python3 - "$bin" "$corpora" "$rounds" $real <<'PY'
import json, os, resource, subprocess, sys
bin, root, rounds, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
r = rounds * 40
files = [os.path.join(root, n) for n in names]
size = sum(os.path.getsize(f) for f in files)
items = sum(len(json.loads(subprocess.run([bin, "parse", f], check=True,
                                          capture_output=True).stdout)["items"])
            for f in files)
have_sfeed = subprocess.run(["sh", "-c", "command -v sfeed"],
                            stdout=subprocess.DEVNULL).returncode == 0
tiny = b'<rss version="2.0"><channel><item><title>t</title></item></channel></rss>'

def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime

def newsstand_cpu():
    cpu = 0.0
    for f in files:
        out = subprocess.run([bin, "parse", "--bench", str(r), f], check=True,
                             capture_output=True, text=True).stdout
        # "R rounds of N bytes in W s (C s CPU): ..."
        cpu += float(out.split("(")[1].split(" s CPU")[0])
    return cpu

def sfeed_cpu():
    before = children_cpu()
    for _ in range(r * len(files)):
        subprocess.run(["sfeed"], input=tiny, stdout=subprocess.DEVNULL,
                       check=True)
    start_up = children_cpu() - before
    before = children_cpu()
    for f in files:
        for _ in range(r):
            with open(f, "rb") as fh:
                subprocess.run(["sfeed"], stdin=fh, stdout=subprocess.DEVNULL,
                               check=True)
    return children_cpu() - before - start_up

def report(name, cpu, note=""):
    print("%-8s %-20s CPU %8.1f MB/s %9.0f items/s%s"
          % ("", name, size * r / cpu / 1e6, items * r / cpu, note))

print("%-8s (%d files, %.1f MB, %d items, %d rounds)"
      % ("real", len(files), size / 1e6, items, r))
ours, peer = [], []
for _ in range(3):
    ours.append(newsstand_cpu())
    if have_sfeed:
        peer.append(sfeed_cpu())
report("newsstand parse", min(ours))
if have_sfeed:
    report("sfeed", max(min(peer), 1e-6), " (start-up taken off)")
else:
    print("%-8s %-20s %s" % ("", "sfeed", "(not installed)"))
code = """
import sys, time, feedparser
r, files = int(sys.argv[1]), sys.argv[2:]
data = [open(f, 'rb').read() for f in files]
t = time.process_time()
for d in data:
    for _ in range(r):
        feedparser.parse(d)
print(time.process_time() - t)
"""
p = subprocess.run(["/usr/bin/python3", "-c", code, str(rounds)] + files,
                   capture_output=True, text=True)
if p.returncode == 0:
    cpu = float(p.stdout.strip())
    print("%-8s %-20s CPU %8.1f MB/s %9.0f items/s (%d rounds)"
          % ("", "python3 feedparser", size * rounds / cpu / 1e6,
             items * rounds / cpu, rounds))
else:
    print("%-8s %-20s %s" % ("", "python3 feedparser", "(not installed)"))
PY
