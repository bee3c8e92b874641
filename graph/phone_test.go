package graph

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/mfadesk/mfadesk/graph/digits"
)

var acceptedPhones = []struct {
	name   string
	in     string
	region string
	graph  string
	masked string
	line   LineType
}{
	// Japanese mobiles, every way people type them.
	{"hyphens", "090-1234-5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"digits only", "09012345678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"spaces", "090 1234 5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"dots", "090.1234.5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"parentheses", "(090) 1234-5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"international spaces", "+81 90 1234 5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"international hyphens", "+81-90-1234-5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"international with trunk 0", "+81 090 1234 5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"country code in parentheses", "(+81) 90-1234-5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"E.164", "+819012345678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"Graph form", "+81 9012345678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"country code without plus", "81 90 1234 5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"country code without plus, digits", "819012345678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"tel URI", "tel:+81-90-1234-5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"leading and trailing spaces", "   090-1234-5678  ", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"tabs and newlines", "\t090 1234\n5678\n", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"full-width digits, minus sign", "０９０−１２３４−５６７８", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"full-width hyphen-minus", "０９０－１２３４－５６７８", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"katakana long vowel as hyphen", "０９０ー１２３４ー５６７８", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"half-width katakana long vowel", "090ｰ1234ｰ5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"en dash", "090–1234–5678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"full-width plus and ideographic spaces", "　＋８１　９０　１２３４　５６７８　", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"no-break spaces", "090\u00a01234\u00a05678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"080", "080-1234-5678", "JP", "+81 8012345678", "+81 80••••5678", LineMobile},
	{"070", "070-1234-5678", "JP", "+81 7012345678", "+81 70••••5678", LineMobile},
	{"lower-case region", "090-1234-5678", "jp", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"no region, international", "+81 90 1234 5678", "", "+81 9012345678", "+81 90••••5678", LineMobile},

	// Other digit scripts and invisible characters: see [digits.Fold].
	{"Arabic-Indic digits", "٠٩٠١٢٣٤٥٦٧٨", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"Extended Arabic-Indic digits", "۰۹۰-۱۲۳۴-۵۶۷۸", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"Devanagari digits", "०९० १२३४ ५६७८", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"Bengali digits, international", "+৮১ ৯০ ১২৩৪ ৫৬৭৮", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"mathematical digits", "𝟎𝟗𝟎-𝟏𝟐𝟑𝟒-𝟓𝟔𝟕𝟖", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"mixed scripts", "٠9०-１۲৩4-๕6٧𝟖", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"zero-width space between every digit", "0\u200b9\u200b0\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"bidi marks and isolates", "\u2066\u200e+81\u200f 90\u202a-1234\u202c-5678\u2069", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},
	{"soft hyphen, word joiner, BOM", "\ufeff090\u00ad1234\u20605678", "JP", "+81 9012345678", "+81 90••••5678", LineMobile},

	// Japanese landlines and IP phones: voice only.
	{"Tokyo landline", "(03) 1234-5678", "JP", "+81 312345678", "+81 3••••5678", LineFixed},
	{"Tokyo landline hyphens", "03-1234-5678", "JP", "+81 312345678", "+81 3••••5678", LineFixed},
	{"Tokyo landline full-width", "（０３）１２３４－５６７８", "JP", "+81 312345678", "+81 3••••5678", LineFixed},
	{"Osaka landline", "06-1234-5678", "JP", "+81 612345678", "+81 6••••5678", LineFixed},
	{"four-digit area code", "0467-12-3456", "JP", "+81 467123456", "+81 4••••3456", LineFixed},
	{"landline international", "+81 3 1234 5678", "JP", "+81 312345678", "+81 3••••5678", LineFixed},
	{"050 IP phone", "050-1234-5678", "JP", "+81 5012345678", "+81 50••••5678", LineVoIP},

	// Abroad.
	{"US", "+1 415 555 2671", "JP", "+1 4155552671", "+1 41••••2671", LineMobileOrFixed},
	{"US with parentheses", "+1 (415) 555-2671", "JP", "+1 4155552671", "+1 41••••2671", LineMobileOrFixed},
	{"US dialled from Japan (010)", "010 1 415 555 2671", "JP", "+1 4155552671", "+1 41••••2671", LineMobileOrFixed},
	{"US national, region US", "(415) 555-2671", "US", "+1 4155552671", "+1 41••••2671", LineMobileOrFixed},
	{"UK mobile", "+44 7911 123456", "JP", "+44 7911123456", "+44 79••••3456", LineMobile},
	{"UK landline", "+44 20 7123 4567", "JP", "+44 2071234567", "+44 20••••4567", LineFixed},
	{"Italy keeps its leading zero", "+39 06 1234 5678", "JP", "+39 0612345678", "+39 06••••5678", LineFixed},
	{"France mobile, 9 digits", "+33 6 12 34 56 78", "JP", "+33 612345678", "+33 6••••5678", LineMobile},
	{"Singapore mobile, 8 digits", "+65 8123 4567", "JP", "+65 81234567", "+65 ••••4567", LineMobile},
}

func TestParsePhoneAccepts(t *testing.T) {
	t.Parallel()
	for _, tc := range acceptedPhones {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePhone(tc.in, tc.region)
			if err != nil {
				t.Fatalf("ParsePhone(%q, %q): %v", tc.in, tc.region, err)
			}
			if p.Graph != tc.graph {
				t.Errorf("Graph = %q, want %q", p.Graph, tc.graph)
			}
			if want := strings.Replace(tc.graph, " ", "", 1); p.E164 != want {
				t.Errorf("E164 = %q, want %q", p.E164, want)
			}
			if p.Masked != tc.masked {
				t.Errorf("Masked = %q, want %q", p.Masked, tc.masked)
			}
			if p.Line != tc.line {
				t.Errorf("Line = %v, want %v", p.Line, tc.line)
			}
			if got := MaskNumber(p.Graph); got != p.Masked {
				t.Errorf("MaskNumber(Graph) = %q, want Masked %q", got, p.Masked)
			}
			checkMasked(t, p.Masked, p.Graph)
			// The Graph form is a fixed point: reading it again changes nothing.
			again, err := ParsePhone(p.Graph, "")
			if err != nil || again != p {
				t.Errorf("ParsePhone(Graph) = %+v, %v; want %+v", again, err, p)
			}
		})
	}
}

func TestParsePhoneRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		region string
		want   PhoneReason
	}{
		{"empty", "", "JP", PhoneEmpty},
		{"spaces", "   ", "JP", PhoneEmpty},
		{"ideographic space", "\u3000", "JP", PhoneEmpty},
		{"letters", "abc", "JP", PhoneNotANumber},
		{"vanity number", "1-800-FLOWERS", "US", PhoneNotANumber},
		{"trailing junk", "090-1234-5678!!", "JP", PhoneNotANumber},
		{"sentence", "090-1234-5678です", "JP", PhoneNotANumber},
		{"email address", "taro@example.com", "JP", PhoneNotANumber},
		{"hyphen", "-", "JP", PhoneNotANumber},
		{"plus", "+", "JP", PhoneNotANumber},
		{"two plus signs", "+81+90", "JP", PhoneNotANumber},
		{"doubled plus", "++81 90 1234 5678", "JP", PhoneNotANumber},
		{"one digit", "1", "JP", PhoneTooShort},
		{"emergency number", "110", "JP", PhoneTooShort},
		{"no area code", "1234-5678", "JP", PhoneTooShort},
		{"digit missing", "03-1234-567", "JP", PhoneTooShort},
		{"US digit missing", "+1 415 555 267", "JP", PhoneTooShort},
		{"digit too many", "090-1234-56789", "JP", PhoneTooLong},
		{"US number without plus", "1 415 555 2671", "JP", PhoneTooLong},
		{"Japan via 0081", "0081 90 1234 5678", "JP", PhoneTooLong},
		{"thirty digits", strings.Repeat("1234567890", 3), "JP", PhoneTooLong},
		{"huge input", strings.Repeat("9", 5000), "JP", PhoneTooLong},
		{"unused mobile range", "090-0234-5678", "JP", PhoneInvalidNumber},
		{"unused area code", "+81 4 1234 5678", "JP", PhoneInvalidNumber},
		{"US area code 1xx", "+1 123 456 7890", "JP", PhoneInvalidNumber},
		{"0120", "0120-123-456", "JP", PhoneTollFree},
		{"0800", "0800-123-4567", "JP", PhoneTollFree},
		{"US toll-free", "+1 800 555 1234", "JP", PhoneTollFree},
		{"international freephone", "+800 1234 5678", "JP", PhoneTollFree},
		{"0990", "0990-123-456", "JP", PhonePremiumRate},
		{"US 900", "+1 900 555 1234", "JP", PhonePremiumRate},
		{"France shared cost", "+33 884 01 23 45", "JP", PhoneSharedCost},
		{"Navi Dial 0570", "0570-123-456", "JP", PhoneServiceNumber},
		{"020 pager/M2M", "020-1234-5678", "JP", PhoneServiceNumber},
		{"UK personal forwarding", "+44 70 1234 5678", "JP", PhoneServiceNumber},
		{"no such country code", "+999 1234 5678", "JP", PhoneUnknownRegion},
		{"national number, no region", "090-1234-5678", "", PhoneUnknownRegion},
		{"national number, bad region", "090-1234-5678", "XX", PhoneUnknownRegion},
		{"ext.", "03-1234-5678 ext. 12", "JP", PhoneHasExtension},
		{"x", "03-1234-5678 x12", "JP", PhoneHasExtension},
		{"hash", "03-1234-5678#12", "JP", PhoneHasExtension},
		{"RFC 3966 ext", "+81-3-1234-5678;ext=12", "JP", PhoneHasExtension},
		{"Graph form with extension", "+81 312345678x12", "JP", PhoneHasExtension},
		{"内線", "03-1234-5678 内線12", "JP", PhoneHasExtension},
		{"内線 in full-width parentheses", "03-1234-5678（内線１２）", "JP", PhoneHasExtension},
		{"内 alone", "03-1234-5678 内12", "JP", PhoneHasExtension},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePhone(tc.in, tc.region)
			var pe *PhoneError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePhone(%q, %q) = %+v, %v; want a *PhoneError", tc.in, tc.region, p, err)
			}
			if pe.Reason != tc.want {
				t.Errorf("reason = %q, want %q", pe.Reason, tc.want)
			}
			if pe.Input != tc.in {
				t.Errorf("Input = %q, want the input", pe.Input)
			}
			if p != (Phone{}) {
				t.Errorf("Phone = %+v, want zero", p)
			}
			checkErrorText(t, err)
		})
	}
}

func TestPhoneCanSMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line LineType
		want bool
	}{
		{LineUnknown, false},
		{LineFixed, false},
		{LineMobile, true},
		{LineMobileOrFixed, true},
		{LineVoIP, false},
	}
	for _, tc := range tests {
		if got := (Phone{Line: tc.line}).CanSMS(); got != tc.want {
			t.Errorf("Phone{Line: %v}.CanSMS() = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestPhoneLineTypeString(t *testing.T) {
	t.Parallel()
	seen := map[string]LineType{}
	for _, l := range []LineType{LineUnknown, LineFixed, LineMobile, LineMobileOrFixed, LineVoIP} {
		s := l.String()
		if prev, ok := seen[s]; ok {
			t.Errorf("%d and %d both print as %q", prev, l, s)
		}
		seen[s] = l
	}
	if got := LineType(99).String(); got != "unknown" {
		t.Errorf("LineType(99).String() = %q, want %q", got, "unknown")
	}
}

func TestPhoneErrorHidesInput(t *testing.T) {
	t.Parallel()
	err := &PhoneError{Reason: PhoneHasExtension, Input: "03-1234-5678 内線12"}
	for _, s := range []string{err.Error(), err.GoString(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%s", err)} {
		if strings.Contains(s, "1234") || strings.Contains(s, "5678") {
			t.Errorf("formatted error %q shows the number", s)
		}
	}
	if !strings.Contains(err.Error(), string(PhoneHasExtension)) {
		t.Errorf("Error() = %q, want the reason code in it", err.Error())
	}
}

func TestMaskNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"+81 9012345678", "+81 90••••5678"},
		{"+81 312345678", "+81 3••••5678"},
		{"+1 4155552671", "+1 41••••2671"},
		{"+44 7911123456", "+44 79••••3456"},
		{"+65 81234567", "+65 ••••4567"},
		{"+81 9012345678x123", "+81 90••••5678"},
		{"+81 312345678X9999", "+81 3••••5678"},
		{"+81 312345678;ext=9999", "+81 3••••5678"},
		{"+81 312345678#9999", "+81 3••••5678"},
		{"+819012345678", "+81 90••••5678"},
		{"+81-90-1234-5678", "+81 90••••5678"},
		{"+81 09012345678", "+81 09••••5678"},
		{" +81 9012345678 ", "+81 90••••5678"},
		{"＋８１ ９０１２３４５６７８", "+81 90••••5678"},
		{"+81 901234567890123", "+81 90••••0123"},
		{"+81 12345678", "+81 ••••5678"},
		{"+81 1234567", "+81 ••••567"},
		{"+81 12345", "+81 ••••5"},
		{"+81 1234", "+81 ••••"},
		{"+81 1", "+81 ••••"},
		{"+81", "+81 ••••"},
		{"+81 ", "+81 ••••"},
		{"09012345678", "09••••5678"},
		{"9012345678", "90••••5678"},
		{"12", "••••"},
		{"garbage", "••••"},
		{"+", "••••"},
		{"", ""},
		{"   ", ""},
	}
	for _, tc := range tests {
		if got := MaskNumber(tc.in); got != tc.want {
			t.Errorf("MaskNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
		checkMasked(t, MaskNumber(tc.in), tc.in)
	}
}

// checkMasked asserts that masked, the mask of number, shows at most the
// country code, two leading and four trailing digits, hides at least four
// digits, and never the whole number.
func checkMasked(t *testing.T, masked, number string) {
	t.Helper()
	if masked == "" {
		if strings.TrimSpace(number) != "" {
			t.Errorf("mask of a non-empty input is empty")
		}
		return
	}
	if strings.Count(masked, "•") != 4 {
		t.Errorf("mask %q: want exactly 4 bullets", masked)
	}
	rest := masked
	if strings.HasPrefix(masked, "+") {
		_, r, ok := strings.Cut(masked, " ")
		if !ok {
			t.Errorf("mask %q: country code without a space", masked)
			return
		}
		rest = r
	}
	head, tail, _ := strings.Cut(rest, "••••")
	if len(head) > 2 || len(tail) > 4 || strings.Trim(head+tail, "0123456789") != "" {
		t.Errorf("mask %q shows more than 2 leading and 4 trailing digits", masked)
	}
	nsn := digitsOnly(number)
	if cc, _, ok := strings.Cut(masked, " "); ok && strings.HasPrefix(masked, "+") {
		nsn = strings.TrimPrefix(nsn, strings.TrimPrefix(cc, "+"))
	}
	if shown := len(head) + len(tail); len(nsn) > 0 && shown > max(0, len(nsn)-4) {
		t.Errorf("mask %q of a %d-digit number shows %d digits, want at least 4 hidden", masked, len(nsn), shown)
	}
	if len(nsn) >= 4 && strings.Contains(strings.ReplaceAll(masked, "•", ""), nsn) {
		t.Errorf("mask %q contains the whole number", masked)
	}
}

// checkErrorText asserts an error says nothing about the number: no
// digits at all.
func checkErrorText(t *testing.T, err error) {
	t.Helper()
	if strings.ContainsAny(err.Error(), "0123456789０１２３４５６７８９") {
		t.Errorf("error text %q contains digits", err.Error())
	}
}

var graphForm = regexp.MustCompile(`^\+[1-9][0-9]{0,2} [0-9]{2,17}$`)

func FuzzParsePhone(f *testing.F) {
	for _, tc := range acceptedPhones {
		f.Add(tc.in, tc.region)
	}
	for _, s := range []string{
		"", " ", "abc", "+", "++81 90", "1", "110", "1234-5678", "090-1234-56789",
		"0120-123-456", "0570-123-456", "03-1234-5678 内線12", "03-1234-5678 x12",
		"+81 312345678;ext=12", "+999 1234 5678", "tel:", "tel:+", "内", "内線",
		"\x00\xff", "０", "((((((((", "+81 " + strings.Repeat("9", 40),
	} {
		f.Add(s, "JP")
	}
	f.Add("+1 415 555 2671", "")
	f.Add("090-1234-5678", "XX")
	f.Fuzz(func(t *testing.T, in, region string) {
		p, err := ParsePhone(in, region)
		if err != nil {
			var pe *PhoneError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v, want *PhoneError", err, err)
			}
			if !slices.Contains(PhoneReasons, pe.Reason) {
				t.Fatalf("reason %q is not one of PhoneReasons, so it has no words", pe.Reason)
			}
			checkErrorText(t, err)
			if p != (Phone{}) {
				t.Fatalf("non-zero Phone with an error")
			}
			return
		}
		if !graphForm.MatchString(p.Graph) {
			t.Fatalf("Graph %q is not in Graph's format", p.Graph)
		}
		if p.E164 != strings.Replace(p.Graph, " ", "", 1) {
			t.Fatalf("E164 %q doesn't match Graph %q", p.E164, p.Graph)
		}
		_, nsn, _ := strings.Cut(p.Graph, " ")
		if strings.Contains(strings.ReplaceAll(p.Masked, "•", ""), nsn) {
			t.Fatalf("Masked %q contains the national number", p.Masked)
		}
		checkMasked(t, p.Masked, p.Graph)
		if p.Masked != MaskNumber(p.Graph) {
			t.Fatalf("Masked %q, MaskNumber(Graph) %q", p.Masked, MaskNumber(p.Graph))
		}
		switch p.Line {
		case LineFixed, LineMobile, LineMobileOrFixed, LineVoIP:
		default:
			t.Fatalf("Line %v for an accepted number", p.Line)
		}
		if again, err := ParsePhone(p.Graph, ""); err != nil || again != p {
			t.Fatalf("ParsePhone(Graph) = %+v, %v; want %+v", again, err, p)
		}
	})
}

func FuzzMaskNumber(f *testing.F) {
	for _, s := range []string{
		"+81 9012345678", "+81 9012345678x123", "+819012345678", "", "+", "+81",
		"09012345678", "garbage", "+12345 678", "＋８１ ９０１２３４５６７８", "\xff",
		"+٨١ ٩٠١٢٣٤٥٦٧٨", "+۸۱ ۹۰۱۲۳۴۵۶۷۸", "+८१ ९०१२३४५६७८", "٠٩٠١٢٣٤٥٦٧٨",
		"+\u200b8\u200b1 9\u200b0\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8",
		"\u202e+81 9012345678\u202c", "+81\u00ad9012345678", "+٨1 ９0१2３4۵6७8",
		"+81 ٩٠١٢٣٤٥٦٧٨x١٢٣", "+\ufeff\ufeff", "\u2066\u2069",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m := MaskNumber(in)
		if !utf8.ValidString(m) {
			t.Fatalf("MaskNumber(%q) = %q: invalid UTF-8", in, m)
		}
		if n := longestDigitRun(m); n >= 8 {
			t.Fatalf("MaskNumber(%q) = %q shows a run of %d digits", in, m, n)
		}
		if m == "" {
			return
		}
		if strings.Count(m, "•") != 4 {
			t.Fatalf("MaskNumber(%q) = %q: want 4 bullets", in, m)
		}
		rest := m
		if strings.HasPrefix(m, "+") {
			cc, r, ok := strings.Cut(m[1:], " ")
			if !ok || len(cc) < 1 || len(cc) > 3 || strings.Trim(cc, "0123456789") != "" {
				t.Fatalf("MaskNumber(%q) = %q: bad country code", in, m)
			}
			rest = r
		}
		head, tail, _ := strings.Cut(rest, "••••")
		if len(head) > 2 || len(tail) > 4 || strings.Trim(head+tail, "0123456789") != "" {
			t.Fatalf("MaskNumber(%q) = %q shows too much", in, m)
		}
	})
}

