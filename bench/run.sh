#!/usr/bin/env bash
# loadcase's benchmark: the cost of generating load, side by side with its peers, in one run on
# this machine. See bench/README.md for what each part measures and why.
#
# usage: bench/run.sh [PART...]      PART: peers tls ws layers open latency scale memory threads startup all (default)
#                                          instructions (under valgrind, a few minutes, never part of all)
#                                          soak (10 minutes, never part of all)
#   env: SECS=8 CONNS=50 RUNS=3 TOOLS="wrk oha raw-reqwest goose locust loadcase"
#        OPEN_RATE=40000 OPEN_CLOSED_USERS=112 (the open part)
#        LONG=1 adds the 10-million-request memory run (about 3 minutes)
#        SOAK_SECS=600 SOAK_RATE=20/s SOAK_EVERY=30 (seconds between the soak's samples)
#        SOAK_RESTART=47 (seconds between restarts of the soak's healthy server)
# Installs what it needs: nginx-light and wrk from Debian's packages, oha from crates.io, Goose
# and a plain reqwest loop built from crates.io (bench/peers), Locust from PyPI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
secs=${SECS:-8}
conns=${CONNS:-50}
runs=${RUNS:-3}
tools=${TOOLS:-"wrk oha raw-reqwest goose locust loadcase"}
parts=${*:-all}
work=$(mktemp -d /tmp/loadcase-bench.XXXXXX)
nginx_url=http://127.0.0.1:8089
delay_url=http://127.0.0.1:8090
export CARGO_TERM_COLOR=never

say() { printf '\n== %s\n' "$*"; }
wants() { [[ " $parts " == *" all "* || " $parts " == *" $1 "* ]]; }
# The soak needs neither the peers nor nginx: only its own servers.
only_soak() { [[ " $parts " == " soak " ]]; }

cleanup() {
  [[ -f /tmp/lc-nginx.pid ]] && kill "$(cat /tmp/lc-nginx.pid)" 2>/dev/null || true
  [[ -f /tmp/lc-nginx-tls.pid ]] && kill "$(cat /tmp/lc-nginx-tls.pid)" 2>/dev/null || true
  [[ -n ${demo_pid:-} ]] && kill "$demo_pid" 2>/dev/null || true
  [[ -n ${delay_pid:-} ]] && kill "$delay_pid" 2>/dev/null || true
  [[ -n ${soak_pid:-} ]] && kill "$soak_pid" 2>/dev/null || true
}
trap cleanup EXIT

# ---------------------------------------------------------------- install and build
say "installing and building (quiet; a first run takes several minutes)"
need_apt() {
  command -v "$1" >/dev/null && return
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
if ! only_soak; then
  need_apt nginx nginx-light
  need_apt wrk wrk
  need_apt taskset util-linux
  [[ -x /usr/bin/time ]] || need_apt /usr/bin/time time
  [[ " $parts " == *" instructions "* ]] && need_apt valgrind valgrind
  command -v oha >/dev/null || cargo install --locked oha --quiet
  export PEERS_TARGET=${PEERS_TARGET:-$target/bench-peers}
  # Only the peers the parts asked for: Goose alone takes minutes to build.
  crates=()
  { wants peers && [[ " $tools " == *" goose "* ]]; } && crates+=(goose-bench)
  { wants peers || wants layers; } && crates+=(raw-reqwest)
  wants ws && crates+=(raw-ws)
  for crate in "${crates[@]}"; do
    (cd "$here/peers/$crate" && CARGO_TARGET_DIR=$PEERS_TARGET cargo build --release --locked --quiet)
  done
  venv=/tmp/loadcase-locust-venv
  if [[ " $tools " == *" locust "* && ! -x $venv/bin/locust ]]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q locust
  fi
  if wants ws && ! "$venv/bin/python3" -c "import websockets" 2>/dev/null; then
    { [[ -x $venv/bin/python3 ]] || python3 -m venv "$venv"; } && "$venv/bin/pip" install -q websockets
  fi
fi
(cd "$root" && cargo build --release --quiet -p loadcase-runner -p loadcase-bench -p loadcase-examples --bins &&
  cargo test --release --quiet --no-run -p loadcase-bench 2>/dev/null)
runner=$target/release/cargo-loadrun
loadrun() { "$runner" loadrun --manifest-path "$root/bench/Cargo.toml" "$@"; }

# ---------------------------------------------------------------- servers
if ! only_soak; then
  if ! curl -sf "$nginx_url/" >/dev/null 2>&1; then
    taskset -c 1 nginx -c "$here/nginx.conf"
  fi
  taskset -c 1 "$target/release/delay-server" 127.0.0.1:8090 20 >"$work/delay.log" 2>&1 &
  delay_pid=$!
  for _ in $(seq 50); do curl -sf "$nginx_url/" >/dev/null && curl -sf "$delay_url/" >/dev/null && break; sleep 0.1; done
fi

cpus=$(nproc)
model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
echo "machine: $cpus cores ($model), $(uname -sr); loadcase $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"

# ---------------------------------------------------------------- helpers
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure NAME CMD...: runs CMD pinned to CPU 0 under /usr/bin/time; prints "requests cpu_s rss_kb"
measure() {
  local name=$1; shift
  local out=$work/$name.out
  /usr/bin/time -f "TIME %U %S %M" taskset -c 0 "$@" >"$out" 2>&1 || true
  local t; t=$(grep '^TIME ' "$out" | tail -1)
  local req
  case $name in
    wrk) req=$(awk '/requests in/ {print $1}' "$out") ;;
    # The status line, not a histogram bucket that happens to hold 200 requests (`… ms [200] |`).
    oha|oha-*) req=$(awk '/^ *\[200\] [0-9]+ responses/ {print $2; exit}' "$out") ;;
    goose) req=$(awk -F'|' '/GET \// {gsub(/[ ,]/,"",$2); if ($2+0 > best) best=$2+0} END {print best+0}' "$out") ;;
    locust) req=$(awk '/Aggregated/ {print $2; exit}' "$out") ;;
    *) req=$(grep -oE '(Requests: |requests=|messages=)[0-9]+' "$out" | tail -1 | grep -oE '[0-9]+$' || true) ;;
  esac
  echo "${req:-0} $(echo "$t" | awk '{print $2 + $3, $4}')"
}

