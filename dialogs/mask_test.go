package dialogs

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/mfadesk/mfadesk/graph/digits"
)

// maskZeros are the zeros of some digit scripts people type numbers in.
var maskZeros = []struct {
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
}

// maskInvisibles show nothing: each must be ignored between digits.
var maskInvisibles = []rune{
	'\u00AD', '\u034F', '\u115F', '\u180E', '\u200B', '\u200C', '\u200D', '\u200E', '\u200F',
	'\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2060', '\u2061', '\u2063', '\u2066', '\u2067',
	'\u2068', '\u2069', '\u2800', '\u3164', '\uFE0F', '\uFEFF', '\uFFA0', '\U000E0001', '\U000E0100',
	'\x01', '\x1b', '\x7f', '\u0301', '\u20E3',
}

// maskSeparators are what people type between the digits of a number.
var maskSeparators = []string{
	" ", "\u3000", "\u00a0", "\t", "-", "‐", "‑", "‒", "–", "—", "―", "−", "ー", ".", "・",
	"(", ")", "（", "）", "/", "／", "－", "．",
}

// toScript writes the ASCII digits of s in the script whose zero is zero.
func toScript(s string, zero rune) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return zero + r - '0'
		}
		return r
	}, s)
}

// interleave puts sep between every two characters of s.
func interleave(s, sep string) string {
	return strings.Join(strings.Split(s, ""), sep)
}

