package faq

import (
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
	"golang.org/x/text/unicode/norm"
)

// normalize folds the ways one text can be typed into one form: NFKC (full
// width to half width, half-width kana to full), lower case, and concept
// words to a shared marker so that ショートメール, すまほ, テキスト and SMS
// count as the same thing in either language. Katakana stays katakana here,
// for the morphological analyser; features fold it to hiragana later.
func normalize(s string) string {
	return concepts.Replace(strings.ToLower(norm.NFKC.String(s)))
}

// synonyms maps concept markers to the surface forms people use for them.
// Forms are written as typed; they are normalised (width, case, kana) when
// the replacer is built. Longer forms win over shorter ones.
var synonyms = map[string][]string{
	"sms": {"sms", "ショートメール", "ショートメッセージ", "ショートメッセージサービス", "エスエムエス", "テキストメッセージ",
		"text message", "text messages", "texts", "texted", "sns", "smsメッセージ", "メッセージ"},
	"phone": {"スマートフォン", "スマホ", "携帯電話", "携帯", "ケータイ", "ケイタイ", "ガラホ", "iphone", "アイフォン",
		"アイフォーン", "android", "アンドロイド", "smartphone", "smart phone", "mobile phone", "cellphone", "cell phone",
		"mobile", "cell", "handset", "phone"},
	"authenticator": {"microsoft authenticator", "ms authenticator", "authenticator app", "authenticator", "オーセンティケーター",
		"オーセンティケータ", "オーセンティケイター", "認証アプリ", "認証用アプリ", "authアプリ", "auth app", "2faアプリ"},
	"abroad": {"海外出張", "海外旅行", "海外渡航", "海外赴任", "海外留学", "海外", "国外", "外国", "留学先", "渡航", "ローミング",
		"abroad", "overseas", "roaming", "travelling", "traveling", "travel", "trip", "foreign country"},
	"mfa": {"多要素認証", "多要素", "二要素認証", "2要素認証", "二段階認証", "2段階認証", "二段階", "2段階", "2fa", "mfa",
		"multi-factor authentication", "multifactor authentication", "multi factor authentication", "two-factor authentication",
		"two factor authentication", "two-step verification", "2-step verification", "multi-factor", "two-factor"},
	"code": {"ワンタイムパスワード", "ワンタイムパス", "ワンタイム", "確認コード", "認証コード", "認証番号", "セキュリティコード", "コード", "otp",
		"one-time password", "one time password", "passcode", "verification code", "security code", "code", "codes"},
	"signin":   {"サインイン", "ログイン", "ログオン", "sign-in", "sign in", "signin", "signing in", "log in", "login", "logging in", "log on", "logon"},
	"call":     {"音声通話", "音声電話", "音声認証", "電話認証", "音声", "通話", "voice call", "phone call", "voice", "call", "calls", "calling"},
	"landline": {"固定電話", "家電", "家の電話", "自宅の電話", "landline", "land line", "home phone"},
	"office":   {"職場の電話", "会社の電話", "会社電話", "内線電話", "研究室の電話", "office phone", "work phone", "desk phone"},
	"pc":       {"パソコン", "pc", "ノートpc", "computer", "laptop", "desktop"},
	"password": {"パスワード", "パスワ", "pw", "password", "passwd"},
	"change-device": {"機種変更", "機種変", "きしゅへん", "機変", "端末変更", "スマホを替え", "スマホを変え", "買い替え", "買い換え", "買替",
		"new phone", "new device", "switch phones", "switching phones", "upgrade my phone", "replace my phone", "replacing my phone"},
	"mail":     {"outlook", "アウトルック", "メールアプリ", "メールソフト", "メーラー", "mail app", "email app", "mail client", "メール", "email", "e-mail", "mail"},
	"register": {"登録", "設定", "セットアップ", "set up", "setup", "register", "registering", "registration", "enroll", "enrol"},
}

// concepts replaces the Japanese forms of concepts anywhere in the text
// (Japanese has no spaces to respect); englishConcepts maps English forms,
// matched only as whole words so that "cell" does not fire inside "cancel".
var concepts, englishConcepts, longestEnglish = buildConcepts()

