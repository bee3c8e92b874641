package faq

import (
	"sort"
	"strings"
	"sync"
	"unicode"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
)

// normalize folds the ways one text can be typed into one form: NFKC (full
// width to half width, half-width kana to full), lower case, and concept
// words to a shared marker so that ショートメール, すまほ, テキスト and SMS
// count as the same thing in either language. Katakana stays katakana here,
// for the morphological analyser; features fold it to hiragana later.
//
// Romaji lines ("sumaho nakushita") become kana first (convertRomaji).
func normalize(s string) string {
	return concepts.Replace(convertRomaji(strings.ToLower(norm.NFKC.String(s))))
}

// readingForm turns normalised text into its reading: every run of
// written Japanese replaced by its folded kana reading, as if typed in
// romaji. The knowledge base's questions in this form meet questions typed
// in romaji or kana.
func readingForm(n string) string {
	var b strings.Builder
	inReading := false
	for _, t := range splitRuns(n) {
		switch {
		case t == string(romajiStart):
			inReading = true
		case t == string(romajiEnd):
			inReading = false
		case inReading || !isJapanese([]rune(t)[0]):
			b.WriteString(t)
			continue
		default:
			b.WriteString(" " + string(romajiStart) + romajiConcepts().Replace(foldReading(reading(t))) + string(romajiEnd) + " ")
			continue
		}
		b.WriteString(t)
	}
	return b.String()
}

