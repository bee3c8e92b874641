package dialogs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
)

// repliesText is every card and text the last step sent, as JSON.
func (f *changeFlow) repliesText() string {
	f.t.Helper()
	var b strings.Builder
	for _, m := range f.replies {
		b.WriteString(m.Text)
		if m.Card != nil {
			b.WriteString(mustCardJSON(f.t, m.Card))
		}
	}
	if f.last.Update != nil {
		b.WriteString(mustCardJSON(f.t, f.last.Update))
	}
	return b.String()
}

// checksAsked are the inputs of the CheckPhone effects asked for so far.
func (f *changeFlow) checksAsked() []string {
	var out []string
	for _, e := range f.effects {
		if c, ok := e.(dialogs.CheckPhone); ok {
			out = append(out, c.Input)
		}
	}
	return out
}

// stage is the running change flow's stage, "" when none runs.
func (f *changeFlow) stage() string {
	for _, fr := range f.s.Stack {
		if fr.Dialog == "change" {
			st := string(fr.State)
			const key = `"stage":"`
			i := strings.Index(st, key) + len(key)
			return st[i : i+strings.Index(st[i:], `"`)]
		}
	}
	return ""
}

// toTempDone registers a temporary landline: the flow then waits for the
// new number.
func (f *changeFlow) toTempDone() {
	f.t.Helper()
	f.step(submit(cards.VerbChange, cards.KindKey, "phone"))
	f.step(submit(dialogs.VerbChangePick, "choice", "unknown"))
	f.checked = func(c dialogs.CheckPhone) dialogs.CheckedPhone {
		return dialogs.CheckedPhone{Number: "+81 312345678", Display: "+81 3-1234-5678", Masked: "+81 3••••5678"}
	}
	f.step(text("03-1234-5678"))
	f.step(confirm(f.req()))
	if f.stage() != "temp-done" || !strings.Contains(f.repliesText(), "一時的な番号を登録しました") {
		f.t.Fatalf("temporary number not registered: stage %q, replies %s", f.stage(), f.repliesText())
	}
	f.methods.Phones = append(f.methods.Phones, dialogs.PhoneView{Slot: "office", Masked: "+81 3••••5678"})
}

func TestTemporaryNumberPathIsNeverLost(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.toTempDone()

	// A daily reminder while it stays: once a day, however often asked.
	remind := func() string {
		f.step(event(dialogs.EventTempReminder, dialogs.Personal))
		return f.repliesText()
	}
	f.now = f.now.Add(24 * time.Hour)
	if got := remind(); !strings.Contains(got, "一時的な番号がまだ登録されています") || !strings.Contains(got, "+81 3••••5678") {
		t.Errorf("reminder the next day = %s", got)
	}
	f.now = f.now.Add(3 * time.Hour)
	if got := remind(); got != "" {
		t.Errorf("second reminder the same day: %s", got)
	}
	f.now = f.now.Add(21 * time.Hour)
	if got := remind(); !strings.Contains(got, "一時的な番号がまだ登録されています") {
		t.Errorf("no reminder the day after: %q", got)
	}

	// The new number, sent in a sentence, resumes the flow at once.
	f.checked = func(c dialogs.CheckPhone) dialogs.CheckedPhone {
		return dialogs.CheckedPhone{Number: "+81 8033445566", Display: "+81 80-3344-5566", Masked: "+81 80••••5566", CanSMS: true}
	}
	f.step(text("機種変更終わりました。新しい番号は080-3344-5566です"))
	if got := f.checksAsked(); len(got) != 2 || got[1] != "080-3344-5566" {
		t.Fatalf("numbers checked = %q, want the one in the sentence", got)
	}
	f.step(submit(dialogs.VerbChangePick, "choice", "sms"))
	preview := f.repliesText()
	if f.stage() != "confirm" || !strings.Contains(preview, "+81 80-3344-5566") {
		t.Fatalf("stage %q; the person's own preview does not show the number whole: %s", f.stage(), preview)
	}

	// Cancel keeps the temporary number and the flow, and says so.
	in := submit(dialogs.VerbChangeCancel, "req", f.req())
	in.Execute = true
	f.step(in)
	got := f.repliesText()
	if f.stage() != "temp-done" || !strings.Contains(got, "+81 3••••5678 は登録したままです") {
		t.Fatalf("after Cancel: stage %q, replies %s", f.stage(), got)
	}
	if strings.Contains(mustCardJSON(t, f.last.Update), "+81 80-3344-5566") {
		t.Errorf("the cancelled preview still shows the number whole: %s", mustCardJSON(t, f.last.Update))
	}
	if f.writes() != 1 {
		t.Errorf("%d writes, want only the temporary number's", f.writes())
	}

	// The button's title, typed, acts as the button; the number they have
	// now is refused as the new one.
	f.step(text("新しい番号が分かった"))
	if f.stage() != "number" {
		t.Fatalf("typed 新しい番号が分かった: stage %q, replies %s", f.stage(), f.repliesText())
	}
	f.checked = func(c dialogs.CheckPhone) dialogs.CheckedPhone {
		return dialogs.CheckedPhone{Number: "+81 9012345678", Display: "+81 90-1234-5678", Masked: "+81 90••••5678", CanSMS: true, Registered: "mobile"}
	}
	f.step(text("090-1234-5678"))
	if got := f.repliesText(); f.stage() != "number" || !strings.Contains(got, "これは今登録されている番号です") {
		t.Errorf("the current number as the new one: stage %q, replies %s", f.stage(), got)
	}
	if f.writes() != 1 {
		t.Errorf("%d writes after the refused number", f.writes())
	}
}