func buildConcepts() (*strings.Replacer, map[string]string, int) {
	type pair struct{ from, to string }
	var pairs []pair
	english := map[string]string{}
	longest := 1
	for concept, forms := range synonyms {
		for _, f := range forms {
			f = strings.ToLower(norm.NFKC.String(f))
			if isASCII(f) {
				words := strings.Fields(strings.NewReplacer("-", " ").Replace(f))
				english[strings.Join(words, " ")] = concept
				longest = max(longest, len(words))
				continue
			}
			// As written and in hiragana: people type すまほ too.
			pairs = append(pairs, pair{f, " @" + concept + " "})
			if h := kanaFold(f); h != f {
				pairs = append(pairs, pair{h, " @" + concept + " "})
			}
		}
	}
	// strings.Replacer tries patterns in argument order at each position:
	// longer first, so "携帯電話" wins over "携帯".
	sort.Slice(pairs, func(i, j int) bool {
		if len(pairs[i].from) != len(pairs[j].from) {
			return len(pairs[i].from) > len(pairs[j].from)
		}
		return pairs[i].from < pairs[j].from
	})
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.from, p.to)
	}
	return strings.NewReplacer(args...), english, longest
}

func kanaFold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 'ァ' && r <= 'ヶ' { // katakana → hiragana, same offsets
			r -= 'ァ' - 'ぁ'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// feature weights by kind: concepts carry meaning in both languages; word
// features are precise; character n-grams catch Japanese and typos.
const (
	wMorph    = 1.0
	wConcept  = 1.2
	wWord     = 1.0
	wBigram   = 0.5
	wJapanese = 0.3
	wKanaOnly = 0.3  // grammar (が, を, ない) more than meaning
	wCharGram = 0.25 // English character trigrams, for typos
)

// token is a piece of normalised text: an English word, a run of Japanese,
// or a concept marker ("@sms").
type token struct {
	text     string
	japanese bool
}

// tokenize splits normalised text into tokens and turns English concept
// phrases ("text message", "sign in") into their markers.
func tokenize(s string) []token {
	var toks []token
	var cur []rune
	curJ := false
	flush := func() {
		if len(cur) > 0 {
			toks = append(toks, token{string(cur), curJ})
			cur = cur[:0]
		}
	}
	for _, r := range s {
		j := isJapanese(r)
		word := r == '@' || r == '\'' || r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
		switch {
		case j:
			if !curJ {
				flush()
			}
			curJ = true
			cur = append(cur, r)
		case word:
			if curJ {
				flush()
			}
			curJ = false
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	// English phrases: longest match first, over consecutive words.
	out := toks[:0:0]
	for i := 0; i < len(toks); {
		matched := false
		for n := min(longestEnglish, len(toks)-i); n >= 1 && !matched; n-- {
			words := make([]string, 0, n)
			for _, t := range toks[i : i+n] {
				if t.japanese {
					break
				}
				words = append(words, t.text)
			}
			if len(words) < n {
				continue
			}
			if c, ok := englishConcepts[strings.Join(words, " ")]; ok {
				out = append(out, token{text: "@" + c})
				i += n
				matched = true
			}
		}
		if !matched {
			out = append(out, toks[i])
			i++
		}
	}
	return out
}

// features splits text into weighted features. Besides single words,
// concepts and n-grams, consecutive content units (words, concepts, Japanese
// content morphemes, negation) form pairs across both languages, so that
// "スマホを忘れた" (@phone 忘れる) is told apart from "パスワードを忘れた"
// (@password 忘れる) by more than one word.
func features(text string) map[string]float64 {
	f := make(map[string]float64)
	add := func(k string, w float64) { f[k] += w }
	prev := ""
	unit := func(u string) {
		if prev != "" {
			add("b:"+prev+"_"+u, wBigram)
		}
		prev = u
	}
	for _, t := range tokenize(normalize(text)) {
		switch {
		case strings.HasPrefix(t.text, "@"):
			add(t.text, wConcept)
			unit(t.text)
		case t.japanese:
			for _, u := range japaneseFeatures(t.text, add) {
				unit(u)
			}
		default:
			w := stem(t.text)
			if negations[w] {
				w = "not" // "can't have my phone" is not "have my phone"
			}
			if stopwords[w] || len(w) < 2 {
				continue
			}
			add("w:"+w, wWord)
			unit(w)
			padded := "<" + w + ">"
			for i := 0; i+3 <= len(padded); i++ {
				add("c:"+padded[i:i+3], wCharGram)
			}
		}
	}
	return f
}

// japaneseFeatures adds the features of a run of Japanese: its content words
// (base forms, from the morphological analyser), negation, and character
// bigrams and trigrams, which catch typos and words the dictionary lacks.
// It returns the content units in order.
func japaneseFeatures(run string, add func(string, float64)) []string {
	var units []string
	for _, t := range analyser().Tokenize(run) {
		f := t.Features()
		if len(f) == 0 {
			continue
		}
		base, ok := t.BaseForm()
		if !ok || base == "" || base == "*" {
			base = t.Surface
		}
		base = kanaFold(base)
		switch f[0] {
		case "名詞", "動詞", "形容詞", "副詞", "連体詞", "接頭詞":
			// 非自立: grammar dressed as a word (忘れて"しまう", "こと").
			if len(f) > 1 && f[1] == "非自立" {
				continue
			}
			if !lightMorphs[base] {
				add("m:"+base, wMorph)
				units = append(units, base)
			}
		case "助動詞":
			if base == "ない" || base == "ぬ" || base == "ん" || base == "ず" {
				add("w:not", wWord) // the same feature as English "not"
				units = append(units, "not")
			}
		}
	}
	rs := []rune(kanaFold(run))
	for n := 2; n <= 3; n++ {
		for i := 0; i+n <= len(rs); i++ {
			g := rs[i : i+n]
			w := wJapanese
			if allKana(g) {
				w = wKanaOnly
			}
			add("j:"+string(g), w)
		}
	}
	return units
}

// lightMorphs are content words too common to say anything.
var lightMorphs = map[string]bool{"する": true, "いる": true, "ある": true, "なる": true, "れる": true, "られる": true,
	"てる": true, "おる": true, "の": true, "こと": true, "もの": true, "よう": true, "ん": true, "さ": true}

// analyser is the Japanese morphological analyser (kagome with the IPA
// dictionary). Loading the dictionary takes a moment, so it happens once,
// on first use; the tokenizer is read-only and safe for concurrent use.
var analyser = sync.OnceValue(func() *tokenizer.Tokenizer {
	t, err := tokenizer.New(ipa.Dict(), tokenizer.OmitBosEos())
	if err != nil {
		panic("faq: load the Japanese dictionary: " + err.Error()) // embedded in the binary
	}
	return t
})

func isJapanese(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) || r == 'ー' || r == '々'
}

func allKana(rs []rune) bool {
	for _, r := range rs {
		if !unicode.In(r, unicode.Hiragana) && r != 'ー' {
			return false
		}
	}
	return true
}

// stem strips common English endings so that "arrives", "arrived" and
// "arriving" meet. It is deliberately crude: both sides go through it.
func stem(w string) string {
	w = strings.Trim(w, "'-")
	w = strings.TrimSuffix(w, "'s")
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			w = strings.TrimSuffix(w, suf)
			break
		}
	}
	return strings.TrimSuffix(w, "e")
}

var stopwords = wordSet(`a an the i i'm im me my mine we our you your it its is am are was were be been
	do doe did does to of in on at for from with by and or but if so as this that these those
	there here what how why when where which who can could would should will shall may might must have has had
	get got please pleas just some any all about into than then too very also still now there's what's it's
	i've i'd hi hello thank thanks`)

// negations are kept, as one feature: they change what a question means.
var negations = wordSet(`not no never don't dont doesn't doesnt didn't didnt can't cant cannot won't wont
	isn't isnt aren't arent haven't havent without`)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[stem(w)] = true
	}
	return m
}
