// Package manifest builds and checks the Teams app package: the zip an
// administrator uploads so that people can install the bot. The package is
// the template in app/ (manifest.json in English, ja.json in Japanese, and
// the two icons, drawn by icons.go) filled with the organisation's values,
// and checked against Microsoft's JSON schema for the manifest version,
// embedded from schema/. It also serves the public pages the manifest
// links to (about, privacy, terms).
package manifest
