#!/bin/sh
# Web benchmarks of the reading app with wrk, each beside nginx serving the
# same article page as a static file.
#
#   bench/web/run.sh [N]     N generated articles (default 10000)
#
# Environment: NEWSSTAND_BIN (default build/newsstand), BENCH_DATA (a data
# directory to reuse; generated with `newsstand bench gen N` when absent),
# BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 64),
# BENCH_THREADS (wrk threads, default 2), BENCH_SPREAD (different articles
# for the uncached spread, default 2000), BENCH_CASES (the cases to run,
# by key, separated by spaces or commas; default all: nginx cached
# uncached spread gzip search search-cached json json-cached front
# search-council topic; nginx's row always runs when it is listed).
# Prints a Markdown table: requests/s, p50, p99, the server's CPU time per
# request (its user and system time over the run, divided by the requests:
# what the machine's load changes least) and the servers' resident memory
# (anonymous, and the database pages it maps), with
# the machine's load average before and after (other work on the machine
# skews every figure; the ratios to nginx in the same run hold better).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-10000}
bin=${NEWSSTAND_BIN:-$root/build/newsstand}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
wthreads=${BENCH_THREADS:-2}
for tool in wrk nginx curl; do
	command -v $tool >/dev/null 2>&1 || [ -x /usr/sbin/$tool ] || {
		echo "bench: $tool missing (make deps-bench)"; exit 1; }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

data=${BENCH_DATA:-$tmp/data}
if [ ! -f "$data/newsstand.db" ]; then
	echo "generating $n articles into $data" >&2
	"$bin" bench gen "$n" --data-dir "$data" >&2
fi

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server NAME CACHE: starts newsstand, sets $port and $pid.
start_server() {
	port=$(free_port)
	NEWSSTAND_WEB_CACHE=$2 NEWSSTAND_LOG_LEVEL=warn \
	NEWSSTAND_WEB_MAX_PER_IP=1000 \
		"$bin" serve --data-dir "$data" --listen "127.0.0.1:$port" \
		--base-url "http://127.0.0.1:$port" >"$tmp/$1.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/"; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$tmp/$1.log"; exit 1; }
		sleep 0.1
	done
}

# CPU time of a process and its children (nginx's workers), in ticks.
cpu_ticks() {
	t=0
	for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
		[ -r "/proc/$p/stat" ] || continue
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}

# Resident memory: anonymous (the server's own) and, apart, the pages of
# files it maps (the database, shared with the kernel's page cache).
rss_text() {
	awk '/RssAnon/ { a = $2 } /RssFile/ { f = $2 }
		END { printf "%d MB (+%d MB mapped)", a / 1024, f / 1024 }' \
		"/proc/$1/status"
}

cases=$(echo "${BENCH_CASES:-all}" | tr ',' ' ')
# wanted KEY: whether the case KEY is to run.
wanted() {
	for c in $cases; do
		[ "$c" = all ] || [ "$c" = "$1" ] && return 0
	done
	return 1
}

# bench KEY LABEL URL PID [SCRIPT [HEADER]]: one wrk run, one table row.
bench() {
	wanted "$1" || return 0
	shift
	curl -s -o /dev/null "$2"	# warm (fills the page cache)
	t0=$(cpu_ticks "$3")
	wrk -t"$wthreads" -c"$conns" -d"${secs}s" --latency ${4:+-s "$4"} \
		${5:+-H "$5"} "$2" >"$tmp/wrk.out"
	t1=$(cpu_ticks "$3")
	reqs=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
	cpu=$(awk -v t="$((t1 - t0))" -v n="$reqs" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { if (n > 0) printf "%.3f ms", t * 1000 / hz / n }')
	rps=$(awk '/^Requests\/sec/ { print $2 }' "$tmp/wrk.out")
	p50=$(awk '$1 == "50%" { print $2 }' "$tmp/wrk.out")
	p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")
	errs=$(awk '/Non-2xx|Socket errors/ { $1 = $1; printf "%s; ", $0 }' "$tmp/wrk.out")
	rss=$(rss_text "$3")
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" \
		"$p99" "$cpu" "$rss" "${errs:-}"
}

start_server cached true
cached_port=$port cached_pid=$pid
start_server uncached false
uncached_port=$port uncached_pid=$pid

count=$(python3 -c "import sqlite3; print(sqlite3.connect('file:$data/newsstand.db?mode=ro', uri=True).execute('select max(id) from articles').fetchone()[0])")
id=$((count / 2))
path=$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$cached_port/a/$id" |
	sed 's|^http://[^/]*||')