run_tool() { # TOOL: one measured run against nginx
  case $1 in
    wrk) measure wrk wrk -t1 -c"$conns" -d"${secs}s" "$nginx_url/" ;;
    oha) measure oha oha -z "${secs}s" -c "$conns" --no-tui "$nginx_url/" ;;
    raw-reqwest) measure raw-reqwest "$PEERS_TARGET/release/raw-reqwest" "$nginx_url/" "$conns" "$secs" per-user ;;
    goose) measure goose "$PEERS_TARGET/release/goose-bench" --host "$nginx_url" -u "$conns" --increase-rate 100000 -t "${secs}s" -q ;;
    locust) measure locust "$venv/bin/locust" -f "$here/peers/locust/locustfile.py" --headless \
      -u "$conns" -r 10000 -t "${secs}s" -H "$nginx_url" --only-summary ;;
    loadcase)
      # One worker thread: every peer here runs on the one pinned core. The report gives the
      # test binary's own CPU (without cargo's up-to-date check, which /usr/bin/time includes).
      LOADCASE_WORKER_THREADS=1 measure loadcase "$runner" loadrun --manifest-path "$root/bench/Cargo.toml" \
        bench::get -u "$conns" -d "${secs}s" --server-url "$nginx_url" -q --no-history --report "$work/loadcase.json"
      cpu_self=$(python3 -c "import json; r = json.load(open('$work/loadcase.json')); print(r['cpu_secs'], r['peak_rss_bytes'] / 1024)")
      echo "$cpu_self" >>"$work/loadcase.cpu_self" ;;
  esac
}