// splitRuns cuts s into runs of Japanese, the reading markers (one each),
// and runs of anything else.
func splitRuns(s string) []string {
	var out []string
	start := 0
	kind := func(r rune) int {
		switch {
		case r == romajiStart || r == romajiEnd:
			return 2
		case isJapanese(r):
			return 1
		}
		return 0
	}
	prev := -1
	for i, r := range s {
		k := kind(r)
		if i > start && (k != prev || k == 2) {
			out = append(out, s[start:i])
			start = i
		}
		prev = k
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// reading is the pronunciation of a run of Japanese in hiragana, from the
// morphological analyser; words it does not know are kept as written.
func reading(run string) string {
	var b strings.Builder
	for _, m := range analyser().Tokenize(run) {
		if m.reading != "" {
			b.WriteString(m.reading)
		} else {
			b.WriteString(m.surface)
		}
	}
	return kanaFold(b.String())
}

// romajiConcepts replaces concept words in folded kana readings: the
// Japanese synonyms as pronounced (携帯 as けたい, メール as める).
var romajiConcepts = sync.OnceValue(func() *strings.Replacer {
	seen := map[string]bool{}
	var pairs []pair
	for _, concept := range sortedKeys(conceptForms()) {
		to := " @" + concept + " "
		if concept == "" {
			to = " "
		}
		for _, f := range conceptForms()[concept] {
			f = strings.ToLower(norm.NFKC.String(f))
			if isASCII(f) {
				continue
			}
			for _, r := range []string{foldReading(kanaFold(f)), foldReading(reading(f))} {
				if len([]rune(r)) < 3 || seen[r] || !allKana([]rune(r)) {
					continue
				}
				seen[r] = true
				pairs = append(pairs, pair{r, to})
			}
		}
	}
	return longestFirst(pairs)
})

// synonyms maps concept markers to the surface forms people use for them.
// Forms are written as typed; they are normalised (width, case, kana) when
// the replacer is built. Longer forms win over shorter ones.
var synonyms = map[string][]string{
	"sms": {"sms", "ショートメール", "ショートメッセージ", "ショートメッセージサービス", "エスエムエス", "テキストメッセージ",
		"text message", "text messages", "texts", "texted", "text", "txt", "sns", "smsメッセージ", "メッセージ", "c+メッセージ", "+メッセージ"},
	"phone": {"携帯電話", "携帯", "ケータイ", "ケイタイ", "モバイル", "mobile phone", "cellphone", "cell phone", "mobile", "cell", "handset", "phone"},
	"smartphone": {"スマートフォン", "スマホ", "すまーとふぉん", "iphone", "アイフォン", "アイフォーン", "android", "アンドロイド",
		"smartphone", "smart phone", "androidスマホ"},
	"featurephone": {"ガラケー", "ガラホ", "フィーチャーフォン", "らくらくホン", "feature phone", "flip phone", "basic phone", "dumb phone",
		"basic mobile", "old phone without apps"},
	"authenticator": {"microsoft authenticator", "ms authenticator", "authenticator app", "authenticator", "オーセンティケーター",
		"オーセンティケータ", "オーセンティケイター", "認証アプリ", "認証用アプリ", "authアプリ", "auth app", "2faアプリ", "オーセンティケーターアプリ"},
	"abroad": {"海外出張", "海外旅行", "海外渡航", "海外赴任", "海外留学", "海外", "国外", "外国", "留学先", "渡航", "ローミング",
		"abroad", "overseas", "roaming", "travelling", "traveling", "travel", "trip", "foreign country",
		// Being in another country is being abroad (the bot serves people in Japan).
		"アメリカ", "米国", "ハワイ", "グアム", "カナダ", "メキシコ", "ブラジル", "中国", "韓国", "台湾", "香港", "タイ王国", "ベトナム",
		"シンガポール", "マレーシア", "インドネシア", "フィリピン", "インド", "オーストラリア", "ニュージーランド", "イギリス", "英国",
		"フランス", "ドイツ", "イタリア", "スペイン", "オランダ", "スイス", "ヨーロッパ", "欧州", "北米", "南米", "東南アジア",
		"usa", "america", "united states", "hawaii", "guam", "canada", "mexico", "brazil", "china", "korea", "taiwan",
		"hong kong", "thailand", "vietnam", "singapore", "malaysia", "indonesia", "philippines", "india", "australia",
		"new zealand", "uk", "england", "britain", "france", "germany", "italy", "spain", "netherlands", "switzerland",
		"europe", "asia", "south america", "north america"},
	"mfa": {"多要素認証", "多要素", "二要素認証", "2要素認証", "二段階認証", "2段階認証", "二段階", "2段階", "2fa", "mfa",
		"multi-factor authentication", "multifactor authentication", "multi factor authentication", "two-factor authentication",
		"two factor authentication", "two-step verification", "2-step verification", "two step verification", "multi-factor",
		"multi factor", "multifactor", "two-factor", "two factor", "2 step", "two step"},
	"code": {"ワンタイムパスワード", "ワンタイムパス", "ワンタイム", "確認コード", "認証コード", "認証番号", "セキュリティコード", "コード", "otp",
		"one-time password", "one time password", "passcode", "verification code", "security code", "code", "codes"},
	"signin":   {"サインイン", "ログイン", "ログオン", "sign-in", "sign in", "signin", "signing in", "log in", "login", "logging in", "log on", "logon"},
	"call":     {"音声通話", "音声電話", "音声認証", "電話認証", "音声", "通話", "voice call", "phone call", "voice", "call", "calls", "calling"},
	"landline": {"固定電話", "家電", "家の電話", "自宅の電話", "landline", "land line", "home phone"},
	"office":   {"職場の電話", "会社の電話", "会社電話", "内線電話", "研究室の電話", "office phone", "work phone", "desk phone", "office line"},
	"pc":       {"パソコン", "pc", "ノートpc", "computer", "laptop", "desktop"},
	"password": {"パスワード", "パスワ", "pw", "password", "passwd"},
	"change-device": {"機種変更", "機種変", "きしゅへん", "機変", "端末変更", "スマホを替え", "スマホを変え", "買い替え", "買い換え", "買替",
		"new phone", "new device", "switch phones", "switching phones", "upgrade my phone", "replace my phone", "replacing my phone",
		"new iphone", "new android", "new smartphone"},
	"mail":     {"outlook", "アウトルック", "メールアプリ", "メールソフト", "メーラー", "mail app", "email app", "mail client", "メール", "email", "e-mail", "mail"},
	"register": {"登録", "設定", "セットアップ", "set up", "setup", "register", "registering", "registration", "enroll", "enrol"},
	"cost": {"料金", "お金", "無料", "有料", "通信料", "通話料", "通信費", "費用", "課金", "請求", "cost", "costs", "charge", "charged",
		"charges", "fee", "fees", "free", "pay", "paid", "money", "how much", "expensive", "bill"},
	"backup":    {"予備", "バックアップ", "backup", "back-up", "spare", "extra", "alternate", "alternative", "secondary", "additional", "fallback"},
	"when":      {"when", "what date", "which date", "start date"},
	"why":       {"why", "how come", "reason"},
	"which":     {"which", "best way", "best option", "what should i choose", "which one"},
	"recommend": {"おすすめ", "お勧め", "オススメ", "推奨", "recommend", "recommended", "recommendation", "suggest", "suggested"},
	"howmany":   {"how many", "max number", "maximum number", "limit", "何台", "何個", "何件", "何つ", "いくつ", "何番号", "上限", "最大"},
	"notify": {"通知", "プッシュ通知", "プッシュ", "ポップアップ", "承認リクエスト", "承認要求", "notification", "notifications",
		"push", "push notification", "push notifications", "pop up", "pops up", "popping up", "popup", "pop-up",
		"approval request", "approve request", "sign-in request", "sign in request"},
	"arrive": {"arrive", "arrives", "arrived", "arriving", "receive", "received", "receiving", "show up", "shows up", "showing up",
		"showed up", "come", "comes", "came", "coming", "come through", "comes through", "came through", "get through", "got through"},
}

// pleasantries say nothing about the problem: greetings, thanks, apologies
// and requests for help around a question. They are dropped (the concept
// ""), so that "お疲れ様です。SMSが届きません" is the question it wraps,
// and a greeting alone has nothing to match.
var pleasantries = []string{
	"お疲れ様です", "お疲れさまです", "おつかれさまです", "お疲れ様", "お疲れさま", "おつかれさま", "お疲れです", "おつかれです",
	"お世話になっております", "お世話になります", "いつもお世話になっております", "よろしくお願いいたします", "よろしくお願い致します",
	"宜しくお願い致します", "宜しくお願いいたします", "よろしくお願いします", "宜しくお願いします", "よろしくです", "よろしく",
	"お願いいたします", "お願い致します", "お願いします", "すみません", "すいません", "申し訳ありません", "申し訳ございません",
	"申し訳ないのですが", "恐れ入りますが", "恐縮ですが", "失礼します", "失礼いたします", "こんにちは", "こんばんは", "おはようございます",
	"ありがとうございます", "ありがとうございました", "ありがとう", "助けてください", "助けて下さい", "助けて", "困っています", "困ってます",
	"教えてください", "教えて下さい", "教えていただけますか", "教えてもらえますか", "教えて",
	"good morning", "good afternoon", "good evening", "thank you", "thanks in advance", "thx", "cheers", "pls", "plz",
	"sorry to bother you", "sorry for the trouble", "quick question", "any idea", "any ideas", "help me", "pls help",
	"please help", "best regards", "kind regards", "regards", "hey", "hi team", "hello team", "hey team", "dear team",
	"morning team", "good morning team", "thanks team", "hi all", "hello all", "hi everyone", "hello everyone",
}

// implied concepts: a smartphone is a phone too.
var implied = map[string][]string{"smartphone": {"phone"}, "featurephone": {"phone"}}

// morphConcepts map the base forms of Japanese words to concepts, where a
// text replacement would cut words the analyser needs whole (いつ in いつも,
// 来 in 来週).
var morphConcepts = map[string]string{
	"いつ": "when", "なぜ": "why", "何故": "why", "なんで": "why", "何で": "why", "どうして": "why",
	"どれ": "which", "どっち": "which", "どちら": "which", "どの": "which",
	"届く": "arrive", "届ける": "arrive", "来る": "arrive", "くる": "arrive", "受信": "arrive", "受け取る": "arrive", "受け取れる": "arrive",
}

// conceptForms is synonyms with the pleasantries under "".
func conceptForms() map[string][]string {
	m := make(map[string][]string, len(synonyms)+1)
	for c, forms := range synonyms {
		m[c] = forms
	}
	m[""] = pleasantries
	return m
}

// concepts replaces the Japanese forms of concepts anywhere in the text
// (Japanese has no spaces to respect); englishConcepts maps English forms,
// matched only as whole words so that "cell" does not fire inside "cancel".
var concepts, englishConcepts, longestEnglish = buildConcepts()

func buildConcepts() (*strings.Replacer, map[string]string, int) {
	var pairs []pair
	english := map[string]string{}
	longest := 1
	for _, concept := range sortedKeys(conceptForms()) {
		to := " @" + concept + " "
		if concept == "" {
			to = " "
		}
		for _, f := range conceptForms()[concept] {
			f = strings.ToLower(norm.NFKC.String(f))
			if isASCII(f) {
				words := strings.Fields(strings.NewReplacer("-", " ").Replace(f))
				english[strings.Join(words, " ")] = concept
				longest = max(longest, len(words))
				continue
			}
			// As written and in hiragana: people type すまほ too.
			pairs = append(pairs, pair{f, to})
			if h := kanaFold(f); h != f {
				pairs = append(pairs, pair{h, to})
			}
		}
	}
	return longestFirst(pairs), english, longest
}

// pair is one replacement: from becomes to.
type pair struct{ from, to string }

// longestFirst builds a replacer of pairs trying longer patterns first:
// strings.Replacer tries them in argument order at each position, so
// "携帯電話" must come before "携帯". Ties go alphabetically, so that the
// result does not depend on map order.
func longestFirst(pairs []pair) *strings.Replacer {
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
	return strings.NewReplacer(args...)
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
	reading  bool // Japanese as a folded kana reading (romaji, readingForm)
}

// tokenize splits normalised text into tokens and turns English concept
// phrases ("text message", "sign in") into their markers.
func tokenize(s string) []token {
	var toks []token
	var cur []rune
	curJ, inReading := false, false
	flush := func() {
		if len(cur) > 0 {
			toks = append(toks, token{string(cur), curJ, curJ && inReading})
			cur = cur[:0]
		}
	}
	for _, r := range s {
		if r == romajiStart || r == romajiEnd {
			flush()
			inReading = r == romajiStart
			continue
		}
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
				if c != "" { // "" is a pleasantry: dropped
					out = append(out, token{text: "@" + c})
				}
				i += n
				matched = true
			}
		}
		if !matched {
			t := toks[i]
			if c := misspelt(t); c != "" {
				t = token{text: c}
			}
			out = append(out, t)
			i++
		}
	}
	return out
}

