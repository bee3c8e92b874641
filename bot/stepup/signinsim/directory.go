package signinsim

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
)

// defaultDirectory knows everyone, so local mode works for whoever talks to
// the bot. A GUID is the same made-up person the Graph simulator provisions
// for that object id, so the name on the sign-in page matches what the bot
// reads from Graph.
func defaultDirectory(hint string) (Person, bool) {
	hint = strings.TrimSpace(hint)
	if isGUID(hint) {
		id := strings.ToLower(hint)
		return Person{ID: id, Name: "Test User " + id[:4], UPN: id[:8] + "@contoso.example"}, true
	}
	if at := strings.LastIndexByte(hint, '@'); at > 0 && at < len(hint)-1 {
		// UPNs compare case-insensitively in Entra, so the derived object
		// id must not change with case.
		sum := sha256.Sum256([]byte("signinsim upn\x00" + strings.ToLower(hint)))
		return Person{ID: formatGUID(sum[:16], 8), Name: hint[:at], UPN: hint}, true
	}
	return Person{}, false
}

// isGUID reports whether s is a GUID in its usual 8-4-4-4-12 hex form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// formatGUID formats the 16 bytes b as a GUID with the given version and
// the RFC 9562 variant, so derived ids look like ones Entra issues.
func formatGUID(b []byte, version byte) string {
	var u [16]byte
	copy(u[:], b)
	u[6] = u[6]&0x0f | version<<4
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// newGUID returns a random (version 4) GUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return formatGUID(b[:], 4)
}
