package faq

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
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

// BenchmarkLexiconLoad is the dictionary's share of the matcher's first
// use (start-up does it in the background).
func BenchmarkLexiconLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadLexicon(ipaFiles); err != nil {
			b.Fatal(err)
		}
	}
}
