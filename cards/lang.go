package cards

import (
	"fmt"
	"strings"
	"unicode"
)

// Lang is a language the bot answers in.
type Lang string

// The languages the bot speaks. Japanese is the organisation's first language;
// English is for everyone else.
const (
	Japanese Lang = "ja"
	English  Lang = "en"
	// Both is for a helpdesk that works in both languages: every text shows
	// the Japanese and then the English. People are never answered in it.
	Both Lang = "ja+en"
)

// LangFromLocale picks Japanese for ja* locales ("ja", "ja-JP") and English
// for every other locale, including an empty one.
func LangFromLocale(locale string) Lang {
	l := strings.ToLower(strings.TrimSpace(locale))
	if l == "ja" || strings.HasPrefix(l, "ja-") || strings.HasPrefix(l, "ja_") {
		return Japanese
	}
	return English
}

// DetectLang tells the language a message is written in, when that is
// clear: any kana or kanji means Japanese; otherwise two or more words of
// Latin letters mean English. "SMS" or "OK" alone says nothing.
func DetectLang(text string) (Lang, bool) {
	latinWords, inWord := 0, false
	for _, r := range text {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han):
			return Japanese, true
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			if !inWord {
				latinWords++
			}
			inWord = true
		default:
			inWord = false
		}
	}
	if latinWords >= 2 {
		return English, true
	}
	return "", false
}

// ParseLang accepts "ja" or "en" and reports whether it was one of them.
func ParseLang(s string) (Lang, bool) {
	switch Lang(s) {
	case Japanese, English:
		return Lang(s), true
	}
	return "", false
}

// Tag is the language put on cards (Teams formats {{DATE}} and {{TIME}}
// in it). Adaptive Cards take a bare ISO 639 code: Microsoft's library
// refuses "ja-JP" as a card's lang and then formats dates in English.
func (l Lang) Tag() string {
	if l == Japanese || l == Both {
		return "ja"
	}
	return "en"
}

// Other is the language the switch button offers.
func (l Lang) Other() Lang {
	if l == Japanese {
		return English
	}
	return Japanese
}

// Text is one sentence in both languages.
type Text struct{ JA, EN string }

// In returns the sentence in l; in Both, "Japanese / English" (once when
// they are the same).
func (t Text) In(l Lang) string {
	switch {
	case l == Japanese:
		return t.JA
	case l == Both && t.JA != t.EN:
		return t.JA + " / " + t.EN
	}
	return t.EN
}

// Format fills the sentence's verbs with args in l. In Both each language
// is filled on its own, so the two halves may place their verbs
// differently.
func (t Text) Format(l Lang, args ...any) string {
	if l == Both {
		return Text{JA: fmt.Sprintf(t.JA, args...), EN: fmt.Sprintf(t.EN, args...)}.In(Both)
	}
	return fmt.Sprintf(t.In(l), args...)
}