// inScript writes the ASCII digits of s in the script whose zero is zero.
func inScript(s string, zero rune) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return zero + r - '0'
		}
		return r
	}, s)
}

// digitZeros are the zeros of some digit scripts people type numbers in.
var digitZeros = []struct {
	name string
	zero rune
}{
	{"ASCII", '0'},
	{"Arabic-Indic", '\u0660'},
	{"Extended Arabic-Indic", '\u06F0'},
	{"NKo", '\u07C0'},
	{"Devanagari", '\u0966'},
	{"Bengali", '\u09E6'},
	{"Tamil", '\u0BE6'},
	{"Thai", '\u0E50'},
	{"Tibetan", '\u0F20'},
	{"Myanmar", '\u1040'},
	{"Khmer", '\u17E0'},
	{"Full-width", '\uFF10'},
	{"Osmanya", '\U000104A0'},
	{"Mathematical bold", '\U0001D7CE'},
	{"Mathematical monospace", '\U0001D7F6'},
}

// invisibles are characters that show nothing: each must be ignored
// between digits.
var invisibles = []rune{
	'\u00AD', '\u034F', '\u115F', '\u180E', '\u200B', '\u200C', '\u200D', '\u200E', '\u200F',
	'\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2060', '\u2061', '\u2063', '\u2066', '\u2067',
	'\u2068', '\u2069', '\u2800', '\u3164', '\uFE0F', '\uFEFF', '\uFFA0', '\U000E0001', '\U000E0100',
	'\x01', '\x1b', '\x7f', '\u009b',
}

