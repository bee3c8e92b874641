package faq

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// The lexicon keeps three facts of each word out of kagome's nine. What
// the matcher reads must be exactly what kagome's full dictionary says,
// for every Japanese run of the knowledge base and of the held-out
// questions.
func TestLexiconReadsAsTheFullDictionary(t *testing.T) {
	full, err := tokenizer.New(ipa.Dict(), tokenizer.OmitBosEos())
	if err != nil {
		t.Fatal(err)
	}
	kb, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range kb.Entries {
		texts = append(texts, e.Title.JA)
		texts = append(texts, e.Examples.JA...)
	}
	for _, name := range []string{"heldout.jsonl", "heldout-realistic.jsonl", "heldout-passkeys.jsonl"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var q struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &q) == nil {
				texts = append(texts, q.Text)
			}
		}
		f.Close()
	}
	// Words the dictionary lacks, and unusual spellings.
	texts = append(texts, "ｽﾏﾎが壊れたのでﾊﾟｽｷｰを登録したい", "認証あぷりが開かない", "ヰタ・セクスアリス", "")

	runs, words := 0, 0
	for _, text := range texts {
		for _, run := range splitRuns(normalize(text)) {
			if run == "" || !isJapanese([]rune(run)[0]) {
				continue
			}
			runs++
			got := analyser().Tokenize(run)
			want := full.Tokenize(run)
			if len(got) != len(want) {
				t.Errorf("%q: %d words, kagome %d", run, len(got), len(want))
				continue
			}
			for i, w := range want {
				words++
				f := w.Features()
				exp := morpheme{surface: w.Surface, pos: f[0], dependent: len(f) > 1 && f[1] == "非自立", base: w.Surface}
				if b, ok := w.BaseForm(); ok && b != "*" {
					exp.base = b
				}
				if r, ok := w.Pronunciation(); ok && r != "*" {
					exp.reading = r
				} else if r, ok := w.Reading(); ok && r != "*" {
					exp.reading = r
				}
				if got[i] != exp {
					t.Errorf("%q: word %d = %+v, kagome %+v", run, i, got[i], exp)
				}
			}
		}
	}
	if runs < 1000 || words < 5000 {
		t.Fatalf("compared %d runs and %d words: the test read too little", runs, words)
	}
}

// The image is an exact copy of the arrays read from the zip; a damaged,
// torn or foreign image is remade, never read; where no image can be
// written the lexicon stays in memory and reads the same.
func TestLexiconImage(t *testing.T) {
	texts := []string{"機種変更したので電話番号を変えたい", "パスキーを登録できません", "ｽﾏﾎが壊れた", "認証アプリの通知が来ない"}
	want, err := loadLexicon(ipaFiles, "")
	if err != nil {
		t.Fatal(err)
	}
	same := func(t *testing.T, l *lexicon) {
		t.Helper()
		if l.words != want.words || !slices.Equal(l.offsets, want.offsets) || !bytes.Equal(l.class, want.class) || !slices.Equal(l.classes, want.classes) {
			t.Fatal("the words differ from the zip's")
		}
		for _, text := range texts {
			if got, exp := l.Tokenize(text), want.Tokenize(text); !slices.Equal(got, exp) {
				t.Fatalf("%q: %v, from the zip %v", text, got, exp)
			}
		}
	}
	dir := t.TempDir()
	stale := filepath.Join(dir, "lexicon-0000000000000000.bin")
	if err := os.WriteFile(stale, []byte("an earlier version's"), 0o600); err != nil {
		t.Fatal(err)
	}

	made, err := loadLexicon(ipaFiles, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(made.source, "(made it)") {
		t.Fatalf("first load: source %q", made.source)
	}
	same(t, made)
	path := strings.TrimSuffix(made.source, " (made it)")
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("the stale image is still there (%v)", err)
	}

	mapped, err := loadLexicon(ipaFiles, dir)
	if err != nil {
		t.Fatal(err)
	}
	if mapped.source != path {
		t.Fatalf("second load: source %q, want the image %s", mapped.source, path)
	}
	same(t, mapped)

	damage := map[string]func([]byte) []byte{
		"a flipped byte":     func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b },
		"torn":               func(b []byte) []byte { return b[:len(b)-4096] },
		"another dictionary": func(b []byte) []byte { b[16] ^= 1; return b },
		"empty":              func([]byte) []byte { return nil },
	}
	for name, spoil := range damage {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// A new file, as anything but the bot would write one: the
			// lexicons above still map the old.
			os.Remove(path)
			if err := os.WriteFile(path, spoil(b), 0o600); err != nil {
				t.Fatal(err)
			}
			l, err := loadLexicon(ipaFiles, dir)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(l.source, "(remade it: ") {
				t.Fatalf("source %q: the damaged image was not remade", l.source)
			}
			same(t, l)
		})
	}

	// A file where the directory should be.
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := loadLexicon(ipaFiles, blocked)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(l.source, "memory (the cache directory: ") {
		t.Fatalf("source %q", l.source)
	}
	same(t, l)
}

// BenchmarkLexiconLoad is the dictionary's share of the matcher's first
// use (start-up does it in the background): read from the zip, and mapped
// from the image later starts use.
func BenchmarkLexiconLoad(b *testing.B) {
	dir := b.TempDir()
	if _, err := loadLexicon(ipaFiles, dir); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, dir string }{{"zip", ""}, {"image", dir}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := loadLexicon(ipaFiles, bc.dir); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
