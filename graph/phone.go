package graph

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"

	"github.com/mfadesk/mfadesk/graph/digits"
)

// LineType is what kind of line a phone number belongs to, as far as the
// numbering plan tells. It decides whether a number can receive SMS: see
// [Phone.CanSMS].
type LineType int

// The line types a parsed [Phone] can have. Numbers of other kinds
// (toll-free, premium rate, shared cost, pagers, forwarding services) are
// rejected by [ParsePhone].
const (
	// LineUnknown is the zero value: the type is not known, so the number is
	// treated as voice-only.
	LineUnknown LineType = iota
	// LineFixed is a landline (Japanese 03-xxxx-xxxx and the like): voice
	// calls only.
	LineFixed
	// LineMobile is a mobile number (Japanese 070/080/090): voice and SMS.
	LineMobile
	// LineMobileOrFixed is a number the plan can't tell apart (most of
	// North America): treated like a mobile.
	LineMobileOrFixed
	// LineVoIP is an IP phone number (Japanese 050): voice calls only.
	LineVoIP
)

// String returns a stable name for logs and metrics.
func (t LineType) String() string {
	switch t {
	case LineFixed:
		return "fixedLine"
	case LineMobile:
		return "mobile"
	case LineMobileOrFixed:
		return "mobileOrFixed"
	case LineVoIP:
		return "voip"
	default:
		return "unknown"
	}
}

// Phone is a phone number normalised for Microsoft Graph. Graph and E164
// are the full number: never log them, log Masked.
type Phone struct {
	// Graph is the number as Graph accepts and stores it:
	// "+{country code} {national significant number}", e.g. "+81 9012345678".
	Graph string
	// E164 is the number in E.164, e.g. "+819012345678"; use it to compare
	// numbers.
	E164 string
	// Masked is safe to show and log, e.g. "+81 90••••5678": see [MaskNumber].
	Masked string
	// Display is the whole number grouped as people read it, e.g.
	// "+81 90-1234-5678"; never log it.
	Display string
	// Line is the kind of line the number belongs to.
	Line LineType
}

// CanSMS reports whether the number can receive SMS codes. Mobile numbers
// can, and so can numbers the numbering plan can't tell from mobiles (North
// America). Landlines can't (seed manual 000: "固定電話の場合は SMS の認証は
// 設定しないでください"). IP phone numbers such as Japanese 050 numbers take
// voice calls, but whether they receive SMS depends on the provider (most
// 050 services don't), so they are treated as voice-only.
func (p Phone) CanSMS() bool {
	return p.Line == LineMobile || p.Line == LineMobileOrFixed
}

// PhoneReason is why [ParsePhone] rejected an input. Its value is a stable
// code, safe to log.
type PhoneReason string

// The reasons an input is not a phone number the bot will register.
const (
	// PhoneEmpty: nothing but spaces was entered.
	PhoneEmpty PhoneReason = "empty"
	// PhoneNotANumber: the input has letters or symbols, or no digits.
	PhoneNotANumber PhoneReason = "not_a_number"
	// PhoneTooShort: too few digits; typically the area code is missing.
	PhoneTooShort PhoneReason = "too_short"
	// PhoneTooLong: too many digits; typically an international number
	// entered without "+".
	PhoneTooLong PhoneReason = "too_long"
	// PhoneInvalidNumber: the right length, but not a number in use in the
	// country's numbering plan.
	PhoneInvalidNumber PhoneReason = "invalid_number"
	// PhonePremiumRate: a premium-rate number (Japanese 0990).
	PhonePremiumRate PhoneReason = "premium_rate"
	// PhoneTollFree: a toll-free number (Japanese 0120, 0800): it rings a
	// call centre, not the person.
	PhoneTollFree PhoneReason = "toll_free"
	// PhoneSharedCost: a shared-cost number (e.g. UK 0845).
	PhoneSharedCost PhoneReason = "shared_cost"
	// PhoneServiceNumber: a number that isn't a person's phone: a universal
	// access number (Japanese 0570 Navi Dial), a pager or M2M number
	// (Japanese 020), a personal forwarding number or voicemail. Forwarding
	// breaks voice verification (seed 003 Q19).
	PhoneServiceNumber PhoneReason = "service_number"
	// PhoneUnknownRegion: no country code was given and the default region
	// is unknown, or the country code doesn't exist.
	PhoneUnknownRegion PhoneReason = "unknown_region"
	// PhoneHasExtension: the input has an extension ("内線", "ext.", "x",
	// "#"). The bot never registers extensions: they stop voice
	// verification from working (seed 003 Q19).
	PhoneHasExtension PhoneReason = "has_extension"
)

// PhoneError is the error [ParsePhone] returns for an input it rejects.
// Error() never contains the input.
type PhoneError struct {
	Reason PhoneReason
	// Input is what the person typed, for the dialog to echo back to them.
	// Never log it: it may be a full phone number.
	Input string `json:"-"`
}