// misspelt corrects an English word of five letters or more that is one
// typo away (two for long words) from a word the knowledge base knows:
// a concept's word ("pasword", "autenticator", "recieve" and "phones"
// become their concept) or another word of its questions ("verfication").
// It returns the concept ("@password") or word, or "" when the word is
// known, or no such word is near, or two are equally near.
func misspelt(t token) string {
	w := t.text
	if t.japanese || len(w) < 5 || strings.HasPrefix(w, "@") || !isASCII(w) || englishVocabulary()[w] {
		return ""
	}
	found, best := "", 3
	for _, c := range corrections() {
		limit := 1
		if len(c.word) >= 9 {
			limit = 2
		}
		d := editDistance(w, c.word, limit)
		switch {
		case d > limit || d > best:
		case d < best:
			found, best = c.to, d
		case c.to != found && (found == "" || !strings.HasPrefix(found, "@") || strings.HasPrefix(c.to, "@")):
			found = "" // as near to two words: leave it (a concept beats a plain word)
		}
	}
	return found
}

type correction struct{ word, to string }

// corrections are the words misspelt looks for, in order: the one-word
// English forms of the concepts, then the knowledge base's other words.
var corrections = sync.OnceValue(func() []correction {
	var out []correction
	seen := map[string]bool{}
	for _, form := range sortedKeys(englishConcepts) {
		if c := englishConcepts[form]; c != "" && len(form) >= 5 && !strings.Contains(form, " ") {
			out = append(out, correction{form, "@" + c})
			seen[form] = true
		}
	}
	for _, w := range sortedKeys(englishVocabulary()) {
		if len(w) >= 5 && !seen[w] && !stopwords[stem(w)] {
			out = append(out, correction{w, w})
		}
	}
	return out
})

