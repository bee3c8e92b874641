// Checks a Teams app package with Microsoft's own validator, the one the
// Microsoft 365 Agents Toolkit uses (@microsoft/app-manifest, pinned in
// package.json), as a second opinion on mfadesk's Go checker:
//
//   node check.mjs appPackage.zip [vendored-schema-dir]
//
// It validates manifest.json and every localisation file against the
// schemas bundled in that package, checks the icons' PNG sizes, and, given
// the folder of schemas mfadesk embeds, that they are Microsoft's unchanged.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { AppManifestUtils } from "@microsoft/app-manifest";
import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";

const [zipPath, vendoredDir] = process.argv.slice(2);
if (!zipPath) {
  console.error("usage: node check.mjs appPackage.zip [vendored-schema-dir]");
  process.exit(2);
}

// unzip reads a zip's files (stored or deflated) from its central directory.
function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip file");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error("bad central directory");
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("@microsoft/app-manifest/package.json"));
const officialSchema = (version, name) =>
  readFileSync(join(pkgDir, "build/json-schemas/teams", `v${version}`, name));

// validateLocalization validates a localisation file against the bundled
// schema the way AppManifestUtils does for manifests (ajv, draft-04), except
// that patterns are not compiled in Unicode mode: one of the schema's
// patterns ("\b]") is a syntax error there, so Microsoft's helper cannot
// compile this schema at all.
function validateLocalization(doc, version) {
  const ajv = new Ajv04({ allErrors: true, strictTypes: false, strict: false, unicodeRegExp: false });
  addFormats(ajv, ["uri", "email", "regex"]);
  const validate = ajv.compile(JSON.parse(officialSchema(version, "MicrosoftTeams.Localization.schema.json")));
  if (validate(doc)) return [];
  return validate.errors.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

const problems = [];
const files = unzip(readFileSync(zipPath));
const json = (name) => JSON.parse(files.get(name).toString("utf8"));

if (!files.has("manifest.json")) {
  console.error("no manifest.json at the zip's root");
  process.exit(1);
}
const manifest = json("manifest.json");
for (const e of await AppManifestUtils.validateAgainstSchema(manifest)) problems.push(`manifest.json: ${e}`);

for (const { file } of manifest.localizationInfo?.additionalLanguages ?? []) {
  if (!files.has(file)) {
    problems.push(`${file}: missing`);
    continue;
  }
  for (const e of validateLocalization(json(file), manifest.manifestVersion)) problems.push(`${file}: ${e}`);
}

// PNG: the IHDR chunk holds width and height, big-endian, at bytes 16 and 20.
for (const [key, size] of [["color", 192], ["outline", 32]]) {
  const png = files.get(manifest.icons?.[key]);
  if (!png || png.readUInt32BE(0) !== 0x89504e47) {
    problems.push(`${key} icon: missing or not a PNG`);
    continue;
  }
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  if (w !== size || h !== size) problems.push(`${key} icon: ${w}x${h}, want ${size}x${size}`);
}

if (vendoredDir) {
  const version = manifest.manifestVersion;
  for (const name of ["MicrosoftTeams.schema.json", "MicrosoftTeams.Localization.schema.json"]) {
    if (!officialSchema(version, name).equals(readFileSync(join(vendoredDir, name)))) {
      problems.push(`${vendoredDir}/${name} differs from Microsoft's v${version} schema`);
    }
  }
}

if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`${zipPath}: valid for Microsoft's validator (manifest v${manifest.manifestVersion}, ${files.size} files)`);
