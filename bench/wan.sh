#!/usr/bin/env bash
# wan.sh POTOK_BIN: Potok beside curl, wget2 and aria2c over a WAN-like path
# built from real parts on loopback: HTTPS with HTTP/2 offered (Potok's demo
# server), behind toxiproxy (in process, bench/wanserve) adding LATENCY each
# way and, in the second case, pacing every TCP connection to RATE. Two
# cases, each in one hyperfine run, side by side:
#   a. N files x SIZE (500 x 16 KiB), 16 requests in flight (-j 16, ...)
#   b. one BIG file (256 MiB), RATE per connection (10 MB/s), over 16
#      connections (potok -x 16, aria2c -x16 -s16); curl and wget2 on one
#      connection as the baselines (27 s a run; SKIP_SLOW=1 leaves them out).
#      wget2 over HTTP/1.1: over HTTP/2 it keeps nghttp2's 64 KiB window,
#      which at a 50 ms round trip allows ~1.2 MB/s (8 MiB took 7.3 s, and
#      1.0 s over HTTP/1.1), so 256 MiB would take minutes.
# Every run is counted and checked where it happens, not taken from the
# tools' manuals: before each run hyperfine's --prepare calls this script
# with --between, which closes the last run's period at wanserve (TCP
# connections the proxy accepted, how many carried requests, requests by
# method and protocol, peak requests in flight at the server) and checks the
# last run's files with sha256sum against what the server serves.
# The tables at the end join the two: time, protocol, connections, checks.
# Env: RUNS (case a, default 10), RUNS_BIG (case b, default 5), RUNS_SLOW
# (curl and wget2 in case b, default 2), SKIP_SLOW=1, CASES ("a b"),
# LATENCY (25ms), RATE (10MB, SI), N (500), SIZE (16KiB), BIG (256MiB),
# J (16, requests in flight in a), X (16, connections in b), DEEP (64: potok
# and curl at that many in flight in a too; 0: not), GO (go).
set -euo pipefail

# --between DIR TAG: hyperfine's --prepare, before each run of TAG.
if [ "${1:-}" = --between ]; then
	dir=$2 tag=$3
	prev=$(curl -sf -X POST "$(cat "$dir/control")/reset?tag=$tag")
	ptag=$(jq -r .tag <<<"$prev")
	if [ -n "$ptag" ]; then
		# The period just closed is the last run of ptag: its files are
		# still in out/. sha256sum -c checks every file the server listed.
		ok=true
		(cd "$dir/out" && sha256sum -c --quiet --strict "$dir/manifest" >/dev/null 2>&1) || ok=false
		jq -c --argjson ok "$ok" '. + {verified: $ok}' <<<"$prev" >>"$dir/runs.jsonl"
	fi
	rm -rf "$dir/out" "$dir/potok.queue" "$dir/potok.queue".*
	mkdir -p "$dir/out"
	exit 0
fi

potok=$(readlink -f "${1:?usage: wan.sh path/to/potok}")
here=$(cd "$(dirname "$0")" && pwd)
self="$here/wan.sh"
RUNS=${RUNS:-10}; RUNS_BIG=${RUNS_BIG:-5}; RUNS_SLOW=${RUNS_SLOW:-2}
CASES=${CASES:-a b}; LATENCY=${LATENCY:-25ms}; RATE=${RATE:-10MB}
N=${N:-500}; SIZE=${SIZE:-16KiB}; BIG=${BIG:-256MiB}; J=${J:-16}; X=${X:-16}
GO=${GO:-go}
"$here/apt-ensure.sh" curl wget2 aria2 hyperfine jq

work=$(mktemp -d /tmp/potok-wan.XXXXXX)
server_pid=""
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT

(cd "$here/.." && "$GO" build -o "$work/wanserve" ./bench/wanserve)

