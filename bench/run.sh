#!/usr/bin/env bash
# portmortem benchmark (DESIGN.md "Performance").
#
# Builds portmortem and gen-corpus (release), generates the corpus into $BENCH_DIR if it has none,
# warms the page cache, then measures:
#   - the yardstick `rg -F -c 203.0.113.5 DIR` and `portmortem analyze` (hyperfine --warmup 1
#     --runs 5 when available, else best of 5 with /usr/bin/time);
#   - peak RSS (/usr/bin/time -v "Maximum resident set size") of analyze with default threads and
#     with --threads 1;
#   - that the JSON reports of --threads 1 and default threads give the same ports;
#   - that every planted port in EXPECTED.txt got the planted verdict and cause.
# and prints a summary table. Exit status 1 when a check fails.
#
# Environment: BENCH_DIR (default /work/main/bench-data), BENCH_SIZE (1G), BENCH_HOSTS (40),
# BENCH_SEED (1), BENCH_GZ (0.2), BENCH_RUNS (5), BENCH_OUT (/tmp: where reports/timings go).
# Delete $BENCH_DIR (or pass another) to regenerate with other settings.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DIR="${BENCH_DIR:-/work/main/bench-data}"
SIZE="${BENCH_SIZE:-1G}"
HOSTS="${BENCH_HOSTS:-40}"
SEED="${BENCH_SEED:-1}"
GZ="${BENCH_GZ:-0.2}"
RUNS="${BENCH_RUNS:-5}"
OUT="${BENCH_OUT:-/tmp}"
SCANNER=203.0.113.5
PM="$ROOT/target/release/portmortem"
GEN="$ROOT/target/release/gen-corpus"

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: '$1' is required (apt-get install -y $2)" >&2; exit 2; }; }
need rg ripgrep
need python3 python3
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is required (apt-get install -y time)" >&2; exit 2; }

echo "== build"
cargo build --release -p portmortem -p portmortem-bench

if [ ! -f "$DIR/EXPECTED.txt" ]; then
    echo "== generate corpus ($SIZE, $HOSTS hosts, seed $SEED, gz-fraction $GZ) into $DIR"
    "$GEN" --out "$DIR" --size "$SIZE" --hosts "$HOSTS" --seed "$SEED" --gz-fraction "$GZ"
else
    echo "== corpus exists: $DIR ($(head -1 "$DIR/EXPECTED.txt" | sed 's/^# //'))"
fi

echo "== warm the page cache"
find "$DIR" -type f -exec cat {} + >/dev/null

RG_CMD=(rg -F -c "$SCANNER" "$DIR")
# rg skips .gz files as binary; with -z it decompresses them too, the same work analyze does.
RGZ_CMD=(rg -z -F -c "$SCANNER" "$DIR")
AN_CMD=("$PM" analyze --no-progress --format json -o "$OUT/pm.json" "$DIR")
AN1_CMD=("$PM" analyze --no-progress --format json -o "$OUT/pm-t1.json" --threads 1 "$DIR")

echo "== timings"
if command -v hyperfine >/dev/null 2>&1; then
    # -N: no intermediate shell. rg prints counts (discarded by hyperfine).
    hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$OUT/pm-bench-hyperfine.json" \
        -n rg "${RG_CMD[*]}" \
        -n rgz "${RGZ_CMD[*]}" \
        -n analyze "${AN_CMD[*]}"
    read -r RG_WALL RG_MEAN AN_WALL AN_MEAN RGZ_WALL < <(python3 - "$OUT/pm-bench-hyperfine.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print(r["rg"]["min"], r["rg"]["mean"], r["analyze"]["min"], r["analyze"]["mean"], r["rgz"]["min"])
EOF
)
    TIMER="hyperfine, warmup 1, $RUNS runs"
