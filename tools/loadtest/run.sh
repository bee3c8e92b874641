#!/usr/bin/env bash
# The side-by-side load run behind README's figures: botprobe's minimal bot
# (the protocol floor on this machine), then mfadesk on SQLite, on
# PostgreSQL, and as two and four replicas sharing one PostgreSQL.
#
#   tools/loadtest/run.sh                 # 50 conversations x 100 messages, 3 rounds
#   MESSAGES=300 tools/loadtest/run.sh    # longer, steadier
#   ROUNDS=5 tools/loadtest/run.sh
#
# This machine's speed changes by half from one minute to the next, so one
# row against a minimal bot measured a minute earlier says little. Each
# round runs the minimal bot, then mfadesk on SQLite and on PostgreSQL, and
# each mfadesk row is compared with its own round's minimal bot; the last
# lines give the median ratios of the rounds.
#
# Ports are below the ephemeral range (32768 and up on Linux), where the
# other botprobes' own servers might take them.
#
# Needs ../shared/botprobe beside the repository and, for the PostgreSQL
# rows, a server at PGURL (default: the local one, database test). Each row
# is one botprobe summary; nothing else may load the machine meanwhile.
set -euo pipefail
cd "$(dirname "$0")/../.."
CONVERSATIONS=${CONVERSATIONS:-50}
MESSAGES=${MESSAGES:-100}
ROUNDS=${ROUNDS:-3}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd ../shared/botprobe && go build -o "$work/botprobe" .)
go build -o "$work/mfadesk" .
# The page cache holds the binary as go build wrote it, in large folios,
# and a fault maps a whole one: measured, that made 4 MB more of the binary
# resident than a binary read from disk, as a deployed one is. Drop it.
dd if="$work/mfadesk" iflag=nocache count=0 status=none
probe="$work/botprobe"
# A registered bot needs its public address (the step-up's redirect URI).
env=(--env PUBLIC_URL=https://bot.example.com --env NOTIFY_FROM=mfa-desk@example.com --env LOG_LEVEL=warn)

row() { # label, then botprobe's JSON summaries on stdin (one per replica)
  python3 -c '
import json, sys
label, keep = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in sys.stdin if l.startswith("{")]
if not rows:
    print(f"| {label} | (no summary) |"); sys.exit()
failed = [r.get("error") or "failed" for r in rows if "rps" not in r]
if failed:
    print(f"| {label} | did not run: {failed[0]} |"); sys.exit()
rps = sum(r.get("rps", 0) for r in rows)
p = lambda k: "/".join(f"{r.get(k, 0):.1f}" for r in rows)
errs = sum(r.get("errors", 0) + r.get("timeouts", 0) for r in rows)
ratio = ""
if keep:  # a round: kept for the ratios, and compared with its minimal bot
    with open(keep, "a") as f:
        f.write(json.dumps({"label": label, "rps": rps, "p99": rows[0].get("p99_ms", 0)}) + "\n")
    kept = [json.loads(l) for l in open(keep)]
    if len(kept) > 1:
        floor, p99 = kept[0], rows[0].get("p99_ms", 0)
        ratio = " (%.2f ×, p99 %.1f ×)" % (rps / floor["rps"], p99 / floor["p99"])
cols = [p(k) for k in ("p50_ms", "p99_ms", "peak_rss_mb", "startup_ms")]
print("| " + " | ".join([label, f"{rps:,.0f}{ratio}"] + cols + [str(errs)]) + " |")
' "$1" "${2:-}"
}

echo "| run | replies/s | p50 ms | p99 ms | peak RSS MB | ready ms | errors |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
havepg=false
if pg_isready -q -d "$PGURL" 2>/dev/null; then
  havepg=true
  db=mfadesk_load_$$
  psql -q "$PGURL" -c "CREATE DATABASE $db" >/dev/null
  dburl=${PGURL/\/test?/\/$db?}
fi
for round in $(seq "$ROUNDS"); do
  keep="$work/round-$round"
  "$probe" baseline --port 29790 --conversations "$CONVERSATIONS" --messages "$MESSAGES" 2>/dev/null | tail -n 1 |
    row "round $round: minimal (botprobe baseline)" "$keep"
  "$probe" load --port 29790 --conversations "$CONVERSATIONS" --messages "$MESSAGES" "${env[@]}" \
    --bot "DATA_DIR=$work/sqlite-$round $work/mfadesk" 2>/dev/null | tail -n 1 | row "round $round: mfadesk, SQLite" "$keep"
  if $havepg; then
    "$probe" load --port 29790 --conversations "$CONVERSATIONS" --messages "$MESSAGES" "${env[@]}" \
      --bot "DATABASE_URL='$dburl' $work/mfadesk" 2>/dev/null | tail -n 1 | row "round $round: mfadesk, PostgreSQL" "$keep"
  fi
done
python3 - "$work" "$ROUNDS" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
by = {}
for r in range(1, rounds + 1):
    try:
        kept = [json.loads(l) for l in open(f"{work}/round-{r}")]
    except OSError:
        continue
    if len(kept) < 2 or not kept[0]["rps"] or not kept[0]["p99"]:
        continue
    for k in kept[1:]:
        name = k["label"].split(": ", 1)[1]
        by.setdefault(name, []).append((k["rps"] / kept[0]["rps"], k["p99"] / kept[0]["p99"]))
for name, ratios in by.items():
    rps = sorted(r for r, _ in ratios)
    p99 = sorted(p for _, p in ratios)
    print(f"| median of {len(ratios)} rounds: {name} | {statistics.median(rps):.2f} × minimal ({rps[0]:.2f}–{rps[-1]:.2f}) | | p99 {statistics.median(p99):.1f} × ({p99[0]:.1f}–{p99[-1]:.1f}) | | | |")
PY

if $havepg; then
  # Four replicas and an admin fit a stock max_connections (100) at 20 each.
  for replicas in 2 4; do
    per=$((CONVERSATIONS / replicas)) budget=$((replicas == 4 ? 20 : 25))
    for i in $(seq "$replicas"); do
      "$probe" load --port $((29790 + i)) --conversations "$per" --messages "$MESSAGES" "${env[@]}" \
        --bot "DATABASE_MAX_CONNECTIONS=$budget DATABASE_URL='$dburl' $work/mfadesk" 2>/dev/null | tail -n 1 &
    done | row "mfadesk, PostgreSQL, $replicas replicas ($per conversations each, at most $budget connections each)"
    wait
  done
  psql -q "$PGURL" -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
else
  echo "(PostgreSQL rows skipped: nothing answers at $PGURL)"
fi