func TestMaskNumberScriptsAndInvisibles(t *testing.T) {
	t.Parallel()
	type test struct{ name, in, want string }
	var tests []test
	for _, sc := range digitZeros {
		tests = append(tests,
			test{sc.name, inScript("+81 9012345678", sc.zero), "+81 90••••5678"},
			test{sc.name + ", no country code", inScript("09012345678", sc.zero), "09••••5678"},
			test{sc.name + ", extension", inScript("+81 312345678x99", sc.zero), "+81 3••••5678"},
		)
	}
	for _, r := range invisibles {
		between := func(s string) string { return strings.Join(strings.Split(s, ""), string(r)) }
		tests = append(tests,
			test{fmt.Sprintf("%U between every character", r), between("+81 9012345678"), "+81 90••••5678"},
			test{fmt.Sprintf("%U around", r), string(r) + "+81 9012345678" + string(r), "+81 90••••5678"},
		)
	}
	tests = append(tests,
		test{"mixed scripts", "+٨1 ９0१2３4۵6७8", "+81 90••••5678"},
		test{"mixed scripts and invisibles", "+\u200e٨\u200b1 \u2066９\u20600१\u00ad2３\ufeff4۵\u200d6७\u202e8", "+81 90••••5678"},
		test{"many separators", "+81 (90)—1234・5678", "+81 90••••5678"},
		test{"separators, other scripts", "+٨١ (٩٠)ー١٢٣٤.٥٦٧٨", "+81 90••••5678"},
		test{"only invisibles", "\u200b\u200b", ""},
	)
	for _, tc := range tests {
		got := MaskNumber(tc.in)
		if got != tc.want {
			t.Errorf("%s: MaskNumber(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
		checkMasked(t, got, digits.Fold(tc.in))
	}
}

func TestParsePhoneInvisibleBetweenEveryDigit(t *testing.T) {
	t.Parallel()
	for _, r := range invisibles {
		for _, sc := range digitZeros {
			in := strings.Join(strings.Split(inScript("090-1234-5678", sc.zero), ""), string(r))
			p, err := ParsePhone(in, "JP")
			if err != nil || p.Graph != "+81 9012345678" || p.Masked != "+81 90••••5678" {
				t.Errorf("%U, %s: ParsePhone(%q) = %+v, %v; want +81 9012345678", r, sc.name, in, p, err)
			}
		}
	}
}

// TestMaskNumberNeverShowsLongRun is a property test: whatever mix of
// digits of any script, invisible characters and separators goes in, the
// mask has no run of eight or more digits once invisible characters are
// removed, and shows ASCII digits only.
func TestMaskNumberNeverShowsLongRun(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	var alphabet []string
	for _, sc := range digitZeros {
		for v := range 10 {
			alphabet = append(alphabet, string(sc.zero+rune(v)))
		}
	}
	for _, r := range invisibles {
		alphabet = append(alphabet, string(r))
	}
	alphabet = append(alphabet, "+", " ", "\u3000", "\u00a0", "-", "‐", "—", "―", "−", "ー", ".", "(", ")", "（", "）", "/", "x", "#", ";ext=", "a", "内")
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(40) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := b.String()
		m := MaskNumber(in)
		if n := longestDigitRun(m); n >= 8 {
			t.Fatalf("MaskNumber(%q) = %q shows a run of %d digits", in, m, n)
		}
		if strings.ContainsFunc(m, func(r rune) bool { return unicode.Is(unicode.Nd, r) && (r < '0' || r > '9') }) {
			t.Fatalf("MaskNumber(%q) = %q shows non-ASCII digits", in, m)
		}
		checkMasked(t, m, digits.Fold(in))
	}
}

// longestDigitRun is the most decimal digits of any script that stand
// together in s once invisible characters are dropped.
func longestDigitRun(s string) int {
	longest, n := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Nd, r):
			n++
			longest = max(longest, n)
		case unicode.In(r, unicode.Cf, unicode.Cc, unicode.Mn, unicode.Me, unicode.Other_Default_Ignorable_Code_Point):
		default:
			n = 0
		}
	}
	return longest
}