# ---------------------------------------------------------------- peers: CPU per request
if wants peers; then
  say "generator cost against nginx (1 worker on CPU 1; each tool pinned to CPU 0; $conns connections, ${secs}s; median of $runs runs)"
  rm -f "$work"/*.rows "$work/loadcase.cpu_self"
  for run in $(seq "$runs"); do
    for tool in $tools; do
      row=$(run_tool "$tool")
      echo "$row" >>"$work/$tool.rows"
      echo "  run $run $tool: requests cpu_s rss_kb = $row" >&2
      if [[ $tool == loadcase ]]; then
        echo "  run $run loadcase*: $(tail -1 "$work/loadcase.cpu_self" | awk -v n="${row%% *}" '{ printf "%.2f", $1 * 1e6 / n }') us/request (the test binary alone)" >&2
      fi
    done
  done
  printf '%-12s %10s %10s %8s %8s %8s\n' tool requests req/s cpu_s us/req rss_MB
  declare -A usreq rps
  for tool in $tools; do
    req=$(awk '{print $1}' "$work/$tool.rows" | median)
    cpu=$(awk '{print $2}' "$work/$tool.rows" | median)
    rss=$(awk '{print $3}' "$work/$tool.rows" | median)
    # Per run, then the median: a ratio of medians would mix runs.
    us=$(awk '$1 > 0 {print $2 * 1e6 / $1}' "$work/$tool.rows" | median)
    usreq[$tool]=$us
    rps[$tool]=$(awk -v r="$req" -v s="$secs" 'BEGIN {print r / s}')
    awk -v n="$tool" -v r="$req" -v c="$cpu" -v u="$us" -v m="$rss" -v s="$secs" \
      'BEGIN { printf "%-12s %10d %10.0f %8.2f %8.2f %8.1f\n", n, r, r / s, c, u, m / 1024 }'
  done
  if [[ -f $work/loadcase.cpu_self ]]; then
    paste -d' ' "$work/loadcase.rows" "$work/loadcase.cpu_self" |
      awk '$1 > 0 {print $4 * 1e6 / $1}' | median >"$work/loadcase.self_us"
    self_us=$(cat "$work/loadcase.self_us")
    self_rss=$(awk '{print $2}' "$work/loadcase.cpu_self" | median)
    printf '%-12s %10s %10s %8s %8.2f %8.1f   (the test binary alone, from its report: without cargo'"'"'s up-to-date check)\n' \
      "loadcase*" "" "" "" "$self_us" "$(awk -v k="$self_rss" 'BEGIN { print k / 1024 }')"
    echo
    echo "loadcase against each peer (CPU per request: < 1 is cheaper; throughput: > 1 is more):"
    for tool in $tools; do
      [[ $tool == loadcase ]] && continue
      awk -v n="$tool" -v a="${usreq[loadcase]}" -v s="$self_us" -v p="${usreq[$tool]}" -v ra="${rps[loadcase]}" -v rp="${rps[$tool]}" \
        'BEGIN { printf "  vs %-12s cpu/request %5.2fx (binary alone %5.2fx)   throughput on one core %5.2fx\n", n, a / p, s / p, ra / rp }'
    done
  fi
fi

# ---------------------------------------------------------------- tls: HTTPS, HTTP/1.1 and HTTP/2
if wants tls; then
  say "generator cost over TLS 1.3 against nginx (1 worker on CPU 1; each tool pinned to CPU 0; $conns connections, ${secs}s; median of $runs runs): HTTP/1.1 on port 8444, HTTP/2 (ALPN) on 8443"
  tls=/tmp/loadcase-bench-tls
  if [[ ! -s $tls/cert.pem ]]; then
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=loadcase bench CA" \
      -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$tls/key.pem" -out "$tls/leaf.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/ext.cnf"
    openssl x509 -req -in "$tls/leaf.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
      -days 3650 -extfile "$tls/ext.cnf" -out "$tls/cert.pem" 2>/dev/null
  fi
  curl -sf --cacert "$tls/ca.pem" https://127.0.0.1:8443/ >/dev/null 2>&1 || taskset -c 1 nginx -c "$here/nginx-tls.conf"
  for _ in $(seq 50); do curl -sf --cacert "$tls/ca.pem" https://127.0.0.1:8443/ >/dev/null && break; sleep 0.1; done
  rm -f "$work"/tls-*.us
  for run in $(seq "$runs"); do
    for proto in h1 h2; do
      port=8444 h2flag=()
      [[ $proto == h2 ]] && port=8443 h2flag=(--http2)
      row=$(measure "oha-$proto" oha -z "${secs}s" -c "$conns" "${h2flag[@]}" --no-tui --cacert "$tls/ca.pem" "https://127.0.0.1:$port/")
      echo "$row" | awk '$1 > 0 {print $2 * 1e6 / $1}' >>"$work/tls-oha-$proto.us"
      echo "  run $run oha $proto: requests cpu_s rss_kb = $row" >&2
      LOADCASE_WORKER_THREADS=1 measure "loadcase-$proto" "$runner" loadrun --manifest-path "$root/bench/Cargo.toml" \
        bench::get -u "$conns" -d "${secs}s" --server-url "https://127.0.0.1:$port" --ca-cert "$tls/ca.pem" \
        -q --no-history --report "$work/tls.json" >/dev/null
      python3 -c "
import json; r = json.load(open('$work/tls.json')); print(r['cpu_secs'] * 1e6 / r['figures']['overall']['count'])" >>"$work/tls-loadcase-$proto.us"
      echo "  run $run loadcase* $proto: $(tail -1 "$work/tls-loadcase-$proto.us") us/request" >&2
    done
  done
  printf '%-22s %10s %10s %8s\n' protocol oha 'loadcase*' ratio
  for proto in h1 h2; do
    o=$(median <"$work/tls-oha-$proto.us")
    l=$(median <"$work/tls-loadcase-$proto.us")
    name="HTTPS, HTTP/1.1"; [[ $proto == h2 ]] && name="HTTPS, HTTP/2"
    awk -v n="$name" -v o="$o" -v l="$l" 'BEGIN { printf "%-22s %10.2f %10.2f %8.2f\n", n, o, l, l / o }'
  done
  echo "(CPU us per request; loadcase* is the test binary alone, from its report; per-run ratios are in the lines above)"
fi

# ---------------------------------------------------------------- ws: WebSocket echo round trips
if wants ws; then
  say "WebSocket echo round trips (the demo server's /ws on CPU 1; each client pinned to CPU 0; $conns connections, ${secs}s, a new socket every 100 messages; median of $runs runs)"
  taskset -c 1 "$target/release/demo-server" 127.0.0.1:0 >"$work/demo.log" 2>&1 &
  demo_pid=$!
  for _ in $(seq 50); do grep -q "demo server on" "$work/demo.log" && break; sleep 0.1; done
  demo_url=$(grep -o 'http://[0-9.:]*' "$work/demo.log" | head -1)
  ws_url="${demo_url/http/ws}/ws"
  rm -f "$work"/ws-*.us
  for run in $(seq "$runs"); do
    row=$(measure raw-ws "$PEERS_TARGET/release/raw-ws" "$ws_url" "$conns" "$secs" 100)
    echo "$row" | awk '$1 > 0 {print $2 * 1e6 / $1, $1}' >>"$work/ws-raw.us"
    row=$(measure websockets-py "$venv/bin/python3" "$here/peers/websockets-py/echo_loop.py" "$ws_url" "$conns" "$secs" 100)
    echo "$row" | awk '$1 > 0 {print $2 * 1e6 / $1, $1}' >>"$work/ws-py.us"
    LOADCASE_WORKER_THREADS=1 measure loadcase-ws "$runner" loadrun --manifest-path "$root/bench/Cargo.toml" \
      bench::ws_echo -u "$conns" -d "${secs}s" --server-url "$demo_url" -q --no-history --report "$work/ws.json" >/dev/null
    python3 -c "
import json; r = json.load(open('$work/ws.json')); n = r['stats']['websockets']['messages_sent']
print(r['cpu_secs'] * 1e6 / n, n)" >>"$work/ws-loadcase.us"
    echo "  run $run: us/message raw-ws $(tail -1 "$work/ws-raw.us"), websockets $(tail -1 "$work/ws-py.us"), loadcase* $(tail -1 "$work/ws-loadcase.us")" >&2
  done
  kill "$demo_pid" 2>/dev/null || true
  raw=$(awk '{print $1}' "$work/ws-raw.us" | median)
  printf '%-26s %12s %12s %8s\n' client messages/s "CPU us/msg" "vs raw"
  for name in raw py loadcase; do
    us=$(awk '{print $1}' "$work/ws-$name.us" | median)
    n=$(awk '{print $2}' "$work/ws-$name.us" | median)
    label=$name; [[ $name == raw ]] && label="tokio-tungstenite loop"; [[ $name == py ]] && label="Python websockets"; [[ $name == loadcase ]] && label="loadcase* (bench::ws_echo)"
    awk -v l="$label" -v u="$us" -v n="$n" -v s="$secs" -v r="$raw" 'BEGIN { printf "%-26s %12.0f %12.2f %8.2f\n", l, n / s, u, u / r }'
  done
fi

# ---------------------------------------------------------------- layers
if wants layers; then
  say "where loadcase's cost per request goes: the same GET through each layer (one worker pinned to CPU 0, nginx; median of $runs runs, test binary CPU per hit)"
  raw_us=$(for run in $(seq "$runs"); do
    /usr/bin/time -f "TIME %U %S" taskset -c 0 "$PEERS_TARGET/release/raw-reqwest" "$nginx_url/" "$conns" "$secs" per-user 2>&1 |
      awk '/requests=/ { split($1, a, "="); n = a[2] } /^TIME/ { print ($2 + $3) * 1e6 / n }'
  done | median)
  printf '  %-44s %6.2f us\n' "plain reqwest loop (raw-reqwest)" "$raw_us"
  for test in layer_reqwest layer_session get; do
    us=$(for run in $(seq "$runs"); do
      LOADCASE_WORKER_THREADS=1 taskset -c 0 "$runner" loadrun --manifest-path "$root/bench/Cargo.toml" "bench::$test" \
        -u "$conns" -d "${secs}s" --server-url "$nginx_url" -q --no-history --report "$work/layer.json" >/dev/null 2>&1 || true
      python3 -c "import json; r = json.load(open('$work/layer.json')); print(r['cpu_secs'] * 1e6 / r['figures']['hits']['total'])"
    done | median)
    case $test in
      layer_reqwest) what="engine + reqwest (cx.session.client()), nothing recorded" ;;
      layer_session) what="engine + cx.session: lean hyper path, recorded" ;;
      get) what="+ cx.app (URL, status check): bench::get" ;;
    esac
    printf '  %-44s %6.2f us  (%.2fx the plain loop)\n' "$what" "$us" "$(awk -v a="$us" -v b="$raw_us" 'BEGIN { print a / b }')"
  done
fi

# ---------------------------------------------------------------- instructions
# Not in `all`: under valgrind, a few minutes. Instructions are counted, not timed, so the figure
# is the same on a busy machine: what a change saves shows here when CPU times are noise.
if [[ " $parts " == *" instructions "* ]]; then
  say "user-space instructions per request under callgrind (nginx; 20 connections; the difference of two runs of different length, so that start-up cancels out)"
  ins=$work/instructions
  mkdir -p "$ins"
  # A built artifact, so that no cargo runs under valgrind.
  "$runner" loadrun build bench::get --manifest-path "$root/bench/Cargo.toml" --out "$ins/artifact" -q >/dev/null 2>&1
  # The test binary's worker thread (the largest of its threads' counts).
  worker_total() { grep -l 'test-bench' "$@" 2>/dev/null | xargs grep -h '^totals:' | awk '$2 > m { m = $2 } END { print m + 0 }'; }
  for hits in 100 600; do
    LOADCASE_WORKER_THREADS=1 valgrind --tool=callgrind --separate-threads=yes --trace-children=yes \
      --callgrind-out-file="$ins/lc.$hits.%p" "$ins/artifact/cargo-loadrun" --artifact "$ins/artifact" \
      -u 20 -c "$hits" --server-url "$nginx_url" -q --no-history >/dev/null 2>&1 || echo "  loadcase run of $hits hits a user FAILED" >&2
    valgrind --tool=callgrind --callgrind-out-file="$ins/oha.$hits" oha -n $((hits * 20)) -c 20 --no-tui "$nginx_url/" >/dev/null 2>&1 ||
      echo "  oha run of $((hits * 20)) requests FAILED" >&2
  done
  lc=$(( ($(worker_total "$ins"/lc.600.*) - $(worker_total "$ins"/lc.100.*)) / 10000 ))
  oha_n=$(( ($(grep -h '^totals:' "$ins/oha.600" | awk '{ print $2 }') - $(grep -h '^totals:' "$ins/oha.100" | awk '{ print $2 }')) / 10000 ))
  # HdrHistogram's growth after each harvest is work per harvest, not per request, and under
  # valgrind a harvest comes about every 250 requests instead of every 25,000: left out here.
  growth() { # FILES...: the worker thread's instructions spent growing histograms
    local f; f=$(grep -l 'test-bench' "$@" | xargs grep -H '^totals:' | sort -t' ' -k2 -n | tail -1 | cut -d: -f1)
    python3 - "$f" <<'PY'
import re, subprocess, sys
def cost(inclusive):
    out = subprocess.run(['callgrind_annotate', '--threshold=100', '--inclusive=' + inclusive, sys.argv[1]],
                         capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*)$', line)
        if m and not m.group(2).startswith(('=>', '<=')):
            for key in ('record_n_inner [', 'new_with_bounds ['):
                if key in m.group(2):
                    found[key] = found.get(key, 0) + int(m.group(1).replace(',', ''))
    return found
with_calls, alone = cost('yes'), cost('no')
print(with_calls.get('record_n_inner [', 0) - alone.get('record_n_inner [', 0) + with_calls.get('new_with_bounds [', 0))
PY
  }
  lc_growth=$(( ($(growth "$ins"/lc.600.*) - $(growth "$ins"/lc.100.*)) / 10000 ))
  printf '  %-52s %8s\n' "loadcase bench::get (its worker thread)" "$lc"
  printf '  %-52s %8s\n' "  of which HdrHistogram growth after harvests" "$lc_growth"
  printf '  %-52s %8s\n' "  without it" "$((lc - lc_growth))"
  printf '  %-52s %8s\n' "oha (all its threads)" "$oha_n"
  awk -v a="$lc" -v g="$lc_growth" -v b="$oha_n" 'BEGIN { printf "  loadcase / oha: %.2f, %.2f without the histograms'"'"' growth (under valgrind a run is ~100x slower, so per-second work — harvests, timers — weighs more here than at full speed)\n", a / b, (a - g) / b }'
fi

# ---------------------------------------------------------------- open model
if wants open; then
  open_rate=${OPEN_RATE:-40000}
  # About the same rate in the closed model: users each pausing 1 ms (tokio sleeps 1-2 ms).
  open_users=${OPEN_CLOSED_USERS:-112}
  say "open model: --rate ${open_rate}/s on one pinned worker, against the closed model saturated (-u $conns) and near the same rate (-u $open_users --think 1ms), and oha saturated and at -q $open_rate ($runs runs of ${secs}s, alternated)"
  lc_open() { # NAME ARGS...: CPU us per request and the rate, from the report
    local name=$1; shift
    LOADCASE_WORKER_THREADS=1 taskset -c 0 "$runner" loadrun --manifest-path "$root/bench/Cargo.toml" bench::get \
      --server-url "$nginx_url" -d "${secs}s" -q --no-history --report "$work/$name.json" "$@" >/dev/null 2>&1 || true
    python3 -c "
import json; r = json.load(open('$work/$name.json')); h = r['figures']['hits']
assert h['success'] == h['total'], 'hits failed: is nginx up?'
print(r['cpu_secs'] * 1e6 / h['total'], h['total'] / r['elapsed_secs'])" >>"$work/$name.rows"
  }
  for run in $(seq "$runs"); do
    lc_open open-closed -u "$conns"
    lc_open open-same -u "$open_users" --think 1ms
    lc_open open-open --rate "${open_rate}/s" --max-users 200
    for q in 0 "$open_rate"; do
      qa=(); [[ $q != 0 ]] && qa=(-q "$q")
      r=($(measure oha-open oha -z "${secs}s" -c "$conns" "${qa[@]}" --no-tui "$nginx_url/"))
      awk -v n="${r[0]}" -v c="${r[1]}" -v s="$secs" 'BEGIN { print c * 1e6 / n, n / s }' >>"$work/open-oha$q.rows"
    done
  done
  for name in open-closed open-same open-open open-oha0 "open-oha$open_rate"; do
    us=$(awk '{print $1}' "$work/$name.rows" | median); rate=$(awk '{print $2}' "$work/$name.rows" | median)
    echo "$us" >"$work/$name.us"
    case $name in
      open-closed) what="loadcase, closed model, -u $conns (saturated)" ;;
      open-same) what="loadcase, closed model, -u $open_users --think 1ms" ;;
      open-open) what="loadcase, open model, --rate ${open_rate}/s" ;;
      open-oha0) what="oha, saturated" ;;
      *) what="oha -q $open_rate" ;;
    esac
    printf '  %-48s %6.2f us per request at %6.0f requests/s (runs: %s)\n' "$what" "$us" "$rate" \
      "$(awk '{printf "%.2f ", $1}' "$work/$name.rows")"
  done
  awk -v o="$(cat "$work/open-open.us")" -v c="$(cat "$work/open-closed.us")" -v s="$(cat "$work/open-same.us")" \
    -v q="$(cat "$work/open-oha$open_rate.us")" -v z="$(cat "$work/open-oha0.us")" 'BEGIN {
    printf "  open / closed saturated: %.2fx; open / closed near the same rate: %.2fx; oha -q / oha saturated: %.2fx; open / oha -q: %.2fx\n", o / c, o / s, q / z, o / q }'
  say "open model: the corrected time against the hit time at low rates (the generator's timer lateness is left out)"
  for rate in 100 1000; do
    lc_open "open-low$rate" --rate "${rate}/s"
    python3 -c "
import json; h = json.load(open('$work/open-low$rate.json'))['figures']['hits']
p = lambda t: dict(t['percentiles'])
print('  --rate %5d/s: hit time p50 %.3f ms p90 %.3f ms; corrected p50 %.3f ms p90 %.3f ms' % ($rate, p(h['time'])['p50'], p(h['time'])['p90'], p(h['corrected'])['p50'], p(h['corrected'])['p90']))"
  done
fi

# ---------------------------------------------------------------- latency truth
if wants latency; then
  say "latency truth: a server that answers after 20 ms ($conns connections, 5 s each; the server's own median of what it imposed is in the last line)"
  oha -z 5s -c "$conns" --no-tui "$delay_url/" >"$work/oha-delay.out" 2>&1 || true
  # oha prints "50.00% in 20.3953 ms" (or "secs" in older versions).
  oha_p50=$(awk '/50.00% in/ { v = $3; if ($4 ~ /^sec/) v *= 1000; print v; exit }' "$work/oha-delay.out")
  loadrun bench::get -u "$conns" -d 5s --server-url "$delay_url" -q --no-history --report "$work/delay.json" >/dev/null 2>&1 || true
  lc=$(python3 -c "
import json; r = json.load(open('$work/delay.json'))['figures']['overall']['time']
p = dict(r['percentiles']); print(p['p50'], p['p99'], r['mean_ms'])")
  sleep 5.5
  echo "  loadcase: p50 / p99 / mean (ms): $lc"
  echo "  oha:      p50 (ms): ${oha_p50:-?}"
  grep imposed "$work/delay.log" | tail -1 | sed 's/^/  server:   /'
fi

# ---------------------------------------------------------------- scale
if wants scale; then
  say "scale: users started, memory per idle user"
  for users in 10000 100000; do
    loadrun bench::noop -u "$users" -q --no-history --report "$work/noop.json" >/dev/null 2>&1 || true
    python3 -c "
import json; r = json.load(open('$work/noop.json'))
print('  %6d users, one no-op hit each: %.3f s from the first user started to the last hit done' % ($users, r['elapsed_secs']))"
  done
  for users in 1000 10000 100000; do
    loadrun bench::idle -u "$users" -q --no-history >/dev/null 2>&1 &
    lpid=$!
    sleep 4.5
    pid=$(pgrep -f "$target/release/deps/bench-" | head -1 || true)
    rss=$([[ -n $pid ]] && ps -o rss= -p "$pid" || echo 0)
    echo "$users ${rss:-0}" >>"$work/idle.rows"
    echo "  $users idle users: test binary RSS $((${rss:-0} / 1024)) MB"
    wait $lpid || true
  done
  awk 'NR == 1 { u1 = $1; r1 = $2 } NR == 2 { printf "  per idle user (RSS difference, 1,000 → 10,000 users): %.1f KiB\n", ($2 - r1) / ($1 - u1) }' "$work/idle.rows"
fi

# ---------------------------------------------------------------- memory
if wants memory; then
  say "bounded memory: resident memory at the end of 1 million and 10 million requests (nginx)"
  counts="1000000"
  [[ -n ${LONG:-} ]] && counts="1000000 10000000"
  for total in $counts; do
    per=$((total / conns))
    # The test binary's own peak (the report's peak_rss_bytes): /usr/bin/time would report the
    # largest process of the tree, which is cargo's up-to-date check.
    LOADCASE_WORKER_THREADS=1 taskset -c 0 "$runner" loadrun --manifest-path "$root/bench/Cargo.toml" \
      bench::get -u "$conns" -c "$per" --server-url "$nginx_url" -q --no-history --report "$work/mem.json" >/dev/null 2>&1 || true
    python3 -c "
import json; r = json.load(open('$work/mem.json'))
print('  %d requests: test binary peak RSS %.1f MB, %.1f s' % (r['figures']['overall']['count'], r['peak_rss_bytes'] / 1e6, r['elapsed_secs']))"
  done
  [[ -z ${LONG:-} ]] && echo "  (LONG=1 adds the 10-million run)"
fi

# ---------------------------------------------------------------- threads
if wants threads; then
  say "all cores: CPU per request with 1 and 2 worker threads, unpinned, nginx with 2 workers"
  kill "$(cat /tmp/lc-nginx.pid)" 2>/dev/null || true
  sleep 0.5
  sed 's/worker_processes 1;/worker_processes 2;/' "$here/nginx.conf" >"$work/nginx2.conf"
  nginx -c "$work/nginx2.conf"
  sleep 0.5
  for threads in 1 2; do
    for run in $(seq "$runs"); do
      LOADCASE_WORKER_THREADS=$threads loadrun bench::get -u "$conns" -d "${secs}s" --server-url "$nginx_url" -q --no-history \
        --report "$work/t.json" >/dev/null 2>&1 || true
      python3 -c "
import json; r = json.load(open('$work/t.json')); n = r['figures']['overall']['count']
print(r['cpu_secs'] * 1e6 / n, n / r['elapsed_secs'])" >>"$work/threads$threads.rows"
    done
    us=$(awk '{print $1}' "$work/threads$threads.rows" | median)
    rate=$(awk '{print $2}' "$work/threads$threads.rows" | median)
    echo "$us" >"$work/threads$threads.us"
    printf '  %d worker thread(s): %.2f us CPU per request, %.0f requests/s\n' "$threads" "$us" "$rate"
  done
  awk -v a="$(cat "$work/threads2.us")" -v b="$(cat "$work/threads1.us")" 'BEGIN { printf "  ratio 2 threads / 1 thread: %.2f\n", a / b }'
  kill "$(cat /tmp/lc-nginx.pid)" 2>/dev/null || true
  sleep 0.5
  taskset -c 1 nginx -c "$here/nginx.conf"
fi

# ---------------------------------------------------------------- startup
if wants startup; then
  say "start-up: from invoking cargo loadrun (target already built) to the load's start"
  for run in $(seq "$runs"); do
    t0=$(date +%s%3N)
    loadrun bench::get --server-url "$nginx_url" -q --no-history --report "$work/s.json" >/dev/null 2>&1 || true
    python3 -c "import json; print(json.load(open('$work/s.json'))['started_unix_ms'] - $t0)" >>"$work/startup.rows"
  done
  echo "  median $(median <"$work/startup.rows") ms (runs: $(tr '\n' ' ' <"$work/startup.rows"))"
fi

# ---------------------------------------------------------------- soak
if [[ " $parts " == *" soak "* ]]; then
  soak_secs=${SOAK_SECS:-600}
  soak_rate=${SOAK_RATE:-20/s}
  every=${SOAK_EVERY:-30}
  say "soak: ${soak_secs}s of the open model (--rate $soak_rate, --request-timeout 1s), every other 5 s window sent to one hostile server in turn (11 faults), the healthy server restarted every ${SOAK_RESTART:-47} s; the test binary's memory and open file descriptors over time"
  "$target/release/soak-server" $((soak_secs + 60)) "$work/soak-counts.txt" "${SOAK_RESTART:-47}" >"$work/soak-server.out" 2>&1 &
  soak_pid=$!
  for _ in $(seq 100); do grep -q '^faults ' "$work/soak-server.out" && break; sleep 0.1; done
  healthy=$(awk '/^healthy / {print $2}' "$work/soak-server.out")
  faults=$(awk '/^faults / {print $2}' "$work/soak-server.out")
  SOAK_FAULTS=$faults loadrun bench::soak --rate "$soak_rate" -d "${soak_secs}s" --max-users 100 \
    --request-timeout 1s --server-url "$healthy" -q --no-history \
    --report "$work/soak.json" --log-requests "$work/soak.jsonl" >"$work/soak.out" 2>&1 &
  lpid=$!
  printf '  %7s %8s %5s\n' t_s rss_MB fds
  pid=""
  started=$SECONDS
  next=0
  while kill -0 "$lpid" 2>/dev/null; do
    [[ -z $pid ]] && pid=$(pgrep -f "$target/release/deps/bench-" | head -1 || true)
    t=$((SECONDS - started))
    if [[ -n $pid && -d /proc/$pid && $t -ge $next ]]; then
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
      printf '  %7d %8.1f %5d\n' "$t" "$(awk -v k="${rss:-0}" 'BEGIN { print k / 1024 }')" "$fds"
      next=$((next + every))
    fi
    sleep 1
  done
  code=0
  wait "$lpid" || code=$?
  sleep 2 # the servers' counts are written every second
  kill "$soak_pid" 2>/dev/null || true
  echo "  cargo loadrun exited $code; what the servers received:"
  sed 's/^/    /' "$work/soak-counts.txt"
  python3 -c "
import json; r = json.load(open('$work/soak.json')); h = r['figures']['hits']; o = r['figures']['overall']
print('  hits %d (success %d, errors %d, failures %d), dropped %d; requests %d (errors %d); logged %s; peak RSS %.1f MB' % (
    h['total'], h['success'], h['errors'], h['failures'], h.get('dropped', 0),
    o['count'], o['errors'], r.get('logged_requests'), r['peak_rss_bytes'] / 1e6))
print('  request log lines: %d' % sum(1 for _ in open('$work/soak.jsonl')))"
  grep -E '^  [0-9]+ occurrences? of' "$work/soak.out" | head -12 | cut -c1-200
fi
rm -rf "$work"
