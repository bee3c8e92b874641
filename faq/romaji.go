package faq

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Romaji: people type Japanese in Latin letters too ("sms ga todokanai",
// "sumaho nakushita"), on a phone or a keyboard without a Japanese input
// method. Such words are turned into kana, and Japanese text in the
// knowledge base also gets a kana reading, so that the two meet. Both sides
// are folded the same way (foldReading): long vowels and the particles を
// and は written as pronounced, so that "ninsho", "ninshou" and 認証 agree.

// romajiStart and romajiEnd enclose text that is a kana reading rather than
// Japanese as written (converted romaji, or the reading of a knowledge-base
// question). Its features live apart from those of written Japanese.
const (
	romajiStart = '\x01'
	romajiEnd   = '\x02'
)

// kanaSyllables maps Latin spellings (Hepburn, Nihon-shiki and the usual
// keyboard spellings) to hiragana. No l: it spells little in romaji and a
// lot in English ("mobile", "file", "online").
var kanaSyllables = func() map[string]string {
	m := map[string]string{
		"a": "あ", "i": "い", "u": "う", "e": "え", "o": "お",
		"shi": "し", "chi": "ち", "tsu": "つ", "fu": "ふ", "ji": "じ",
		"si": "し", "ti": "ち", "tu": "つ", "hu": "ふ", "zi": "じ", "di": "ぢ", "du": "づ",
		"wa": "わ", "wo": "を", "wi": "うぃ", "we": "うぇ",
		"ya": "や", "yu": "ゆ", "yo": "よ", "ye": "いぇ",
		"fa": "ふぁ", "fi": "ふぃ", "fe": "ふぇ", "fo": "ふぉ", "fyu": "ふゅ",
		"va": "ゔぁ", "vi": "ゔぃ", "vu": "ゔ", "ve": "ゔぇ", "vo": "ゔぉ",
		"she": "しぇ", "che": "ちぇ", "je": "じぇ", "thi": "てぃ", "dhi": "でぃ", "tyi": "てぃ",
		"xa": "ぁ", "xi": "ぃ", "xu": "ぅ", "xe": "ぇ", "xo": "ぉ", "xtu": "っ", "xtsu": "っ",
		"xya": "ゃ", "xyu": "ゅ", "xyo": "ょ",
	}
	rows := map[string]string{
		"k": "かきくけこ", "g": "がぎぐげご", "s": "さしすせそ", "z": "ざじずぜぞ", "t": "たちつてと",
		"d": "だぢづでど", "n": "なにぬねの", "h": "はひふへほ", "b": "ばびぶべぼ", "p": "ぱぴぷぺぽ",
		"m": "まみむめも", "r": "らりるれろ",
	}
	small := []string{"ゃ", "ゅ", "ょ"}
	for c, kana := range rows {
		ks := []rune(kana)
		for i, v := range "aiueo" {
			if _, ok := m[c+string(v)]; !ok {
				m[c+string(v)] = string(ks[i])
			}
		}
		for i, v := range "auo" {
			m[c+"y"+string(v)] = string(ks[1]) + small[i] // kya → きゃ
		}
	}
	for i, v := range "auo" {
		m["sh"+string(v)] = "し" + small[i]
		m["ch"+string(v)] = "ち" + small[i]
		m["cy"+string(v)] = "ち" + small[i]
		m["j"+string(v)] = "じ" + small[i]
		m["jy"+string(v)] = "じ" + small[i]
	}
	return m
}()

// longVowels spells Hepburn's marked long vowels as typed.
var longVowels = strings.NewReplacer("ā", "aa", "ī", "ii", "ū", "uu", "ē", "ee", "ō", "ou",
	"â", "aa", "î", "ii", "û", "uu", "ê", "ee", "ô", "ou")

// romajiToKana converts one word in Latin letters to hiragana, or reports
// that it is not romaji ("phone", "sms": no Japanese syllables spell them).
func romajiToKana(w string) (string, bool) {
	w = longVowels.Replace(w)
	var b strings.Builder
	vowel := func(c byte) bool { return strings.IndexByte("aiueo", c) >= 0 }
	for i := 0; i < len(w); {
		c := w[i]
		switch {
		case c == '\'':
			i++
			continue
		case c == '-': // keyboard long vowel: "pasuwa-do"
			b.WriteString("ー")
			i++
			continue
		case c == 'n' && (i+1 == len(w) || w[i+1] == '\''):
			b.WriteString("ん")
			i++
			continue
		case c == 'n' && w[i+1] == 'n' && (i+2 == len(w) || !vowel(w[i+2]) && w[i+2] != 'y'):
			b.WriteString("ん") // keyboard "nn"
			i += 2
			continue
		case c == 'n' && !vowel(w[i+1]) && w[i+1] != 'y':
			b.WriteString("ん")
			i++
			continue
		case c == 'm' && i+1 < len(w) && strings.IndexByte("bmp", w[i+1]) >= 0:
			b.WriteString("ん") // Hepburn "shimbun"
			i++
			continue
		case i+1 < len(w) && !vowel(c) && c != 'n' && (w[i+1] == c || c == 't' && w[i+1] == 'c'):
			b.WriteString("っ") // "kitte", "matcha"
			i++
			continue
		}
		matched := false
		for n := min(4, len(w)-i); n >= 1; n-- {
			if k, ok := kanaSyllables[w[i:i+n]]; ok {
				b.WriteString(k)
				i += n
				matched = true
				break
			}
		}
		if !matched {
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// vowelOf gives the vowel a kana ends on (for folding long vowels), 0 for
// none (ん, っ, ー).
var vowelOf = func() map[rune]rune {
	m := map[rune]rune{}
	for i, row := range []string{
		"あかがさざただなはばぱまやらわぁゃ", "いきぎしじちぢにひびぴみりぃゐ", "うくぐすずつづぬふぶぷむゆるぅゅゔ",
		"えけげせぜてでねへべぺめれぇゑ", "おこごそぞとどのほぼぽもよろをぉょ",
	} {
		for _, r := range row {
			m[r] = []rune("あいうえお")[i]
		}
	}
	return m
}()

// foldReading folds hiragana to how it sounds, as people spell it in
// romaji: long vowels once ("こーど", "こおど" and "こど" agree; "おう" and
// "えい" too), を as お, ぢ and づ as じ and ず. Anything but hiragana is
// kept.
func foldReading(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var prev rune // vowel of the previous kana
	for _, r := range s {
		switch r {
		case 'を':
			r = 'お'
		case 'ぢ':
			r = 'じ'
		case 'づ':
			r = 'ず'
		case 'ゐ':
			r = 'い'
		case 'ゑ':
			r = 'え'
		case 'ー':
			continue
		}
		if strings.ContainsRune("あいうえお", r) && prev != 0 &&
			(r == prev || r == 'う' && prev == 'お' || r == 'い' && prev == 'え') {
			continue
		}
		prev = vowelOf[r]
		b.WriteRune(r)
	}
	return b.String()
}

// romajiParticles are short words that mark a line as romaji even though
// some are English words too ("no", "to", "made").
var romajiParticles = plainSet(`ga wo wa ni de no to mo ka ne yo tte te e he made kara desu masu deshita
	shita shite shitara nai kedo dake demo nani naze doushite dou`)

// englishWords are common English words that happen to spell Japanese
// syllables; they count as English when a line is weighed, as do the
// stopwords.
var englishWords = plainSet(`a i be me we he she so no go do to too two in on an are aren age ago again alone
	anyone someone everyone none one area became become before below bike bone came care change choose chose
	come data date due done don even file fine fire five game gave give gone guide haven here hire home hope
	huge idea image info inside invite japan japanese join june late leave like line live lose made main make
	mean message mine mode more move name nine nose note online open page pose rare rate ride rise role rule
	safe same save see seen sense separate share shine side site size some soon sure take taken time tone tune
	use wake wide wine wipe wise woke won zone video radio audio menu zero hero memo remote domain token
	machine minute anytime rename delete remove reuse refuse retire fake wanna gonna gotta non unlike within
	were here hi bye yes tea die tube mute kite joke mike hike`)

// romajiGrammar are endings of Japanese words in romaji: a stretch of
// romaji inside an English line needs one ("... sumaho wo nakushita").
var romajiGrammar = []string{"nai", "tai", "masu", "masen", "desu", "tara", "chau", "ta", "da", "te", "ru"}

func japaneseGrammar(w string) bool {
	if englishWords[w] {
		return false
	}
	if romajiParticles[w] {
		return true
	}
	for _, g := range romajiGrammar {
		if strings.HasSuffix(w, g) {
			return true
		}
	}
	return false
}

func plainSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// latinWord reports whether r can be part of a word in Latin letters.
func latinWord(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || r == '\'') || strings.ContainsRune("āīūēōâîûêô", r)
}

// convertRomaji turns the romaji in lowercased, NFKC-normalised text into
// kana. Latin words are romaji when the line reads as romaji rather than
// English: most of its Latin words spell Japanese syllables and are not
// common English words; or, in a line that is mostly English ("hi team,
// sumaho wo nakushita, thanks"), a stretch of such words does. Words of
// product names and the like (sms, authenticator, outlook) stay as they
// are. Consecutive romaji words become one run of kana, folded, with the
// romaji forms of the concepts replaced, enclosed in romajiStart and
// romajiEnd.
func convertRomaji(s string) string {
	const (
		keep     = iota // a product name or term: stays Latin
		english         // not romaji at all
		particle        // romaji, even though some are English too ("no", "to")
		either          // romaji, but a common English word too ("made", "site")
		romaji          // romaji only
	)
	type word struct {
		start, end int
		kana       string
		class      int
	}
	var words []word
	votes := [romaji + 1]int{}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !latinWord(r) {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if r == '-' && j > i && j+1 < len(s) && latinWord(rune(s[j+1])) {
				j++ // inside a word: "pasuwa-do", "sign-in"
				continue
			}
			if !latinWord(r) {
				break
			}
			j += n
		}
		w := word{start: i, end: j}
		kana, ok := romajiToKana(s[i:j])
		switch t := s[i:j]; {
		case keepLatin(t):
			w.class = keep
		case !ok:
			w.class = english
		case englishWords[t] || stopwords[stem(t)] || negations[stem(t)]:
			w.class = either
		case romajiParticles[t]:
			w.class = particle
		default:
			w.class = romaji
		}
		w.kana = kana
		votes[w.class]++
		words = append(words, w)
		i = j
	}
	wholeLine := votes[particle]+votes[romaji] > votes[either]+votes[english]
	convert := make([]bool, len(words))
	for k := 0; k < len(words); {
		// A stretch: words other than plain English.
		n := k
		rom, eng, grammar := 0, 0, false
		for ; n < len(words) && words[n].class != english; n++ {
			switch words[n].class {
			case particle, romaji:
				rom++
				grammar = grammar || japaneseGrammar(s[words[n].start:words[n].end])
			case either:
				eng++
			}
		}
		if wholeLine && rom > 0 || rom >= 2 && rom > eng && grammar {
			// English words at its ends belong to the English around it.
			from, to := k, n
			for ; from < to && words[from].class == either; from++ {
			}
			for ; to > from && words[to-1].class == either; to-- {
			}
			for i := from; i < to; i++ {
				convert[i] = words[i].class != keep
			}
		}
		k = n + 1
	}
	var b strings.Builder
	last := 0
	for k := 0; k < len(words); {
		if !convert[k] {
			k++
			continue
		}
		// A run: words separated by nothing but spaces.
		run := []string{words[k].kana}
		end := words[k].end
		n := k + 1
		for n < len(words) && convert[n] && strings.TrimSpace(s[end:words[n].start]) == "" {
			run = append(run, words[n].kana)
			end = words[n].end
			n++
		}
		b.WriteString(s[last:words[k].start])
		b.WriteString(" " + string(romajiStart))
		b.WriteString(romajiConcepts().Replace(foldReading(strings.Join(run, ""))))
		b.WriteString(string(romajiEnd) + " ")
		last = end
		k = n
	}
	b.WriteString(s[last:])
	return b.String()
}

// keepLatin reports words that stay in Latin letters in a romaji line:
// names of products and technical terms people type in English anyway.
func keepLatin(w string) bool {
	if _, ok := englishConcepts[strings.ReplaceAll(w, "-", " ")]; ok {
		return true
	}
	return latinTerms[w]
}

var latinTerms = plainSet(`app apps microsoft ms office teams wifi wi fi id qr pin sim esim ok url google
	chrome safari edge windows mac ipad iphone android outlook gmail zoom line wi-fi`)
