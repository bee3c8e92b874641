// Checks Adaptive Cards with Microsoft's own library, adaptivecards v3:
// each card is parsed for schema 1.5 (the version Teams renders) in an
// interactive host, as Teams is, and every event the library reports,
// while parsing or validating, is a failure: a property it refuses (for
// example a lang of "ja-JP") is dropped by the client, silently.
//
//   node tools/cardcheck/check.cjs FILE_OR_DIRECTORY...
//
// Each file holds one card (AdaptiveCard JSON). Exits 1 if any card has a
// problem, naming the file and the problem.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
// The package's ES modules omit file extensions, which Node refuses; its
// bundle is the same code in one file.
const AC = require("adaptivecards/dist/adaptivecards.js");

function files(args) {
  const out = [];
  for (const a of args) {
    if (fs.statSync(a).isDirectory()) {
      for (const f of fs.readdirSync(a).sort()) {
        if (f.endsWith(".json")) out.push(path.join(a, f));
      }
    } else {
      out.push(a);
    }
  }
  return out;
}

function problems(json) {
  // The library checks a card's lang with one shared /g regular
  // expression, whose lastIndex carries over from one card to the next:
  // every other valid lang would be refused. Start each card afresh.
  AC.AdaptiveCard.langProperty.regEx.lastIndex = 0;
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig({ supportsInteractivity: true });
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, ctx);
  const found = [];
  for (let i = 0; i < ctx.eventCount; i++) found.push(ctx.getEventAt(i).message);
  for (const e of card.validateProperties().validationEvents) found.push(e.message);
  return found;
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: node check.cjs FILE_OR_DIRECTORY...");
  process.exit(2);
}
let cards = 0, bad = 0;
for (const f of files(args)) {
  cards++;
  let found;
  try {
    found = problems(JSON.parse(fs.readFileSync(f, "utf8")));
  } catch (e) {
    found = [String(e)];
  }
  if (found.length > 0) {
    bad++;
    console.log(`${f}:`);
    for (const p of new Set(found)) console.log(`  ${p}`);
  }
}
console.log(`${cards} cards checked with Microsoft's Adaptive Cards library: ${bad} with problems`);
process.exit(bad > 0 || cards === 0 ? 1 : 0);
