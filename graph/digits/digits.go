// Package digits reads the decimal digits of any script and skips the
// characters that show nothing, for the numbers people type. Phone parsing
// and masking in package graph and the masking of free text in package
// dialogs share it, so that what can be registered is read by the same
// rules as what gets masked. It is a leaf with no Graph client in it:
// dialogs, which never imports a Graph client, may import it.
package digits

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Value returns the value of r if it is a decimal digit of any script
// (unicode.Nd), else -1.
func Value(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < utf8.RuneSelf || !unicode.Is(unicode.Nd, r) {
		return -1
	}
	// Unicode encodes every script's decimal digits as one contiguous run
	// from 0 to 9 (a stability policy), so each range of the Nd table is a
	// whole number of such runs and starts at a zero: TestValue checks
	// this against the Unicode version Go ships.
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

// Invisible reports whether r is a character that shows nothing yet can
// sit between digits: format characters (Cf: zero-width space and joiners,
// word joiner, BOM, soft hyphen, bidi marks and isolates), control
// characters other than spaces, variation selectors, the other
// default-ignorable code points (Hangul fillers, combining grapheme joiner)
// and the blank Braille pattern.
func Invisible(r rune) bool {
	switch {
	case r == '\u2800':
		return true
	case unicode.Is(unicode.Cc, r):
		return !unicode.IsSpace(r)
	}
	return unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// Fold is the one normaliser for numbers people type. NFKC folds
// full-width and other compatibility forms ("０８０", "＋", "（）", the
// ideographic space); then every decimal digit of any script (Arabic-Indic
// "٠٨٠", Extended Arabic-Indic "۰۸۰", Devanagari "०८०", ...) becomes its
// ASCII digit, which NFKC doesn't do, and [Invisible] characters are
// dropped, so that "0\u200b9\u200b0..." can neither slip a number past a
// mask nor stop a person registering it. Everything else, dashes NFKC
// keeps ("−", "ー") included, is left as it is.
func Fold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch v := Value(r); {
		case v >= 0:
			b.WriteByte(byte('0' + v))
		case Invisible(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