func TestMaskNumbersUnicode(t *testing.T) {
	t.Parallel()
	type test struct{ name, in, want string }
	var tests []test
	for _, sc := range maskZeros {
		tests = append(tests,
			test{sc.name, "番号は " + toScript("080-1234-5678", sc.zero) + " です", "番号は 080••••5678 です"},
			test{sc.name + ", international", toScript("+81 80 1234 5678", sc.zero), "+818••••5678"},
			test{sc.name + ", code", "code " + toScript("123456", sc.zero), "code ••••••"},
			test{sc.name + ", short number kept", toScript("20", sc.zero) + "秒", norm.NFKC.String(toScript("20", sc.zero)) + "秒"},
		)
	}
	for _, r := range maskInvisibles {
		tests = append(tests,
			test{fmt.Sprintf("%U between every digit", r), "tel " + interleave("08012345678", string(r)), "tel 080••••5678"},
			test{fmt.Sprintf("%U between every character", r), interleave("+81 80-1234-5678", string(r)), "+818••••5678"},
			test{fmt.Sprintf("%U in a code", r), interleave("123456", string(r)), "••••••"},
		)
	}
	for _, sep := range maskSeparators {
		tests = append(tests, test{fmt.Sprintf("separator %q", sep), strings.Join([]string{"080", "1234", "5678"}, sep), "080••••5678"})
	}
	tests = append(tests,
		test{"mixed scripts", "٠8०１۲৩4๕6٧𝟖", "080••••5678"},
		test{"mixed scripts and invisibles", "\u200e٠\u200b8\u2066०\u2060１\u00ad۲\ufeff৩\u200d4\u202e๕6\u200c٧𝟖", "\u200e080••••5678"},
		test{"keycap digits", "0️⃣8️⃣0️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", "080••••5678\ufe0f\u20e3"},
		test{"many separators", "(080) 1234-5678 / 99", "(080••••7899"},
		test{"every kind of separator", "+81 (80)‐1234–5678—99―00−11ー22・33/44.55\u3000\u00a066", "+818••••5566"},
		test{"split by every separator", "0" + strings.Join(maskSeparators, "1") + "1", "011••••1111"},
		test{"Japanese dashes", "０８０ー１２３４ー５６７８", "080••••5678"},
		test{"dots", "080.1234.5678", "080••••5678"},
		test{"slashes", "080/1234/5678", "080••••5678"},
		test{"plus behind an invisible", "+\u200b81 80 1234 5678", "+818••••5678"},

		// Dates, decimals, years and short numbers read as before (or better).
		test{"ISO date", "2026-12-02 から", "2026-12-02 から"},
		test{"date with slashes and time", "2026/12/02 10:30頃", "2026/12/02 10:30頃"},
		test{"month and day with time", "12/2 10:00 から", "12/2 10:00 から"},
		test{"date in another script", "٢٠٢٦/١٢/٠٢", "٢٠٢٦/١٢/٠٢"},
		test{"date then number", "2026/12/02 080 1234 5678", "2026/12/02 080••••5678"},
		test{"number then date", "080 1234 5678 2026/12/02", "080••••5678 2026/12/02"},
		test{"not a date: month 13", "2026/13/02", "202••••1302"},
		test{"not a date: year", "1234/12/02", "123••••1202"},
		test{"not a date: invisible characters don't make one", "2026\u200b12\u200b02", "202••••1202"},
		test{"decimal", "10.25 GB", "10.25 GB"},
		test{"long decimal", "1234.5678", "••••.••••"},
		test{"version", "v1.2.3", "v1.2.3"},
		test{"year", "2026年12月", "••••年12月"},
		test{"time", "10:30", "10:30"},
		test{"no digits", "ゼロ\u200bワン", "ゼロ\u200bワン"},
	)
	for _, tc := range tests {
		if got := MaskNumbers(tc.in); got != tc.want {
			t.Errorf("%s: MaskNumbers(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestIsDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"2026-12-02", true},
		{"2026/12/2", true},
		{"2026.1.31", true},
		{"2026/12", true},
		{"12/2", true},
		{"2/29", true},
		{"1999-12-31", true},
		{"2026/2/30", false},
		{"2026/13/1", false},
		{"2026/0/1", false},
		{"2026-12/02", false},
		{"1899/12/31", false},
		{"2100/1/1", false},
		{"12-2", false},
		{"12.2", false},
		{"123/4/5", false},
		{"2026/123/4", false},
		{"+2026/12/02", false},
		{"20261202", false},
		{"2026/12/02/03", false},
		{"", false},
		{"/", false},
	}
	for _, tc := range tests {
		if got := isDate(tc.in); got != tc.want {
			t.Errorf("isDate(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestMaskNumbersNeverShowsLongNumber is a property test: whatever mix of
// digits of any script, invisible characters, separators and words goes
// in, no number of eight or more digits comes out.
func TestMaskNumbersNeverShowsLongNumber(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var alphabet []string
	for _, sc := range maskZeros {
		for v := range 10 {
			alphabet = append(alphabet, string(sc.zero+rune(v)))
		}
	}
	for _, r := range maskInvisibles {
		alphabet = append(alphabet, string(r))
	}
	alphabet = append(alphabet, maskSeparators...)
	alphabet = append(alphabet, "+", "\n", ":", "a", "番", "年", "①", "2026/12/02", "12/2", "10.5", " 2026-1-1 ")
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(60) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := b.String()
		if out := MaskNumbers(in); longestNumber(out) >= 8 {
			t.Fatalf("MaskNumbers(%q) = %q shows a number of %d digits", in, out, longestNumber(out))
		}
	}
}

func FuzzMaskNumbers(f *testing.F) {
	for _, s := range []string{
		"番号は 090-1234-5678 です", "+81 90 1234 5678", "コードは123456でした", "０８０１２３４５６７８",
		"2階の窓口、20秒", "no numbers here", "", "٠٨٠١٢٣٤٥٦٧٨", "۰۸۰-۱۲۳۴-۵۶۷۸", "०८०१२३४५६७८",
		"0\u200b8\u200b0\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8", "٠8०１۲৩4๕6٧𝟖",
		"\u202e8765-4321-080\u202c", "+\u206681\u2069 90\u00ad1234\u20605678", "080ー1234ー5678",
		"080・1234・5678", "080/1234/5678", "080.1234.5678", "(080)　1234　5678",
		"2026/12/02 10:30", "12/2 080 1234 5678", "2026-12-02 2026-12-03", "10.25", "1234.5678",
		"0️⃣8️⃣0️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", "\xff\xfe", "123\x01456\x0178",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := MaskNumbers(in)
		if n := longestNumber(out); n >= 8 {
			t.Fatalf("MaskNumbers(%q) = %q shows a number of %d digits", in, out, n)
		}
		if again := MaskNumbers(out); longestNumber(again) >= 8 {
			t.Fatalf("MaskNumbers(MaskNumbers(%q)) = %q shows a long number", in, again)
		}
	})
}

// looksLikeDate is a looser check than isDate: a date it accepts may stand
// in the output.
var looksLikeDate = regexp.MustCompile(`^(?:(?:19|20)\d\d[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\d{1,2}/\d{1,2})$`)

// longestNumber is the most decimal digits, of any script, in one number
// in out once invisible characters are dropped. Digits joined by
// separators are one number; a date between spaces is not part of one.
// It is written apart from MaskNumbers so that the two check each other.
func longestNumber(out string) int {
	out = norm.NFKC.String(out)
	var kept []rune
	for _, r := range out {
		if r == '\u2800' || unicode.In(r, unicode.Cf, unicode.Cc, unicode.Mn, unicode.Me, unicode.Other_Default_Ignorable_Code_Point) && !unicode.IsSpace(r) {
			continue
		}
		kept = append(kept, r)
	}
	isSep := func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("-‐‑‒–—―−ー.・()/", r)
	}
	longest := 0
	for i := 0; i < len(kept); {
		if !unicode.Is(unicode.Nd, kept[i]) {
			i++
			continue
		}
		j := i
		for j < len(kept) && (unicode.Is(unicode.Nd, kept[j]) || isSep(kept[j])) {
			j++
		}
		n := 0
		for _, tok := range strings.FieldsFunc(string(kept[i:j]), unicode.IsSpace) {
			folded := strings.Map(func(r rune) rune {
				if v := digits.Value(r); v >= 0 {
					return '0' + rune(v)
				}
				return r
			}, strings.Trim(tok, "-‐‑‒–—―−ー.・()/"))
			if looksLikeDate.MatchString(folded) {
				n = 0
				continue
			}
			for _, r := range tok {
				if unicode.Is(unicode.Nd, r) {
					n++
				}
			}
			longest = max(longest, n)
		}
		i = j
	}
	return longest
}

// TestMaskEmails: an address typed into a reaction's comment is hidden
// whole, full-width or not, digits and all; the words around it and text
// that only has an @ stay.
func TestMaskEmails(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"taro.yamada2024@example.ac.jp に連絡して":     "•••@••• に連絡して",
		"mail me: Jane_Doe+mfa@mail.contoso.com.": "mail me: •••@•••.",
		"連絡先はtaro@大学.jp":                          "連絡先は•••@•••",
		"ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ａｃ．ｊｐ です":            "•••@••• です",
		"@bot please help": "@bot please help",
		"a@b は届かない":        "a@b は届かない",
	} {
		if got := MaskNumbers(maskEmails(in)); got != want {
			t.Errorf("%q masked as %q, want %q", in, got, want)
		}
	}
}