else
    best_of() { # prints "min mean" of $RUNS runs (after one warm-up run)
        local t best="" sum=0
        "$@" >/dev/null
        for _ in $(seq "$RUNS"); do
            /usr/bin/time -f %e -o "$OUT/pm-bench-t" "$@" >/dev/null
            t=$(tail -1 "$OUT/pm-bench-t")
            sum=$(python3 -c "print($sum + $t)")
            best=$(python3 -c "print(min(${best:-$t}, $t))")
        done
        echo "$best $(python3 -c "print($sum / $RUNS)")"
    }
    read -r RG_WALL RG_MEAN < <(best_of "${RG_CMD[@]}")
    read -r AN_WALL AN_MEAN < <(best_of "${AN_CMD[@]}")
    read -r RGZ_WALL _ < <(best_of "${RGZ_CMD[@]}")
    TIMER="best of $RUNS with /usr/bin/time (no hyperfine)"
fi

echo "== peak memory (/usr/bin/time -v)"
/usr/bin/time -v "${AN_CMD[@]}" 2>"$OUT/pm-time-default.txt"
/usr/bin/time -v "${AN1_CMD[@]}" 2>"$OUT/pm-time-t1.txt"
/usr/bin/time -v "${RG_CMD[@]}" >/dev/null 2>"$OUT/pm-time-rg.txt"

echo "== checks and summary"
python3 - "$DIR" "$OUT" "$RG_WALL" "$RG_MEAN" "$AN_WALL" "$AN_MEAN" "$TIMER" "$RGZ_WALL" <<'EOF'
import json, os, re, struct, sys

d, out, rg_wall, rg_mean, an_wall, an_mean, timer, rgz_wall = sys.argv[1:9]
rgz_wall = float(rgz_wall)
rg_wall, rg_mean, an_wall, an_mean = map(float, (rg_wall, rg_mean, an_wall, an_mean))

def time_v(path):
    txt = open(path).read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt).group(1))
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", txt)
    wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    cpu = sum(float(re.search(p + r": ([\d.]+)", txt).group(1))
              for p in (r"User time \(seconds\)", r"System time \(seconds\)"))
    return rss, wall, cpu

disk = logical = 0
nfiles = ngz = 0
for root, _, files in os.walk(d):
    for f in files:
        p = os.path.join(root, f)
        n = os.path.getsize(p)
        disk += n
        nfiles += 1
        with open(p, "rb") as fh:
            if fh.read(2) == b"\x1f\x8b":
                ngz += 1
                fh.seek(-4, 2)
                logical += struct.unpack("<I", fh.read(4))[0]  # ISIZE (files < 4 GiB)
                continue
        logical += n

ok = True
rep = json.load(open(os.path.join(out, "pm.json")))
rep1 = json.load(open(os.path.join(out, "pm-t1.json")))
same_ports = json.dumps(rep["ports"], sort_keys=True) == json.dumps(rep1["ports"], sort_keys=True)
same_sources = json.dumps(rep["sources"], sort_keys=True) == json.dumps(rep1["sources"], sort_keys=True)
if not same_ports:
    ok = False
    print("FAIL: --threads 1 and default threads give different .ports")
if not same_sources:
    print("note: --threads 1 and default threads give different .sources counts")

got = {(p["host"], p["port"]): p for p in rep["ports"]}
expected = []
for line in open(os.path.join(d, "EXPECTED.txt")):
    if line.startswith("#") or not line.strip():
        continue
    host, pp, state, verdict, cause, planted, name = line.split()
    expected.append((host, int(pp.split("/")[0]), state, verdict, None if cause == "-" else cause, planted))
bad = []
for host, port, state, verdict, cause, planted in expected:
    p = got.get((host, port))
    if p is None:
        bad.append(f"{host}:{port} missing from the report (expected {verdict}/{cause})")
    elif (p["verdict"], p["cause"]) != (verdict, cause):
        bad.append(f"{host}:{port} got {p['verdict']}/{p['cause']} ({p['confidence']}), expected {verdict}/{cause} planted in {planted}")