[ -n "$path" ] || path=/a/$id

# Many different articles (more than the server keeps related lists
# for), for the uncached page of articles nobody asked for yet.
spread=${BENCH_SPREAD:-2000}
wanted spread || spread=0
step=$((count / (spread + 1) + 1))
seq 1 "$step" "$count" | head -n "$spread" |
	xargs -P 8 -I{} curl -s -o /dev/null -w '%{redirect_url}\n' \
		"http://127.0.0.1:$cached_port/a/{}" |
	sed -n 's|^http://[^/]*||p' >"$tmp/paths"
cat >"$tmp/spread.lua" <<LUA
paths = {}
for line in io.lines("$tmp/paths") do paths[#paths + 1] = line end
i = math.random(#paths)
request = function()
	i = i % #paths + 1
	return wrk.format("GET", paths[i])
end
LUA

# nginx with the same page as a static file.
mkdir -p "$tmp/www"
chmod 755 "$tmp" "$tmp/www"
curl -s "http://127.0.0.1:$cached_port$path" >"$tmp/www/article.html"
nginx_port=$(free_port)
cat >"$tmp/nginx.conf" <<CONF
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
daemon off;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 100000;
	client_body_temp_path $tmp/nginx-body;
	proxy_temp_path $tmp/nginx-proxy;
	fastcgi_temp_path $tmp/nginx-fastcgi;
	uwsgi_temp_path $tmp/nginx-uwsgi;
	scgi_temp_path $tmp/nginx-scgi;
	types { text/html html; }
	server {
		listen 127.0.0.1:$nginx_port;
		root $tmp/www;
	}
}
CONF
"$nginx_bin" -c "$tmp/nginx.conf" -e "$tmp/nginx.err" 2>/dev/null &
nginx_pid=$!
pids="$pids $nginx_pid"
sleep 0.5

echo "articles: $count; page: $path ($(wc -c <"$tmp/www/article.html") bytes);" \
	"wrk: $wthreads threads, $conns connections, ${secs}s; cores: $(nproc)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| case | requests/s | p50 | p99 | server CPU per request | server RSS (anonymous, +mapped) | errors |"
echo "|---|---|---|---|---|---|---|"
bench nginx "nginx, static file of the article page" \
	"http://127.0.0.1:$nginx_port/article.html" "$nginx_pid"
bench cached "article page, cached (visitor)" \
	"http://127.0.0.1:$cached_port$path" "$cached_pid"
bench uncached "article page, uncached (web_cache=false)" \
	"http://127.0.0.1:$uncached_port$path" "$uncached_pid"
bench spread "article page, uncached, $(wc -l <"$tmp/paths") different articles" \
	"http://127.0.0.1:$uncached_port/" "$uncached_pid" "$tmp/spread.lua"
bench gzip "article page, uncached, gzip" \
	"http://127.0.0.1:$uncached_port$path" "$uncached_pid" "" \
	"Accept-Encoding: gzip"
bench search "search 'harbour council', uncached" \
	"http://127.0.0.1:$uncached_port/search?q=harbour+council" "$uncached_pid"
bench search-cached "search 'harbour council', cached" \
	"http://127.0.0.1:$cached_port/search?q=harbour+council" "$cached_pid"
bench json "JSON article, uncached" \
	"http://127.0.0.1:$uncached_port/api/v1/articles/$id" "$uncached_pid"
bench json-cached "JSON article, cached" \
	"http://127.0.0.1:$cached_port/api/v1/articles/$id" "$cached_pid"
bench front "front page, uncached" \
	"http://127.0.0.1:$uncached_port/" "$uncached_pid"
bench search-council "search 'council' (one word in 5% of articles), uncached" \
	"http://127.0.0.1:$uncached_port/search?q=council" "$uncached_pid"
bench topic "topic page, uncached" \
	"http://127.0.0.1:$uncached_port/t/science" "$uncached_pid"
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
