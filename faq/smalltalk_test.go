package faq_test

import (
	"testing"

	"github.com/mfadesk/mfadesk/faq"
)

func TestSmallTalkOf(t *testing.T) {
	for _, c := range []struct {
		text string
		want faq.SmallTalk
	}{
		{"ありがとう", faq.Thanks},
		{"ありがとうございました！！", faq.Thanks},
		{"ありがとう、助かりました", faq.Thanks},
		{"Thanks :)", faq.Thanks},
		{"ＴＨＡＮＫ　ＹＯＵ", faq.Thanks},
		{"ok, got it", faq.Thanks},
		{"了解です🙏", faq.Thanks},
		{"こんにちは", faq.Greeting},
		{"こんにちは。よろしくお願いします", faq.Greeting},
		{"Hi there!", faq.Greeting},
		{"good morning", faq.Greeting},
		{"？？？", faq.Noise},
		{"...", faq.Noise},
		{"👍", faq.Noise},
		{"   ", faq.Noise},
		// Questions, however they start.
		{"ありがとう、でもまだSMSが届かない", faq.NotSmallTalk},
		{"こんにちは、機種変更したいです", faq.NotSmallTalk},
		{"hi, the code doesn't arrive", faq.NotSmallTalk},
		{"SMSが届かない", faq.NotSmallTalk},
		{"hint", faq.NotSmallTalk},
		{"okinawa", faq.NotSmallTalk},
		{"パスキーって何？", faq.NotSmallTalk},
		{"090-1234-5678", faq.NotSmallTalk},
	} {
		if got := faq.SmallTalkOf(c.text); got != c.want {
			t.Errorf("SmallTalkOf(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
