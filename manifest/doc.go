// Package manifest will build the Teams app package (manifest, icons,
// localisation) for upload to Teams. It is empty until that work lands
// (issue 7).
package manifest