func TestExpiredPreviewKeepsTheTemporaryNumber(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.toTempDone()
	f.step(submit(cards.VerbChange))
	f.step(text("080-3344-5566"))
	f.step(submit(dialogs.VerbChangePick, "choice", "sms"))
	req := f.req()
	f.now = f.now.Add(dialogs.ConfirmWindow + time.Second)
	f.step(confirm(req))
	if got := f.repliesText(); f.stage() != "temp-done" || !strings.Contains(got, "は登録したままです") {
		t.Errorf("after the preview expired: stage %q, replies %s", f.stage(), got)
	}
}

func TestNumberTypedInASentence(t *testing.T) {
	t.Parallel()
	for typed, want := range map[string]string{
		"080-3344-5566":                      "080-3344-5566",
		"新しい番号は080-3344-5566です":              "080-3344-5566",
		"My new number is +81 80 3344 5566.": "+81 80 3344 5566",
		"０８０ー３３４４ー５５６６です":                    "080ー3344ー5566",
		// Two numbers, or other digits, or an extension: as typed, for
		// the check to explain.
		"080-1111-2222 か 090-3333-4444": "080-1111-2222 か 090-3333-4444",
		"03-1234-5678 内線123":            "03-1234-5678 内線123",
		"3月から 080-3344-5566":            "3月から 080-3344-5566",
		"abc":                           "abc",
	} {
		f := newChangeFlow(t)
		f.step(submit(cards.VerbChange, cards.KindKey, "backup"))
		f.step(submit(dialogs.VerbChangePick, "choice", "alternateMobile"))
		f.step(text(typed))
		if got := f.checksAsked(); len(got) != 1 || got[0] != want {
			t.Errorf("typed %q: checked %q, want %q", typed, got, want)
		}
	}
}

func TestDoneCardsSayWhatHappened(t *testing.T) {
	t.Parallel()
	t.Run("removal", func(t *testing.T) {
		f := newChangeFlow(t)
		f.methods.Phones = append(f.methods.Phones, dialogs.PhoneView{Slot: "office", Masked: "+81 3••••5678"})
		f.methods.MFACapable = 3
		f.step(submit(cards.VerbChange, cards.KindKey, "remove"))
		f.step(submit(dialogs.VerbChangePick, "choice", "phone:office"))
		f.step(confirm(f.req()))
		got := f.repliesText()
		if !strings.Contains(got, "削除しました。残っている方法") || strings.Contains(got, "新しい方法") || strings.Contains(got, "新しい番号") {
			t.Errorf("removal's end card: %s", got)
		}
	})
	t.Run("new number, Authenticator on the old phone", func(t *testing.T) {
		f := newChangeFlow(t)
		f.step(submit(cards.VerbChange, cards.KindKey, "phone"))
		f.step(submit(dialogs.VerbChangePick, "choice", "known"))
		f.step(text("080-1234-5678"))
		f.step(submit(dialogs.VerbChangePick, "choice", "sms"))
		f.step(confirm(f.req()))
		got := f.repliesText()
		if !strings.Contains(got, "Microsoft Authenticator も入っていた場合") || !strings.Contains(got, `"kind":"authenticator"`) {
			t.Errorf("a phone change with Authenticator registered does not mention it: %s", got)
		}
	})
	t.Run("new number, no Authenticator", func(t *testing.T) {
		f := newChangeFlow(t)
		f.methods.Devices = nil
		f.step(submit(cards.VerbChange, cards.KindKey, "phone"))
		f.step(submit(dialogs.VerbChangePick, "choice", "known"))
		f.step(text("080-1234-5678"))
		f.step(submit(dialogs.VerbChangePick, "choice", "sms"))
		f.step(confirm(f.req()))
		got := f.repliesText()
		if !strings.Contains(got, "新しい番号でコードを受け取れるか") || strings.Contains(got, "Authenticator も") {
			t.Errorf("end card: %s", got)
		}
	})
}

