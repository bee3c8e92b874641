#!/bin/sh
# Start the Microsoft 365 Agents Playground (local Teams client) against the mfadesk bot.
# Run via `npm --prefix tools/playground start` from the repo root (npm runs this with cwd =
# tools/playground, where the playground reads .m365agentsplayground.yml), then open
# http://localhost:${PLAYGROUND_PORT:-56150}/
#   BOT_ENDPOINT     bot messaging endpoint   (default http://127.0.0.1:3978/api/messages)
#   PLAYGROUND_PORT  port of the playground UI (default 56150; if it is taken the playground silently
#                    picks a random port: read the "Listening on N" line)
#   PLAYGROUND_USER  person (default): the student of .m365agentsplayground.yml;
#                    agent: the helpdesk agent of agent.yml
# Config errors (bad .m365agentsplayground.yml) are NOT printed here: the server keeps running and
# the reason is only in devTools/m365agentsplayground.log (git-ignored).
set -eu
cd "$(dirname "$0")"
case "${PLAYGROUND_USER:-person}" in
  person) ;;
  agent) export M365_AGENTS_PLAYGROUND_CONFIG_PATH="$PWD/agent.yml" ;;
  *) echo "PLAYGROUND_USER=$PLAYGROUND_USER: use person or agent" >&2; exit 2 ;;
esac
export TEAMSAPPTESTER_BROWSER=none
export APPLICATION_INSIGHTS_NO_STATSBEAT=true
exec ./node_modules/.bin/agentsplayground start \
  --app-endpoint "${BOT_ENDPOINT:-http://127.0.0.1:3978/api/messages}" \
  --channel-id msteams \
  --port "${PLAYGROUND_PORT:-56150}" \
  --disable-telemetry
