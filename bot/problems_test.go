package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mfadesk/mfadesk/cards"
)

// Package bot reports problems as codes; package cards has the words. A
// code without words would reach people as a general "that could not be
// done": every code the package can report must have its own.
func TestEveryProblemCodeHasWords(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`dialogs\.Problem\{Code: "([a-z_]+)"`)
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range code.FindAllStringSubmatch(string(b), -1) {
			found++
			if !cards.HasProblemText(m[1]) {
				t.Errorf("%s: problem %q has no words in package cards", f, m[1])
			}
		}
	}
	if found < 15 {
		t.Errorf("found %d problem codes, want the package's (is the pattern stale?)", found)
	}
}