// Error returns the reason code only, never the number.
func (e *PhoneError) Error() string {
	return "graph: phone number rejected: " + string(e.Reason)
}

// GoString keeps %#v from printing Input.
func (e *PhoneError) GoString() string {
	return "&graph.PhoneError{Reason:" + strconv.Quote(string(e.Reason)) + "}"
}

// maxPhoneInput bounds the work done on one input; nobody types a phone
// number this long.
const maxPhoneInput = 200

// ParsePhone reads a phone number as a person types it in chat and returns
// it in the form Graph accepts. defaultRegion (an ISO 3166 code such as
// "JP") is the country of numbers typed without "+" and a country code.
//
// It accepts national forms ("090-1234-5678", "(03) 1234-5678"),
// international forms ("+81 90 1234 5678", "+81-90-1234-5678", also with the
// trunk 0: "+81 090..."), full-width digits, hyphens, parentheses and spaces
// ("０９０−１２３４−５６７８"), digits of any script ("٠٩٠١٢٣٤٥٦٧٨"),
// invisible characters between them (zero-width spaces, bidi marks, soft
// hyphens), dashes such as "ー", and a "tel:" prefix. A national number that
// starts with the default region's country code but no "+" ("81 90 1234
// 5678") is read as international when only that reading is valid
// (libphonenumber's rule); a foreign number without "+" ("1 415 555 2671"
// with region JP) is rejected as too long.
//
// It rejects extensions, letters, toll-free, premium-rate, shared-cost and
// other service numbers; the error is a [*PhoneError].
func ParsePhone(input, defaultRegion string) (Phone, error) {
	fail := func(r PhoneReason) (Phone, error) {
		return Phone{}, &PhoneError{Reason: r, Input: input}
	}
	if len(input) > maxPhoneInput*4 {
		return fail(PhoneTooLong)
	}
	s := cleanPhoneInput(input)
	if s == "" {
		return fail(PhoneEmpty)
	}
	if len(s) > maxPhoneInput {
		return fail(PhoneTooLong)
	}
	if strings.Contains(s, "内線") || hasDigitAfter(s, "内") {
		return fail(PhoneHasExtension)
	}
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	num, err := phonenumbers.Parse(s, region)
	if err == nil && num.GetExtension() != "" {
		return fail(PhoneHasExtension)
	}
	if !onlyPhoneChars(s) {
		return fail(PhoneNotANumber)
	}
	if err != nil {
		switch err {
		case phonenumbers.ErrInvalidCountryCode:
			return fail(PhoneUnknownRegion)
		case phonenumbers.ErrNumTooLong:
			return fail(PhoneTooLong)
		case phonenumbers.ErrTooShortNSN, phonenumbers.ErrTooShortAfterIDD:
			return fail(PhoneTooShort)
		default:
			if strings.ContainsAny(s, "0123456789") {
				return fail(PhoneTooShort)
			}
			return fail(PhoneNotANumber)
		}
	}
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	if !phonenumbers.IsValidNumber(num) {
		return fail(invalidReason(num, nsn))
	}
	var line LineType
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.FIXED_LINE:
		line = LineFixed
	case phonenumbers.MOBILE:
		line = LineMobile
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		line = LineMobileOrFixed
	case phonenumbers.VOIP:
		line = LineVoIP
	case phonenumbers.TOLL_FREE:
		return fail(PhoneTollFree)
	case phonenumbers.PREMIUM_RATE:
		return fail(PhonePremiumRate)
	case phonenumbers.SHARED_COST:
		return fail(PhoneSharedCost)
	case phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL:
		return fail(PhoneServiceNumber)
	default:
		return fail(PhoneInvalidNumber)
	}
	cc := strconv.Itoa(int(num.GetCountryCode()))
	return Phone{
		Graph:   "+" + cc + " " + nsn,
		E164:    "+" + cc + nsn,
		Masked:  maskParts(cc, nsn),
		Display: phonenumbers.Format(num, phonenumbers.INTERNATIONAL),
		Line:    line,
	}, nil
}

// invalidReason tells the person what is most likely wrong with a number
// that parsed but isn't valid: libphonenumber's length check first, then a
// comparison with the lengths of the country's landline and mobile numbers
// (in Japan a local number without its area code, "1234-5678", has a
// possible length but is too short for any real line).
func invalidReason(num *phonenumbers.PhoneNumber, nsn string) PhoneReason {
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return PhoneTooShort
	case phonenumbers.TOO_LONG:
		return PhoneTooLong
	case phonenumbers.INVALID_COUNTRY_CODE:
		return PhoneUnknownRegion
	}
	region := phonenumbers.GetRegionCodeForCountryCode(int(num.GetCountryCode()))
	lo, hi := 0, 0
	for _, t := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
		ex := phonenumbers.GetExampleNumberForType(region, t)
		if ex == nil {
			continue
		}
		n := len(phonenumbers.GetNationalSignificantNumber(ex))
		if lo == 0 || n < lo {
			lo = n
		}
		if n > hi {
			hi = n
		}
	}
	switch {
	case lo > 0 && len(nsn) < lo:
		return PhoneTooShort
	case hi > 0 && len(nsn) > hi:
		return PhoneTooLong
	}
	return PhoneInvalidNumber
}

