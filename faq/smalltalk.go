package faq

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SmallTalk is what a message says when it asks nothing: thanks, a
// greeting, or nothing readable at all. Such a message is not a question
// the knowledge base failed to answer, and "I can't answer that" is the
// wrong reply to 「ありがとう」.
type SmallTalk int

const (
	NotSmallTalk SmallTalk = iota // a question, or anything else
	Thanks                        // thanks, or "got it", "that worked"
	Greeting                      // hello, good morning, よろしくお願いします
	Noise                         // no words at all: 「？？？」, "...", an emoji
)

// smallTalkPhrases are the whole messages that are small talk, as
// ofSmallTalk sees them: NFKC, lower case, without spaces or punctuation.
// A message is small talk when it is nothing but these, one after another
// (「こんにちは、よろしくお願いします」); anything more
// (「ありがとう、でもまだSMSが届かない」) makes it a question.
var smallTalkPhrases = map[string]SmallTalk{}

func init() {
	for kind, phrases := range map[SmallTalk][]string{
		Thanks: {
			"ありがとう", "ありがと", "ありがとうございます", "ありがとうございました", "ありがとございます",
			"どうも", "どうもありがとう", "どうもありがとうございます", "助かりました", "たすかりました",
			"助かります", "了解", "了解です", "了解しました", "りょうかい", "わかりました", "分かりました",
			"承知しました", "できました", "解決しました", "大丈夫です", "ok", "おk", "おけ", "thanks", "thank you", "thankyou",
			"thanks a lot", "thank you so much", "thank you very much", "many thanks", "thx", "ty", "cheers", "okay",
			"got it", "great", "perfect", "that worked", "it worked", "it works", "solved", "all good", "sorted",
		},
		Greeting: {
			"こんにちは", "こんにちわ", "こんばんは", "こんばんわ", "おはよう", "おはようございます", "はじめまして",
			"よろしく", "よろしくお願いします", "よろしくおねがいします", "よろしくお願いいたします", "もしもし",
			"お疲れ様です", "おつかれさまです", "hi", "hello", "hey", "hi there", "hello there", "good morning",
			"good afternoon", "good evening", "yo", "hiya",
		},
	} {
		for _, p := range phrases {
			smallTalkPhrases[smallTalkForm(p)] = kind
		}
	}
	for p := range smallTalkPhrases {
		smallTalkByLength = append(smallTalkByLength, p)
	}
	// Longest first: "okay" before "ok", "thank you" before "thank".
	sort.Slice(smallTalkByLength, func(i, j int) bool {
		if len(smallTalkByLength[i]) != len(smallTalkByLength[j]) {
			return len(smallTalkByLength[i]) > len(smallTalkByLength[j])
		}
		return smallTalkByLength[i] < smallTalkByLength[j]
	})
}

var smallTalkByLength []string

// smallTalkForm keeps a message's letters and digits, folded by NFKC and
// lower case: 「ありがとう！！」, "Thanks :)" and "ＴＨＡＮＫＳ" read alike.
func smallTalkForm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(norm.NFKC.String(s)) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxSmallTalk: a longer message is a question, whatever it starts with.
const maxSmallTalk = 60

// SmallTalkOf says whether text is small talk, and which.
func SmallTalkOf(text string) SmallTalk {
	if len(text) > maxSmallTalk*4 {
		return NotSmallTalk
	}
	f := smallTalkForm(text)
	if f == "" {
		return Noise
	}
	if len([]rune(f)) > maxSmallTalk {
		return NotSmallTalk
	}
	first := NotSmallTalk
	for f != "" {
		found := false
		for _, p := range smallTalkByLength {
			if strings.HasPrefix(f, p) {
				if first == NotSmallTalk {
					first = smallTalkPhrases[p]
				}
				f, found = f[len(p):], true
				break
			}
		}
		if !found {
			return NotSmallTalk
		}
	}
	return first
}