# Potok trusts the test CA with -ca-cert once potok get has it; before that
# through SSL_CERT_FILE, which Go's crypto/x509 reads instead of the
# system's bundle on Linux.
potok_get() { # DIR: the start of a potok get command line trusting DIR's CA
	if "$potok" get -h 2>&1 | grep -q -- '-ca-cert'; then
		echo "$potok get -ca-cert $1/ca.pem -queue $1/potok.queue"
	else
		echo "env SSL_CERT_FILE=$1/ca.pem $potok get -queue $1/potok.queue"
	fi
}

# start_server DIR ARGS...: wanserve with files listed and hashed in DIR.
start_server() {
	local dir=$1; shift
	mkdir -p "$dir/out"
	"$work/wanserve" -ca "$dir/ca.pem" -list "$dir/list.txt" -manifest "$dir/manifest" \
		-latency "$LATENCY" "$@" >"$dir/info" 2>"$dir/wanserve.err" &
	server_pid=$!
	for _ in $(seq 100); do grep -q '^control ' "$dir/info" 2>/dev/null && break; sleep 0.1; done
	grep -q '^control ' "$dir/info" || { echo "wanserve did not start:"; cat "$dir/wanserve.err"; exit 1; }
	awk '/^control /{ print $2 }' "$dir/info" >"$dir/control"
	base=$(awk '/^url /{ print $2 }' "$dir/info")
	: >"$dir/runs.jsonl"
	# curl takes the URLs from a config file: 500 of them on its command
	# line would fill hyperfine's tables.
	sed 's/.*/url = "&"/' "$dir/list.txt" >"$dir/curl.cfg"
	echo "wanserve $* -latency $LATENCY each way: $base"
}

# finish DIR: closes the last run's period (hyperfine's prepare does it for
# every other run).
finish() { bash "$self" --between "$1" ""; }

load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"; }

# table DIR JSON... REF_LABEL REF_SECONDS: one row per tool, hyperfine's
# times joined with the counts of its runs; the last column compares the
# mean with REF (the best peer, or the ideal).
table() {
	local dir=$1 ref_label=$2 ref=$3; shift 3
	echo "| tool | mean ± σ s | min–max s | protocol | TCP connections (carrying requests) | peak requests in flight | byte-exact runs | $ref_label |"
	echo "|---|---:|---:|---|---:|---:|---:|---:|"
	jq -s -r --slurpfile runs "$dir/runs.jsonl" --argjson ref "$ref" '
		def span(f): ([.[] | f] | if min == max then "\(min)" else "\(min)–\(max)" end);
		def fix(d): (. * pow(10; d) | round) as $m | ($m | tostring) as $t
			| ("0" * (d + 1 - ($t | length)) + $t) as $p
			| "\($p[:($p | length) - d]).\($p[($p | length) - d:])";
		def proto: if . == "HTTP/2.0" then "h2" else . end;
		[.[].results[]] | .[] | . as $r
		| [$runs[] | select(.tag == $r.command)] as $mine
		| "| \($r.command) | \($r.mean | fix(3)) ± \($r.stddev // 0 | fix(3)) | \($r.min | fix(3))–\($r.max | fix(3)) | \([$mine[].protocols | to_entries[] | "\(.key | proto)"] | unique | join(" + ")) | \($mine | span(.connections)) (\($mine | span(.connections_with_requests))) | \($mine | span(.peak_requests_in_flight)) | \([$mine[] | select(.verified)] | length)/\($mine | length) | \($r.mean / $ref | fix(2))× |"
	' "$@"
	# A HEAD is worth a round trip: say who sends them.
	jq -s -r '[.[] | select(.methods.HEAD != null) | "\(.tag): \(.methods.HEAD) HEAD"] | unique | if length > 0 then "HEAD requests: " + join(", ") else empty end' "$dir/runs.jsonl"
}

