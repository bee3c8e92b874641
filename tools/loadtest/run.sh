#!/usr/bin/env bash
# The side-by-side load run behind README's figures: botprobe's minimal bot
# (the protocol floor on this machine), then mfadesk on SQLite, on
# PostgreSQL, and as two and four replicas sharing one PostgreSQL.
#
#   tools/loadtest/run.sh                 # 50 conversations x 100 messages
#   MESSAGES=300 tools/loadtest/run.sh    # longer, steadier
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
label = sys.argv[1]
rows = [json.loads(l) for l in sys.stdin if l.startswith("{")]
if not rows:
    print(f"| {label} | (no summary) |"); sys.exit()
failed = [r.get("error") or "failed" for r in rows if "rps" not in r]
if failed:
    print(f"| {label} | did not run: {failed[0]} |"); sys.exit()
rps = sum(r.get("rps", 0) for r in rows)
p = lambda k: "/".join(f"{r.get(k, 0):.1f}" for r in rows)
errs = sum(r.get("errors", 0) + r.get("timeouts", 0) for r in rows)
cols = [p(k) for k in ("p50_ms", "p99_ms", "peak_rss_mb", "startup_ms")]
print("| " + " | ".join([label, f"{rps:,.0f}"] + cols + [str(errs)]) + " |")
' "$1"
}

echo "| run | replies/s | p50 ms | p99 ms | peak RSS MB | ready ms | errors |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
"$probe" baseline --port 29790 --conversations "$CONVERSATIONS" --messages "$MESSAGES" 2>/dev/null | tail -n 1 | row "minimal (botprobe baseline)"
"$probe" load --port 29790 --conversations "$CONVERSATIONS" --messages "$MESSAGES" "${env[@]}" \
  --bot "DATA_DIR=$work/sqlite $work/mfadesk" 2>/dev/null | tail -n 1 | row "mfadesk, SQLite"

if pg_isready -q -d "$PGURL" 2>/dev/null; then
  db=mfadesk_load_$$
  psql -q "$PGURL" -c "CREATE DATABASE $db" >/dev/null
  dburl=${PGURL/\/test?/\/$db?}
  "$probe" load --port 29790 --conversations "$CONVERSATIONS" --messages "$MESSAGES" "${env[@]}" \
    --bot "DATABASE_URL='$dburl' $work/mfadesk" 2>/dev/null | tail -n 1 | row "mfadesk, PostgreSQL"
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