// englishVocabulary holds the English words of the built-in knowledge base
// (whichever file the bot loads: this is about English, not topics), of the
// questions it is not about, and the common words of this package.
var englishVocabulary = sync.OnceValue(func() map[string]bool {
	v := map[string]bool{}
	for w := range stopwords {
		v[w] = true
	}
	for w := range englishWords {
		v[w] = true
	}
	var entries []Entry
	_ = yaml.Unmarshal(embedded, &entries) // a broken one is reported by Load; words are what matter here
	var none Lines
	_ = yaml.Unmarshal(outOfScope, &none)
	texts := none.EN
	for _, e := range entries {
		texts = append(append(texts, e.Examples.EN...), e.Title.EN, e.Answer.EN)
	}
	for _, t := range texts {
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return r >= 0x80 || !unicode.IsLetter(r) && r != '\'' }) {
			v[w] = true
		}
	}
	return v
})

// editDistance is the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and swaps of neighbours), or
// limit+1 when it exceeds limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// features splits text into weighted features. Besides single words,
// concepts and n-grams, consecutive content units (words, concepts, Japanese
// content morphemes, negation) form pairs across both languages, so that
// "スマホを忘れた" (@phone 忘れる) is told apart from "パスワードを忘れた"
// (@password 忘れる) by more than one word.
func features(text string) map[string]float64 { return featuresOf(normalize(text)) }