if [[ " $CASES " == *" a "* ]]; then
	a="$work/a"
	start_server "$a" -n "$N" -size "$SIZE"
	get=$(potok_get "$a")
	echo "== a. $N files x $SIZE over HTTPS, ${LATENCY} each way, $J requests in flight"
	load
	# DEEP: the same list at DEEP requests in flight, for what a deeper
	# HTTP/2 stream depth would buy (potok -j N runs N streams over one h2
	# connection).
	deep=()
	if [ "${DEEP:-64}" != 0 ]; then
		D=${DEEP:-64}
		deep=(--prepare "bash $self --between $a potok-j$D" -n "potok-j$D"
			"$get -q -j $D -o $a/out -i $a/list.txt"
			--prepare "bash $self --between $a curl-p$D" -n "curl-p$D"
			"curl -s --cacert $a/ca.pem --parallel --parallel-max $D --remote-name-all --output-dir $a/out -K $a/curl.cfg")
	fi
	# wget2 runs up to 30 streams on each of its connections
	# (--http2-request-window); wget2-w1 runs one, $J in flight as the
	# others.
	hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$a/hf.json" \
		--prepare "bash $self --between $a potok" -n potok \
		"$get -q -j $J -o $a/out -i $a/list.txt" \
		--prepare "bash $self --between $a curl" -n curl \
		"curl -s --cacert $a/ca.pem --parallel --parallel-max $J --remote-name-all --output-dir $a/out -K $a/curl.cfg" \
		--prepare "bash $self --between $a wget2" -n wget2 \
		"wget2 -q --ca-certificate=$a/ca.pem --max-threads=$J -P $a/out -i $a/list.txt" \
		--prepare "bash $self --between $a wget2-w1" -n wget2-w1 \
		"wget2 -q --ca-certificate=$a/ca.pem --max-threads=$J --http2-request-window=1 -P $a/out -i $a/list.txt" \
		--prepare "bash $self --between $a aria2c" -n aria2c \
		"aria2c -q --ca-certificate=$a/ca.pem -j $J -d $a/out -i $a/list.txt --auto-file-renaming=false --allow-overwrite=true" \
		"${deep[@]}"
	finish "$a"
	load
	# The best peer at the same requests in flight: wget2 by default runs
	# up to 30 streams on each of its connections, so it is not one.
	best=$(jq -s '[.[].results[] | select(.command | test("^(curl|wget2-w1|aria2c)$")) | .mean] | min' "$a/hf.json")
	table "$a" "vs best peer at $J in flight" "$best" "$a/hf.json"
	stop_server
fi

if [[ " $CASES " == *" b "* ]]; then
	b="$work/b"
	start_server "$b" -n 1 -size "$BIG" -rate "$RATE"
	get=$(potok_get "$b")
	url=$(head -1 "$b/list.txt")
	size=$(numfmt --from=auto "${BIG/iB/i}")  # 256MiB -> 256Mi -> bytes
	rate=$(numfmt --from=si "${RATE%B}")       # 10MB -> 10M -> bytes a second
	ideal=$(awk -v s="$size" -v x="$X" -v r="$rate" 'BEGIN { printf "%.3f", s / (x * r) }')
	echo "== b. one $BIG file over HTTPS, ${LATENCY} each way, $RATE/s per connection, $X connections (ideal $ideal s)"
	load
	hyperfine -N --warmup 1 --runs "$RUNS_BIG" --export-json "$b/hf.json" \
		--prepare "bash $self --between $b potok" -n potok \
		"$get -q -x $X -j $X -o $b/out $url" \
		--prepare "bash $self --between $b aria2c" -n aria2c \
		"aria2c -q --ca-certificate=$b/ca.pem -x$X -s$X -k1M -d $b/out --auto-file-renaming=false --allow-overwrite=true $url"
	jsons=("$b/hf.json")
	if [ -z "${SKIP_SLOW:-}" ]; then
		load
		hyperfine -N --runs "$RUNS_SLOW" --export-json "$b/hf-slow.json" \
			--prepare "bash $self --between $b curl" -n curl \
			"curl -s --cacert $b/ca.pem -o $b/out/file1.bin $url" \
			--prepare "bash $self --between $b wget2-h1" -n wget2-h1 \
			"wget2 -q --ca-certificate=$b/ca.pem --no-http2 -P $b/out $url"
		jsons+=("$b/hf-slow.json")
	fi
	finish "$b"
	load
	table "$b" "vs ideal $ideal s" "$ideal" "${jsons[@]}"
	stop_server
fi
