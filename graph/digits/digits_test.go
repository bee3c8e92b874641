package digits_test

import (
	"fmt"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/mfadesk/mfadesk/graph/digits"
)

func TestValue(t *testing.T) {
	t.Parallel()
	// Value relies on each range of the Nd table spanning whole runs 0..9:
	// a new Unicode version that broke this would fail here.
	for _, rg := range unicode.Nd.R16 {
		if rg.Stride != 1 || (rg.Hi-rg.Lo+1)%10 != 0 {
			t.Errorf("Nd range %U..%U stride %d: not whole runs of ten digits", rg.Lo, rg.Hi, rg.Stride)
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rg.Stride != 1 || (rg.Hi-rg.Lo+1)%10 != 0 {
			t.Errorf("Nd range %U..%U stride %d: not whole runs of ten digits", rg.Lo, rg.Hi, rg.Stride)
		}
	}
	// The zeros of scripts people type numbers in, most of which NFKC
	// leaves alone: ASCII, Arabic-Indic, Extended Arabic-Indic, NKo,
	// Devanagari, Bengali, Tamil, Thai, Tibetan, Myanmar, Khmer, full-width,
	// Osmanya, mathematical bold and monospace.
	zeros := []rune{'0', '\u0660', '\u06F0', '\u07C0', '\u0966', '\u09E6', '\u0BE6', '\u0E50',
		'\u0F20', '\u1040', '\u17E0', '\uFF10', '\U000104A0', '\U0001D7CE', '\U0001D7F6'}
	for _, zero := range zeros {
		for v := range 10 {
			if got := digits.Value(zero + rune(v)); got != v {
				t.Errorf("Value(%U) = %d, want %d", zero+rune(v), got, v)
			}
		}
	}
	// Where NFKC knows a digit's value, it must agree.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !unicode.Is(unicode.Nd, r) {
			if got := digits.Value(r); got != -1 {
				t.Fatalf("Value(%U) = %d for a non-digit, want -1", r, got)
			}
			continue
		}
		if f := norm.NFKC.String(string(r)); len(f) == 1 && f[0] >= '0' && f[0] <= '9' && digits.Value(r) != int(f[0]-'0') {
			t.Errorf("Value(%U) = %d, NFKC says %s", r, digits.Value(r), f)
		}
	}
	for _, r := range []rune{'a', '+', '/', ':', '①', '²', '一', '〇', utf8.RuneError} {
		if got := digits.Value(r); got != -1 {
			t.Errorf("Value(%U) = %d, want -1", r, got)
		}
	}
}

func TestInvisible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    rune
		want bool
	}{
		{"soft hyphen", '\u00AD', true},
		{"combining grapheme joiner", '\u034F', true},
		{"Hangul choseong filler", '\u115F', true},
		{"Mongolian vowel separator", '\u180E', true},
		{"zero-width space", '\u200B', true},
		{"zero-width non-joiner", '\u200C', true},
		{"zero-width joiner", '\u200D', true},
		{"left-to-right mark", '\u200E', true},
		{"right-to-left mark", '\u200F', true},
		{"left-to-right embedding", '\u202A', true},
		{"right-to-left override", '\u202E', true},
		{"word joiner", '\u2060', true},
		{"function application", '\u2061', true},
		{"invisible separator", '\u2063', true},
		{"left-to-right isolate", '\u2066', true},
		{"pop directional isolate", '\u2069', true},
		{"blank Braille pattern", '\u2800', true},
		{"Hangul filler", '\u3164', true},
		{"variation selector 16", '\uFE0F', true},
		{"BOM", '\uFEFF', true},
		{"half-width Hangul filler", '\uFFA0', true},
		{"language tag", '\U000E0001', true},
		{"variation selector 17", '\U000E0100', true},
		{"control", '\x01', true},
		{"escape", '\x1b', true},
		{"delete", '\x7f', true},
		{"C1 control", '\u009b', true},
		{"space", ' ', false},
		{"tab", '\t', false},
		{"newline", '\n', false},
		{"no-break space", '\u00A0', false},
		{"ideographic space", '\u3000', false},
		{"digit", '0', false},
		{"Arabic-Indic digit", '\u0660', false},
		{"plus", '+', false},
		{"hyphen-minus", '-', false},
		{"letter", 'a', false},
		{"kanji", '内', false},
	}
	for _, tc := range tests {
		if got := digits.Invisible(tc.r); got != tc.want {
			t.Errorf("%s: Invisible(%U) = %t, want %t", tc.name, tc.r, got, tc.want)
		}
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"ASCII unchanged", "+81 90-1234-5678", "+81 90-1234-5678"},
		{"full-width", "＋８１　９０（１２３４）５６７８", "+81 90(1234)5678"},
		{"Arabic-Indic", "٠٨٠١٢٣٤٥٦٧٨", "08012345678"},
		{"Extended Arabic-Indic", "۰۸۰۱۲۳۴۵۶۷۸", "08012345678"},
		{"Devanagari", "०८०१२३४५६७८", "08012345678"},
		{"mixed scripts", "٠8०１۲৩4๕6٧𝟖", "08012345678"},
		{"invisible between every digit", "0\u200b8\u200c0\u200d1\u20602\ufeff3\u00ad4\u200e5\u200f6\u202a7\u20668", "08012345678"},
		{"dashes kept for cleanPhoneInput", "090ー1234−5678", "090ー1234−5678"},
		{"words untouched", "内線１２", "内線12"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		if got := digits.Fold(tc.in); got != tc.want {
			t.Errorf("%s: Fold(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func ExampleFold() {
	fmt.Println(digits.Fold("＋８１ ٩٠-١٢٣٤-٥٦٧٨"))
	fmt.Println(digits.Fold("0\u200b9\u200b0"))
	// Output:
	// +81 90-1234-5678
	// 090
}
