// Package interop holds no code: its test drives the simulator in
// [github.com/mfadesk/mfadesk/graph/sim] with the real msgraph-sdk-go
// client, over HTTP, to prove the two agree on paths, JSON shapes, gzip
// bodies, errors and retries. It lives apart from package sim so that the
// simulator's own tests build without the SDK, which takes minutes to
// compile cold.
package interop