// featuresOf is features of text that is normalised already.
func featuresOf(normalized string) map[string]float64 {
	f := make(map[string]float64)
	add := func(k string, w float64) { f[k] += w }
	prev := ""
	unit := func(u string) {
		if prev != "" {
			add("b:"+prev+"_"+u, wBigram)
		}
		prev = u
	}
	for _, t := range tokenize(normalized) {
		switch {
		case strings.HasPrefix(t.text, "@"):
			add(t.text, wConcept)
			for _, c := range implied[t.text[1:]] {
				add("@"+c, wConcept)
			}
			unit(t.text)
		case t.japanese:
			prefix := ""
			if t.reading {
				prefix = "r"
			}
			for _, u := range japaneseFeatures(t.text, prefix, add) {
				unit(u)
			}
		default:
			w := stem(t.text)
			if c, ok := wordSynonyms[w]; ok {
				w = c
			}
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
// (base forms, from the morphological analyser, with synonyms folded),
// negation, and character bigrams and trigrams of its content words, which
// catch typos and words the dictionary lacks. Grammar between them (を,
// てしまった, ですが) makes no n-grams: it is in every kind of question, and
// a rare ending would otherwise count for more than the words that matter.
// It returns the content units in order.
//
// Readings (romaji, readingForm) get the same features under their own
// prefix, so that they do not dilute those of written text.
func japaneseFeatures(run, prefix string, add func(string, float64)) []string {
	var units []string
	var spans [][]rune // runs of content words, for n-grams
	var span []rune
	cut := func() {
		if len(span) > 0 {
			spans = append(spans, span)
			span = nil
		}
	}
	for _, t := range analyser().Tokenize(run) {
		base := kanaFold(t.base)
		content := false
		switch t.pos {
		case "名詞", "動詞", "形容詞", "副詞", "連体詞", "接頭詞":
			// 非自立: grammar dressed as a word (忘れて"しまう", "こと").
			if t.dependent {
				break
			}
			if genericMorphs[base] {
				break
			}
			content = true
			if c, ok := morphSynonyms[base]; ok {
				base = c
			}
			if c, ok := morphConcepts[base]; ok {
				add("@"+c, wConcept)
				units = append(units, "@"+c)
			} else if !lightMorphs[base] {
				add(prefix+"m:"+base, wMorph)
				units = append(units, base)
			}
		case "助動詞":
			if base == "ない" || base == "ぬ" || base == "ん" || base == "ず" {
				add("w:not", wWord) // the same feature as English "not"
				units = append(units, "not")
			}
		}
		if content {
			span = append(span, []rune(kanaFold(t.surface))...)
		} else {
			cut()
		}
	}
	cut()
	for _, rs := range spans {
		for n := 2; n <= 3; n++ {
			for i := 0; i+n <= len(rs); i++ {
				g := rs[i : i+n]
				w := wJapanese
				if allKana(g) {
					w = wKanaOnly
				}
				add(prefix+"j:"+string(g), w)
			}
		}
	}
	return units
}

// morphSynonyms fold Japanese words (base forms) that mean the same here
// into one.
var morphSynonyms = map[string]string{
	"加える": "追加", "増やす": "追加", "足す": "追加",
	"所有": "持つ", "所持": "持つ", "持ち歩く": "持つ",
	"移す": "移行", "引き継ぐ": "移行", "引継ぐ": "移行", "引き継ぎ": "移行", "引継ぎ": "移行", "移動": "移行", "移る": "移行",
	"替える": "変える", "換える": "変える", "変更": "変える", "乗り換える": "変える", "切り替える": "変える", "切替": "変える",
	"消す": "削除", "あんいんすとーる": "削除", // base forms are in hiragana when katakana
	"無くす": "なくす", "失くす": "なくす", "紛失": "なくす", "落とす": "なくす",
	"盗む": "盗難",
	"要求": "求める", "聞く": "求める", "要る": "求める",
	"いただく": "もらう", "頂く": "もらう",
}

// wordSynonyms do the same for English words (stemmed).
var wordSynonyms = func() map[string]string {
	m := map[string]string{}
	for canon, words := range map[string]string{
		"have":     "own owns owned possess",
		"delete":   "uninstall uninstalled remove removed erase erased wipe wiped",
		"lost":     "lose losing misplace misplaced",
		"stolen":   "steal stole theft",
		"transfer": "move moving migrate migrating transferring",
		"change":   "switch switching replace changing",
		"add":      "adding added",
		"ask":      "asks asking prompt prompts prompted request requests requested require requires required",
		"passkey":  "passkii paskey pasukey",     // パスキー spelt by ear
		"sell":     "sold selling trade trading", // a phone traded in is a phone sold
	} {
		for _, w := range strings.Fields(words) {
			m[stem(w)] = stem(canon)
		}
	}
	return m
}()

// lightMorphs are content words too common to say anything.
var lightMorphs = map[string]bool{"する": true, "いる": true, "ある": true, "なる": true, "れる": true, "られる": true,
	"てる": true, "おる": true, "の": true, "こと": true, "もの": true, "よう": true, "ん": true, "さ": true}

// genericMorphs frame a question rather than say what it is about ("何が
// 原因", "手順を教えて", "対応が知りたい"). The knowledge base has too few
// questions to learn that from how often they occur: one rare framing word
// would outweigh the words that matter.
var genericMorphs = plainSet(`原因 手順 やり方 仕方 対応 対処 場合 教える 知る 分かる わかる 困る 助ける 願う お願い
	今 件 状況 質問 相談 問題 感じ 的 等 など 私 自分 僕 俺 わたし 際 ため
	すみません 急ぎ 至急 下さる くださる 思う 言う 具体 詳しい なんか ちょっと 全然 すごい`)

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