func TestTypedButtons(t *testing.T) {
	t.Parallel()
	r := dialogs.NewRouter(testKB, nil)
	start := func() dialogs.Session {
		s, _ := r.Step(dialogs.Session{}, submit(cards.VerbTroubleshoot, cards.TSKey, "voice"))
		return s
	}
	for _, typed := range []string{"かかってきた", "かかってきた！", " かかってきた。"} {
		s, _ := r.Step(start(), text(typed))
		// The click's next node, as the button would have led: still in
		// the troubleshooter, past the first question.
		if len(s.Stack) != 1 || s.Stack[0].Dialog != "troubleshoot" || strings.Contains(string(s.Stack[0].State), `"node":"rang"`) {
			t.Errorf("typed %q: stack %+v, want the troubleshooter one step on", typed, s.Stack)
		}
	}
	// Anything else is still a question, and the troubleshooter gives way.
	s, out := r.Step(start(), text("海外でコードが受け取れない"))
	if len(s.Stack) != 0 || len(out.Replies) == 0 {
		t.Errorf("a question mid-troubleshooter: stack %+v", s.Stack)
	}
}

func TestTemporaryNumberKeptAtEveryStep(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.toTempDone()
	if !strings.Contains(string(f.s.Stack[len(f.s.Stack)-1].State), dialogs.TempWaitMark) {
		t.Fatalf("the waiting flow's state has no %s: %s", dialogs.TempWaitMark, f.s.Stack[len(f.s.Stack)-1].State)
	}
	// Back, then the menu's "change my phone number" again at the number
	// step: still the finishing path, not a new flow.
	f.step(submit(cards.VerbChange))
	f.step(submit(cards.VerbChange, cards.KindKey, "change-phone"))
	if got := f.repliesText(); f.stage() != "number" || !strings.Contains(got, "おかえりなさい") {
		t.Fatalf("the phone change started again at the number step: stage %q, %s", f.stage(), got)
	}
	// Stopped there for a day: reminded, and waiting as before.
	f.now = f.now.Add(24 * time.Hour)
	f.step(event(dialogs.EventTempReminder, dialogs.Personal))
	if got := f.repliesText(); f.stage() != "temp-done" || !strings.Contains(got, "一時的な番号がまだ登録されています") {
		t.Errorf("a day after stopping at the number: stage %q, %s", f.stage(), got)
	}
}

func TestPromptsAreAnsweredByTheirTopic(t *testing.T) {
	t.Parallel()
	r := dialogs.NewRouter(testKB, nil)
	_, out := r.Step(dialogs.Session{}, text("SMSが届かない"))
	if len(out.Replies) == 0 || len(out.Replies[0].Prompts) == 0 {
		t.Fatalf("an answer without prompts: %+v", out.Replies)
	}
	for _, typed := range append(out.Replies[0].Prompts, "My mail app stopped getting email", "ｍｙ ｍａｉｌ ａｐｐ ｓｔｏｐｐｅｄ ｇｅｔｔｉｎｇ ｅｍａｉｌ！") {
		e, ok := testKB.ByTitle(typed)
		if !ok {
			t.Errorf("%q is no topic's title or label", typed)
			continue
		}
		s, out := r.Step(dialogs.Session{}, text(typed))
		if s.LastTopic != e.ID || len(out.Replies) == 0 || out.Replies[0].Card == nil {
			t.Errorf("%q: answered %q, want %s", typed, s.LastTopic, e.ID)
		}
		if out.Matched != nil {
			t.Errorf("%q went to the matcher (%+v): a topic's own title is answered without a guess", typed, out.Matched)
		}
	}
}

