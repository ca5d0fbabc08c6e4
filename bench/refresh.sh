#!/bin/sh
# Refreshing 1,000 feeds served by a local nginx (127.0.0.1 only) with one
# `newsstand fetch --once --all`, beside `newsboat -x reload` on the same
# URLs with reload-threads set to our fetch concurrency. Each feed has 20
# items of about 1.5 KB. The first round stores everything; the second is a
# real refresh of unchanged feeds (conditional GET: nginx answers 304); the
# third fetches the same unchanged feeds from a server that sends no
# validators (nginx with etag and if_modified_since off: every feed is a
# 200 to be read again, as from the many servers that do not answer 304).
#
#   bench/refresh.sh [FEEDS]     (default 1000)
#
# RUNS=N (default 3) runs both N times, alternated, and gives the medians.
set -eu
feeds=${1:-1000}
bin=${NEWSSTAND_BIN:-build/newsstand}
concurrency=${CONCURRENCY:-32}
port=${PORT:-18931}
tmp=$(mktemp -d /tmp/newsstand-bench-refresh.XXXXXX)
nginx_pid=
cleanup() {
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/www" "$tmp/nginx" "$tmp/newsboat"
# nginx workers drop root: let them read the feeds.
chmod a+rx "$tmp" "$tmp/www"
python3 - "$tmp/www" "$feeds" <<'PY'
import sys, os, random
root, feeds = sys.argv[1], int(sys.argv[2])
random.seed(3)
words = "river market council energy school vote union vaccine orbit museum league rates grain bridge flood".split()
for f in range(feeds):
    with open(os.path.join(root, "f%04d.xml" % f), "w") as out:
        out.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %d</title><link>https://f%d.example/</link>' % (f, f))
        for i in range(20):
            body = " ".join(random.choice(words) for _ in range(220))
            out.write("<item><title>Story %d of feed %d</title><link>https://f%d.example/%d</link><guid>f%d-%d</guid><pubDate>Mon, 02 Nov 2026 10:%02d:00 GMT</pubDate><description>&lt;p&gt;%s&lt;/p&gt;</description></item>" % (i, f, f, i, f, i, i, body))
        out.write("</channel></rss>")
PY
# nginx_conf on|off: validators (ETag, Last-Modified and 304s) or none.
nginx_conf() {
	if [ "$1" = on ]; then
		validators=
	else
		validators="etag off; if_modified_since off; add_header Last-Modified \"\";"
	fi
	cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $tmp/nginx/pid;
error_log $tmp/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	default_type application/rss+xml;
	client_body_temp_path $tmp/nginx;
	proxy_temp_path $tmp/nginx;
	fastcgi_temp_path $tmp/nginx;
	uwsgi_temp_path $tmp/nginx;
	scgi_temp_path $tmp/nginx;
	server { listen 127.0.0.1:$port; root $tmp/www; $validators }
}
CONF
}
# validators on|off: the running nginx reloads its configuration.
validators() {
	nginx_conf "$1"
	nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" -s reload 2>/dev/null
	sleep 1
}
nginx_conf on
nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" &
nginx_pid=$!
sleep 1
export NEWSSTAND_LOG_LEVEL=${NEWSSTAND_LOG_LEVEL:-error} NEWSSTAND_FETCH_ALLOW=127.0.0.1
export NEWSSTAND_FETCH_CONCURRENCY=$concurrency NEWSSTAND_FETCH_PER_HOST=$concurrency
"$bin" publisher add bench --name Bench --data-dir "$tmp/template" >/dev/null
: >"$tmp/newsboat/urls"
i=0
while [ "$i" -lt "$feeds" ]; do
	url=$(printf 'http://127.0.0.1:%s/f%04d.xml' "$port" "$i")
	echo "$url" >>"$tmp/newsboat/urls"
	i=$((i + 1))