// cleanPhoneInput folds what people type into what libphonenumber reads:
// [digits.Fold] turns digits of every script, "＋", "（）", "－" and the
// ideographic space into ASCII and drops invisible characters; dashes NFKC
// keeps ("−", "ー", "–") become "-"; runs of whitespace become one space; a
// "tel:" prefix goes.
func cleanPhoneInput(input string) string {
	s := digits.Fold(input)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case isDash(r):
			r = '-'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	out := b.String()
	if len(out) >= 4 && strings.EqualFold(out[:4], "tel:") {
		out = strings.TrimSpace(out[4:])
	}
	return out
}

func isDash(r rune) bool {
	switch r {
	case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', // hyphen … horizontal bar
		'\u2212', // minus sign
		'\u30FC', // katakana prolonged sound mark "ー", typed for a hyphen
		'\uFE58', '\uFE63', '\uFF0D', '\u2043', '\u02D7', '\u2E3A', '\u2E3B':
		return true
	}
	return false
}

// onlyPhoneChars reports whether s holds nothing but digits, the
// punctuation people use in phone numbers, and at most one "+" before the
// first digit. libphonenumber is more lenient (it reads "1-800-FLOWERS" and
// drops trailing junk); a bot that registers sign-in methods should not
// guess.
func onlyPhoneChars(s string) bool {
	digit, plus := false, false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r == '+':
			if plus || digit {
				return false
			}
			plus = true
		case r == ' ', r == '-', r == '(', r == ')', r == '.', r == '/':
		default:
			return false
		}
	}
	return digit
}

// hasDigitAfter reports whether a digit follows the first sep in s: "内 12"
// is an extension even without "線".
func hasDigitAfter(s, sep string) bool {
	_, after, ok := strings.Cut(s, sep)
	return ok && strings.ContainsAny(after, "0123456789")
}

// MaskNumber masks a number stored in Graph's format, "+81 9012345678" →
// "+81 90••••5678", for display and logs. It never fails and never returns
// the whole number: the country code is kept, an extension is dropped, and
// of the rest at least four digits are hidden (the last four are shown when
// there are at least eight digits, the first two when there are at least
// ten); a very short number is hidden entirely. Digits of any script count
// and are shown in ASCII; invisible characters (zero-width spaces, bidi
// marks) are ignored. Odd input is masked as a plain run of digits; input with
// no digits gives "••••", empty input "".
func MaskNumber(graphNumber string) string {
	if len(graphNumber) > maxPhoneInput*4 {
		graphNumber = graphNumber[:maxPhoneInput*4]
	}
	s := strings.TrimSpace(digits.Fold(graphNumber))
	if s == "" {
		return ""
	}
	// Drop an extension ("x123", ";ext=123", "#123") so its digits are not
	// taken for the end of the number.
	if i := strings.IndexAny(s, "xX;#"); i >= 0 {
		s = s[:i]
	}
	if strings.HasPrefix(s, "+") {
		rest := s[1:]
		end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if end < 0 && len(rest) <= 3 {
			end = len(rest) // a country code alone
		}
		if end >= 1 && end <= 3 {
			return maskParts(rest[:end], digitsOnly(rest[end:]))
		}
		if num, err := phonenumbers.Parse(s, ""); err == nil {
			return maskParts(strconv.Itoa(int(num.GetCountryCode())), phonenumbers.GetNationalSignificantNumber(num))
		}
	}
	return maskParts("", digitsOnly(s))
}

// maskParts masks a national significant number after its country code;
// see [MaskNumber] for how much it shows.
func maskParts(cc, nsn string) string {
	n := len(nsn)
	tail := min(4, max(0, n-4))
	head := min(2, max(0, n-4-tail))
	var b strings.Builder
	if cc != "" {
		b.WriteString("+" + cc + " ")
	}
	b.WriteString(nsn[:head])
	b.WriteString("••••")
	b.WriteString(nsn[n-tail:])
	return b.String()
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// PhoneReasons lists every reason a number is refused, so that a test can
// check each has words (package cards).
var PhoneReasons = []PhoneReason{
	PhoneEmpty, PhoneNotANumber, PhoneTooShort, PhoneTooLong, PhoneInvalidNumber,
	PhonePremiumRate, PhoneTollFree, PhoneSharedCost, PhoneServiceNumber,
	PhoneUnknownRegion, PhoneHasExtension,
}