func TestTypedConfirmIsNoConfirm(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.covered = true // a sign-in that covers the change: a confirm would write at once
	f.toPreview()
	f.step(text("確定する"))
	for _, e := range f.effects {
		switch e.(type) {
		case dialogs.BeginStepUp, dialogs.ApplyChange:
			t.Fatalf("typed 確定する asked for %s: only the card's button confirms", e.EffectName())
		}
	}
	if f.stage() != "confirm" {
		t.Errorf("stage %q after a typed 確定する, want the preview still open", f.stage())
	}
}

func TestWaitingFlowTakesOnlyANumber(t *testing.T) {
	t.Parallel()
	for typed, resumes := range map[string]bool{
		"080-3344-5566":                  true,
		"新しい番号は080-3344-5566です":          true,
		"My new number is 080 3344 5566": true,
		"2025-12-01 から SMS が届かない":        false,
		"注文 1234567 の件で質問があります":          false,
	} {
		f := newChangeFlow(t)
		f.toTempDone()
		f.step(text(typed))
		if got := f.stage() != "temp-done"; got != resumes {
			t.Errorf("typed %q while the flow waits: resumed %v, want %v", typed, got, resumes)
		}
	}
}

// TestTemporaryNumberOutlivesEveryEnding: whatever ends what runs on top
// of a temporary number, the flow waits for the new number again.
func TestTemporaryNumberOutlivesEveryEnding(t *testing.T) {
	t.Parallel()
	t.Run("another change, cancelled", func(t *testing.T) {
		f := newChangeFlow(t)
		f.toTempDone()
		f.step(submit(cards.VerbChange, cards.KindKey, "authenticator"))
		if f.stage() != "wait-added" || !strings.Contains(string(f.s.Stack[0].State), dialogs.TempWaitMark) {
			t.Fatalf("the Authenticator move does not carry the temporary number: %s", f.s.Stack[0].State)
		}
		f.step(submit(dialogs.VerbChangeCancel))
		if f.stage() != "temp-done" || !strings.Contains(f.repliesText(), "+81 3••••5678 は登録したままです") {
			t.Errorf("after cancelling the other change: stage %q, %s", f.stage(), f.repliesText())
		}
	})
	t.Run("the methods cannot be read", func(t *testing.T) {
		f := newChangeFlow(t)
		f.toTempDone()
		f.loadErr = &dialogs.Problem{Code: "throttled", JA: "混み合っています。", EN: "Busy."}
		f.step(submit(cards.VerbChange))
		if got := f.repliesText(); f.stage() != "temp-done" || !strings.Contains(got, "混み合っています") || !strings.Contains(got, "は登録したままです") {
			t.Errorf("after a failed read: stage %q, %s", f.stage(), got)
		}
	})
	t.Run("an idle day's clean-up", func(t *testing.T) {
		f := newChangeFlow(t)
		f.toTempDone()
		f.step(submit(cards.VerbChange))
		f.step(text("080-3344-5566"))
		f.step(submit(dialogs.VerbChangePick, "choice", "sms"))
		s, dropped := dialogs.ForgetNumbers(f.s)
		if !dropped || len(s.Stack) != 1 || strings.Contains(string(s.Stack[0].State), "3344") ||
			!strings.Contains(string(s.Stack[0].State), `"stage":"temp-done"`) || !strings.Contains(string(s.Stack[0].State), dialogs.TempWaitMark) {
			t.Errorf("ForgetNumbers on a finishing preview: dropped %v, stack %+v", dropped, s.Stack)
		}
	})
	t.Run("a sign-in never finished", func(t *testing.T) {
		f := newChangeFlow(t)
		f.toTempDone()
		f.signIn = "" // they never sign in
		f.step(submit(cards.VerbChange))
		f.step(text("080-3344-5566"))
		f.step(submit(dialogs.VerbChangePick, "choice", "sms"))
		f.step(confirm(f.req()))
		if f.stage() != "sign-in" {
			t.Fatalf("stage %q, want waiting for the sign-in", f.stage())
		}
		f.now = f.now.Add(24 * time.Hour)
		f.step(event(dialogs.EventTempReminder, dialogs.Personal))
		if got := f.repliesText(); f.stage() != "temp-done" || !strings.Contains(got, "一時的な番号がまだ登録されています") {
			t.Errorf("a day after an unfinished sign-in: stage %q, %s", f.stage(), got)
		}
	})
}