done
# Add the feeds straight into the database: 1,000 `feed add` runs would
# measure process start-up, not the catalogue.
sqlite3 "$tmp/template/newsstand.db" "CREATE TEMP TABLE u(url); $(sed "s/.*/INSERT INTO u VALUES('&');/" "$tmp/newsboat/urls" | tr '\n' ' ') INSERT INTO feeds (publisher_id, url, created_at) SELECT (SELECT id FROM publishers), url, 0 FROM u;"
run_ours() {
	start=$(date +%s.%N)
	"$bin" fetch --once --all --data-dir "$tmp/data" >"$tmp/ours.out"
	end=$(date +%s.%N)
	echo "$end - $start" | bc -l
}
run_peer() {
	start=$(date +%s.%N)
	HOME=$tmp/newsboat newsboat -u "$tmp/newsboat/urls" \
		-C "$tmp/newsboat/config" -c "$tmp/newsboat/cache.db" \
		-x reload >/dev/null 2>&1
	end=$(date +%s.%N)
	echo "$end - $start" | bc -l
}
printf 'reload-threads %s\n' "$concurrency" >"$tmp/newsboat/config"
# The machine's speed moves from minute to minute: each run starts both
# afresh (an empty database, an empty newsboat cache) and alternates them,
# and the medians are compared.
. "$(dirname "$0")/lib.sh"
runs=${RUNS:-3}
firsts= peers= agains= peers2= thirds= peers3=
printf '%-46s %9s %9s %9s\n' "refresh $feeds feeds x 20 items (local nginx)" \
	"newsstand" "newsboat" "speed-up"
i=1
while [ "$i" -le "$runs" ]; do
	rm -rf "$tmp/data" "$tmp/newsboat/cache.db"
	cp -r "$tmp/template" "$tmp/data"
	ours=$(run_ours)
	ours_out=$(cat "$tmp/ours.out")
	peer=$(run_peer)
	ours2=$(run_ours)
	ours2_out=$(cat "$tmp/ours.out")
	peer2=$(run_peer)
	validators off
	ours3=$(run_ours)
	ours3_out=$(cat "$tmp/ours.out")
	peer3=$(run_peer)
	validators on
	printf '%-46s %9.2f %9.2f %8.1fx   %s\n' "run $i, first round (s)" "$ours" \
		"$peer" "$(echo "$peer / $ours" | bc -l)" "$ours_out"
	printf '%-46s %9.2f %9.2f %8.1fx   %s\n' "run $i, again: unchanged (s)" \
		"$ours2" "$peer2" "$(echo "$peer2 / $ours2" | bc -l)" "$ours2_out"
	printf '%-46s %9.2f %9.2f %8.1fx   %s\n' \
		"run $i, again, no validators: 200s (s)" "$ours3" "$peer3" \
		"$(echo "$peer3 / $ours3" | bc -l)" "$ours3_out"
	firsts="$firsts $ours" peers="$peers $peer"
	agains="$agains $ours2" peers2="$peers2 $peer2"
	thirds="$thirds $ours3" peers3="$peers3 $peer3"
	i=$((i + 1))
done
ours=$(echo "$firsts" | median) peer=$(echo "$peers" | median)
ours2=$(echo "$agains" | median) peer2=$(echo "$peers2" | median)
ours3=$(echo "$thirds" | median) peer3=$(echo "$peers3" | median)
printf '%-46s %9.2f %9.2f %8.1fx\n' "median of $runs, first round (s)" "$ours" \
	"$peer" "$(echo "$peer / $ours" | bc -l)"
printf '%-46s %9.2f %9.2f %8.1fx\n' "median of $runs, again (s)" "$ours2" \
	"$peer2" "$(echo "$peer2 / $ours2" | bc -l)"
printf '%-46s %9.2f %9.2f %8.1fx\n' "median of $runs, again, no validators (s)" \
	"$ours3" "$peer3" "$(echo "$peer3 / $ours3" | bc -l)"
