package faq

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestRomajiToKana(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"sumaho":      "すまほ",
		"nakushita":   "なくした",
		"kishuhenkou": "きしゅへんこう",
		"tsukaenai":   "つかえない",
		"kitte":       "きって",
		"matcha":      "まっちゃ",
		"shimbun":     "しんぶん",  // Hepburn m before b
		"konnichiwa":  "こんにちわ", // n before a consonant
		"kan'i":       "かんい",   // n' keeps ん apart from い
		"onna":        "おんな",   // nn before a vowel
		"ninsyou":     "にんしょう", // Nihon-shiki
		"jyouhou":     "じょうほう", // keyboard spelling
		"ninshō":      "にんしょう", // macron
		"pasuwa-do":   "ぱすわーど", // keyboard long vowel
		"2keta":       "",      // digits are not romaji (callers split them off)
		"phone":       "",      // no Japanese syllables spell it
		"sms":         "",
		"strength":    "",
	} {
		got, ok := romajiToKana(in)
		if want == "" && ok || want != "" && got != want {
			t.Errorf("romajiToKana(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestReadingsMeet: a word typed in romaji and the same word written in
// kana or kanji fold to the same reading, however the long vowels are
// typed.
func TestReadingsMeet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ written, romaji string }{
		{"認証コード", "ninshoukoodo"},
		{"認証コード", "ninshokodo"},
		{"ショートメール", "shoutomeeru"},
		{"携帯を家に忘れた", "keitaiwoieniwasureta"},
		{"携帯を家に忘れた", "keitai o ie ni wasureta"},
		{"機種変更", "kishuhenkou"},
		{"多要素認証とは", "tayousoninshoutowa"},
	} {
		kana := ""
		for _, w := range strings.Fields(tc.romaji) {
			k, ok := romajiToKana(w)
			if !ok {
				t.Fatalf("%q is not romaji", w)
			}
			kana += k
		}
		if got, want := foldReading(kana), foldReading(reading(norm.NFKC.String(tc.written))); got != want {
			t.Errorf("%q reads %q, %q reads %q", tc.romaji, got, tc.written, want)
		}
	}
}

func TestConvertRomajiLeavesEnglishAlone(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"i lost my phone on the train",
		"no sound in my teams meeting",
		"i don't want to give my personal number to the company",
		"need to change the phone number registered for sms codes",
		"is it too early to register before the rollout date",
		"the sms setup page shows a captcha, any idea?",
		"スマホをなくした",
	} {
		if got := convertRomaji(s); got != s {
			t.Errorf("convertRomaji(%q) = %q, want it unchanged", s, got)
		}
	}
	for s, want := range map[string]string{
		"sms ga todokanai":                              "sms " + string(romajiStart) + "がとどかない" + string(romajiEnd),
		"hi team, sumaho wo nakushita, thanks":          "hi team, " + string(romajiStart) + " @smartphone なくした" + string(romajiEnd) + ", thanks",
		"kishuhenko shitara authenticator ga tsukaenai": string(romajiStart) + " @change-device したら" + string(romajiEnd) + " authenticator " + string(romajiStart) + "がつかえない" + string(romajiEnd),
	} {
		spaced := strings.NewReplacer(string(romajiStart), " <", string(romajiEnd), "> ", ",", " , ")
		if got := strings.Join(strings.Fields(spaced.Replace(convertRomaji(s))), " "); got != strings.Join(strings.Fields(spaced.Replace(want)), " ") {
			t.Errorf("convertRomaji(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestConceptFormsAreUnique: a form listed under two concepts would be
// replaced by either, depending on the order of a map.
func TestConceptFormsAreUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for c, forms := range conceptForms() {
		for _, f := range forms {
			f = strings.ToLower(norm.NFKC.String(f))
			if other, ok := seen[f]; ok && other != c {
				t.Errorf("%q is under both %q and %q", f, other, c)
			}
			seen[f] = c
		}
	}
}

func TestMisspelt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"pasword":      "@password",
		"autenticator": "@authenticator",
		"recieve":      "@arrive",
		"password":     "", // known
		"printer":      "", // known (a question the bot is not about)
		"zzzzzzz":      "",
	} {
		if got := misspelt(token{text: in}); got != want {
			t.Errorf("misspelt(%q) = %q, want %q", in, got, want)
		}
	}
}