extra = set(got) - {(h, p) for h, p, *_ in expected}
for k in sorted(extra):
    bad.append(f"{k[0]}:{k[1]} in the report but not planted")
for b in bad:
    print("FAIL:", b)
ok = ok and not bad

rss_d, wall_d, cpu_d = time_v(os.path.join(out, "pm-time-default.txt"))
rss_1, wall_1, cpu_1 = time_v(os.path.join(out, "pm-time-t1.txt"))
rss_rg, _, cpu_rg = time_v(os.path.join(out, "pm-time-rg.txt"))

src = [s for s in rep["sources"] if s["format"] != "unrecognised"]
by_fmt = {}
for s in src:
    f = by_fmt.setdefault(s["format"], dict(files=0, lines=0, parsed=0, ignored=0, events=0, malformed=0))
    f["files"] += 1
    for k in ("lines", "parsed", "ignored", "events", "malformed"):
        f[k] += s[k]
lines = sum(f["lines"] for f in by_fmt.values())
selected = sum(f["lines"] - f["ignored"] for f in by_fmt.values())

MiB = 1024 * 1024
row = lambda k, v: print(f"  {k:<40} {v}")
print()
print(f"portmortem benchmark — {d}  ({timer}; {os.cpu_count()} CPUs)")
row("corpus files (gz)", f"{nfiles} ({ngz})")
row("corpus bytes on disk", f"{disk/MiB:.1f} MiB")
row("corpus log text (gz decompressed)", f"{logical/MiB:.1f} MiB")
row("rg -F -c wall (min / mean)", f"{rg_wall:.3f} s / {rg_mean:.3f} s   ({disk/MiB/rg_wall:.0f} MiB/s on disk)")
row("analyze wall (min / mean)", f"{an_wall:.3f} s / {an_mean:.3f} s   ({disk/MiB/an_wall:.0f} MiB/s on disk, {logical/MiB/an_wall:.0f} MiB/s log text)")
row("rg -z -F -c wall (min)", f"{rgz_wall:.3f} s   (also decompresses the .gz files)")
row("ratio analyze / rg (min)", f"{an_wall/rg_wall:.2f}x   (goal <= 1.5x)")
row("ratio analyze / rg -z (min)", f"{an_wall/rgz_wall:.2f}x")
row("analyze --threads 1 wall (1 run)", f"{wall_1:.3f} s   (cpu {cpu_1:.2f} s)")
row("analyze default threads (1 run, time -v)", f"{wall_d:.3f} s   (cpu {cpu_d:.2f} s)")
row("peak RSS analyze default threads", f"{rss_d/1024:.1f} MiB   (goal <= 200 MB)")
row("peak RSS analyze --threads 1", f"{rss_1/1024:.1f} MiB")
row("peak RSS rg", f"{rss_rg/1024:.1f} MiB   (cpu {cpu_rg:.2f} s)")
row("lines read / lines per second", f"{lines:,} / {lines/an_wall/1e6:.1f} M lines/s")
row("prefilter selected (lines - ignored)", f"{selected:,} ({100*selected/max(lines,1):.2f}%)")
for fmt, f in sorted(by_fmt.items()):
    sel = f["lines"] - f["ignored"]
    row(f"  {fmt} ({f['files']} files)",
        f"lines {f['lines']:,}  selected {sel:,} ({100*sel/max(f['lines'],1):.2f}%)  events {f['events']:,}  malformed {f['malformed']:,}")
row("ports: report summary", json.dumps(rep["summary"]))
row("--threads 1 vs default: same .ports", "yes" if same_ports else "NO")
row("planted verdicts matched", f"{len(expected) - len([b for b in bad if 'not planted' not in b])}/{len(expected)}")
print()
print("RESULT:", "OK" if ok else "FAIL")
sys.exit(0 if ok else 1)
EOF
