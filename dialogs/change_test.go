package dialogs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
)

// changeFlow drives the Change dialog through the router, answering its
// effects like the runner would, and records every effect it asked for.
type changeFlow struct {
	t       *testing.T
	r       *dialogs.Router
	s       dialogs.Session
	now     time.Time
	user    dialogs.User
	effects []dialogs.Effect
	last    dialogs.Turn
	methods dialogs.MethodsView
	seq     int
	asked   *dialogs.BeginStepUp // a sign-in was asked for and not answered yet
	notices []dialogs.Notify
	replies []cards.Message // everything the last step sent, effects' turns included
	// signIn is the verdict of the sign-ins the person makes when asked
	// (cards.SignInOK by default); "" means they never sign in.
	signIn string
	// covered makes BeginStepUp answer Done: a sign-in already covers the
	// change, or step-up is off.
	covered bool
	// checked, when set, answers CheckPhone (the number typed, as the
	// runner's check reads it).
	checked func(dialogs.CheckPhone) dialogs.CheckedPhone
	// loadErr, when set, is what reading the methods fails with.
	loadErr error
}

func newChangeFlow(t *testing.T) *changeFlow {
	return &changeFlow{t: t, r: dialogs.NewRouter(testKB, nil), now: now, signIn: cards.SignInOK,
		user: dialogs.User{ID: "29:1owner", AADObjectID: "11111111-1111-4111-8111-111111111111"},
		methods: dialogs.MethodsView{Phones: []dialogs.PhoneView{{Slot: "mobile", Masked: "+81 90••••5678"}},
			Devices: []dialogs.DeviceView{{ID: "dev1", Name: "Pixel 8"}}, MFACapable: 2}}
}

// step feeds one input and answers read effects; write effects are recorded
// and answered with success.
func (f *changeFlow) step(in dialogs.Input) dialogs.Turn {
	f.seq++
	in.ActivityID = "act-" + string(rune('a'+f.seq))
	if in.User.ID == "" {
		in.User = f.user
	}
	in.Now, in.Locale = f.now, "ja-JP"
	var out dialogs.Turn
	f.s, out = f.r.Step(f.s, in)
	f.last = out
	f.replies = out.Replies
	out = f.runEffects(in, out)
	// The person signs in in the browser; the callback delivers the
	// outcome to the conversation, as bot.Runner.Resume does.
	for f.asked != nil && f.signIn != "" {
		key := f.asked.Key
		f.asked = nil
		res := dialogs.Result{Effect: dialogs.StepUpOutcomeEffect, Value: dialogs.StepUpOutcome{Key: key, Verdict: f.signIn}}
		f.s, out = f.r.Step(f.s, dialogs.Input{Kind: dialogs.ResultInput, Result: &res, User: in.User, Now: f.now, Locale: "ja-JP", Scope: in.Scope})
		f.last = out
		out = f.runEffects(in, out)
	}
	return out
}

// runEffects answers the effects of out, and of the turns they lead to.
func (f *changeFlow) runEffects(in dialogs.Input, out dialogs.Turn) dialogs.Turn {
	for len(out.Effects) > 0 {
		e := out.Effects[0]
		f.effects = append(f.effects, e)
		res := dialogs.Result{Effect: e.EffectName()}
		switch e := e.(type) {
		case dialogs.BeginStepUp:
			if f.covered {
				res.Value = dialogs.StepUpStarted{Done: true}
				break
			}
			res.Value = dialogs.StepUpStarted{URL: "https://login.example/authorize?state=s-" + e.Key}
			f.asked = &e
		case dialogs.LoadMethods:
			res.Value = f.methods
			if f.loadErr != nil {
				res.Value, res.Err = nil, f.loadErr
			}
		case dialogs.Notify:
			f.notices = append(f.notices, e)
		case dialogs.CheckPhone:
			res.Value = dialogs.CheckedPhone{Number: "+81 8012345678", Masked: "+81 80••••5678", CanSMS: true}
			if f.checked != nil {
				res.Value = f.checked(e)
			}
		case dialogs.ApplyChange:
			res.Value = dialogs.ChangeOutcome{Done: make([]bool, len(e.Ops))}
			for i := range e.Ops {
				res.Value.(dialogs.ChangeOutcome).Done[i] = true
			}
		}
		update := out.Update
		f.s, out = f.r.Step(f.s, dialogs.Input{Kind: dialogs.ResultInput, Result: &res, User: in.User, Now: f.now, Locale: "ja-JP"})
		if out.Update == nil {
			out.Update = update // the clicked card keeps its latest version
		}
		f.replies = append(f.replies, out.Replies...)
		f.last = out
	}
	return out
}

func (f *changeFlow) writes() int {
	n := 0
	for _, e := range f.effects {
		if _, ok := e.(dialogs.ApplyChange); ok {
			n++
		}
	}
	return n
}

func (f *changeFlow) req() string {
	st := string(f.s.Stack[len(f.s.Stack)-1].State)
	const key = `"pending":{"id":"`
	i := strings.Index(st, key)
	if i < 0 {
		f.t.Fatalf("no pending request in %s", st)
	}
	i += len(key)
	return st[i : i+strings.Index(st[i:], `"`)]
}

func (f *changeFlow) toPreview() {
	f.step(submit(cards.VerbChange, cards.KindKey, "backup"))
	f.step(submit(dialogs.VerbChangePick, "choice", "alternateMobile"))
	f.step(text("080-1234-5678"))
	f.step(submit(dialogs.VerbChangePick, "choice", "sms"))
	if f.writes() != 0 {
		f.t.Fatalf("%d write effects before the confirm", f.writes())
	}
}

func confirm(req string) dialogs.Input {
	in := submit(dialogs.VerbChangeConfirm, "req", req)
	in.Execute = true
	return in
}

func TestChangeConfirmRules(t *testing.T) {
	t.Parallel()
	t.Run("confirm within the window writes once", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.toPreview()
		req := f.req()
		f.now = f.now.Add(9 * time.Minute)
		f.step(confirm(req))
		if f.writes() != 1 {
			t.Fatalf("%d write effects, want 1", f.writes())
		}
		f.step(confirm(req))
		if f.writes() != 1 {
			t.Errorf("a second confirm asked for another write")
		}
	})
	t.Run("an expired confirm writes nothing", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.toPreview()
		req := f.req()
		f.now = f.now.Add(dialogs.ConfirmWindow + time.Second)
		out := f.step(confirm(req))
		if f.writes() != 0 {
			t.Errorf("an expired confirm asked for a write")
		}
		if out.Update == nil || !strings.Contains(mustCardJSON(t, out.Update), "期限") {
			t.Errorf("the expired preview should say so in place")
		}
	})
	t.Run("a wrong id writes nothing", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.toPreview()
		f.step(confirm("chg-forged"))
		if f.writes() != 0 {
			t.Errorf("a confirm with a wrong id asked for a write")
		}
	})
	t.Run("another person writes nothing", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.toPreview()
		in := confirm(f.req())
		in.User = dialogs.User{ID: "29:1other", AADObjectID: "22222222-2222-4222-8222-222222222222"}
		f.step(in)
		if f.writes() != 0 {
			t.Errorf("another person's confirm asked for a write")
		}
		f.step(confirm(f.req())) // the owner still can
		if f.writes() != 1 {
			t.Errorf("the owner's confirm after a refused one: %d writes, want 1", f.writes())
		}
	})
	t.Run("after cancel nothing is written", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.toPreview()
		req := f.req()
		f.step(submit(dialogs.VerbChangeCancel, "req", req))
		f.step(confirm(req))
		if f.writes() != 0 {
			t.Errorf("a confirm after cancel asked for a write")
		}
	})
	t.Run("the write carries the confirmed id as its key", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.toPreview()
		req := f.req()
		f.step(confirm(req))
		for _, e := range f.effects {
			if a, ok := e.(dialogs.ApplyChange); ok && (a.Key != req || a.Owner != f.user.AADObjectID) {
				t.Errorf("ApplyChange key %q owner %q, want %q %q", a.Key, a.Owner, req, f.user.AADObjectID)
			}
		}
	})
}

func mustCardJSON(t *testing.T, c *cards.Card) string {
	t.Helper()
	b, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPhoneChangeAsksWhichNumberWhenThereAreSeveral(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.methods.Phones = append(f.methods.Phones, dialogs.PhoneView{Slot: "office", Masked: "+81 3••••1111"})
	f.step(submit(cards.VerbChange, cards.KindKey, "phone"))
	out := f.step(submit(dialogs.VerbChangePick, "choice", "known"))
	if len(out.Replies) == 0 || !strings.Contains(mustCardJSON(t, out.Replies[0].Card), "どの番号が変わりますか") {
		t.Fatalf("with two numbers the flow should ask which changes")
	}
	out = f.step(submit(dialogs.VerbChangePick, "choice", "slot:office"))
	if len(out.Replies) == 0 || !strings.Contains(mustCardJSON(t, out.Replies[0].Card), "職場・固定電話") {
		t.Fatalf("the number form should be for the office phone")
	}
	f.step(text("03-2222-3333"))
	f.step(confirm(f.req()))
	for _, e := range f.effects {
		if a, ok := e.(dialogs.ApplyChange); ok {
			if len(a.Ops) != 1 || a.Ops[0].Op != dialogs.OpChangePhone || a.Ops[0].Slot != "office" || a.Ops[0].SMS {
				t.Errorf("ops = %+v, want one voice-only change of the office phone", a.Ops)
			}
		}
	}
	if f.writes() != 1 {
		t.Errorf("%d writes, want 1", f.writes())
	}
}

func TestTypedCommandStartsAChange(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	out := f.step(text("サインイン方法を変更する"))
	if len(out.Replies) == 0 || out.Replies[0].Card == nil || !strings.Contains(mustCardJSON(t, out.Replies[0].Card), "何を変更しますか") {
		t.Fatalf("the typed command should ask what to change, got %+v", out.Replies)
	}
}

var bob = dialogs.User{ID: "29:1bob", AADObjectID: "22222222-2222-4222-8222-222222222222"}

func as(u dialogs.User, in dialogs.Input) dialogs.Input {
	in.User = u
	return in
}

func TestOnlyTheStarterSteersTheFlow(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.step(submit(cards.VerbChange, cards.KindKey, "backup"))
	before := string(f.s.Stack[0].State)
	for _, in := range []dialogs.Input{
		as(bob, submit(dialogs.VerbChangePick, "choice", "alternateMobile")),
		as(bob, submit(dialogs.VerbChangeCancel)),
	} {
		f.step(in)
		if len(f.s.Stack) != 1 || string(f.s.Stack[0].State) != before {
			t.Fatalf("another person's %s changed the flow", in.Verb)
		}
	}
	f.step(submit(dialogs.VerbChangePick, "choice", "alternateMobile"))
	f.step(as(bob, text("080-9999-9999"))) // Bob's text is his own question, not the number
	if strings.Contains(string(f.s.Stack[len(f.s.Stack)-1].State), "9999") {
		t.Fatal("another person's text was taken as the number")
	}
	f.step(text("080-1234-5678"))
	f.step(submit(dialogs.VerbChangePick, "choice", "sms"))
	f.step(as(bob, confirm(f.req())))
	if f.writes() != 0 {
		t.Fatal("another person's confirm asked for a write")
	}
	f.step(confirm(f.req()))
	for _, e := range f.effects {
		if a, ok := e.(dialogs.ApplyChange); ok && a.Owner != f.user.AADObjectID {
			t.Errorf("the write is for %s, want the starter %s", a.Owner, f.user.AADObjectID)
		}
	}
	if f.writes() != 1 {
		t.Errorf("%d writes, want 1", f.writes())
	}
}

func TestConfirmReachesTheFlowUnderAnotherDialog(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.toPreview()
	req := f.req()
	f.step(submit(cards.VerbTroubleshoot, cards.TSKey, "sms")) // a troubleshooter on top
	if len(f.s.Stack) != 2 {
		t.Fatalf("stack = %d frames, want the troubleshooter on top of the change", len(f.s.Stack))
	}
	f.step(confirm(req))
	if f.writes() != 1 {
		t.Errorf("the confirm under a troubleshooter: %d writes, want 1", f.writes())
	}
}

func TestInterruptedWriteIsRecovered(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.toPreview()
	// The confirm is saved, but the process dies before the write's result.
	var out dialogs.Turn
	f.s, out = f.r.Step(f.s, func() dialogs.Input {
		in := confirm(f.req())
		in.User, in.Now, in.ActivityID = f.user, f.now, "act-confirm"
		return in
	}())
	if len(out.Effects) != 1 {
		t.Fatalf("the confirm should ask for a sign-in, got %d effects", len(out.Effects))
	}
	// The sign-in is already covered; the write is asked for, then the
	// process dies.
	res := dialogs.Result{Effect: out.Effects[0].EffectName(), Value: dialogs.StepUpStarted{Done: true}}
	f.s, out = f.r.Step(f.s, dialogs.Input{Kind: dialogs.ResultInput, Result: &res, User: f.user, Now: f.now, Locale: "ja-JP"})
	if len(out.Effects) != 1 {
		t.Fatalf("a covered sign-in should ask for one write, got %d effects", len(out.Effects))
	}
	f.now = f.now.Add(5 * time.Minute)
	f.step(submit(dialogs.VerbChangeCancel))
	if !strings.Contains(string(f.s.Stack[len(f.s.Stack)-1].State), `"stage":"confirm"`) {
		t.Fatalf("after an interrupted write the flow should offer the change again: %s", f.s.Stack[len(f.s.Stack)-1].State)
	}
	key := out.Effects[0].(dialogs.ApplyChange).Key
	f.step(confirm(f.req()))
	for _, e := range f.effects {
		if a, ok := e.(dialogs.ApplyChange); ok && a.Key != key {
			t.Errorf("the retry uses key %s, want the change's key %s", a.Key, key)
		}
	}
}

func TestOutcomeCardShowsTheStateAfterTheChange(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.step(submit(cards.VerbChange, cards.KindKey, "remove"))
	f.step(submit(dialogs.VerbChangePick, "choice", "device:dev1"))
	out := f.step(confirm(f.req()))
	if out.Update == nil {
		t.Fatal("no in-place update with the outcome")
	}
	j := mustCardJSON(t, out.Update)
	_, after, _ := strings.Cut(j, "確認後")
	if !strings.Contains(j, `"value":"Pixel 8"`) || strings.Contains(after, "Pixel 8") {
		t.Errorf("the removed device should be listed before and not after: %s", j)
	}
	if !strings.Contains(j, "変更しました") {
		t.Errorf("the outcome card does not say it is done: %s", j)
	}
}

func TestNoWriteWithoutAStrongSignIn(t *testing.T) {
	t.Parallel()
	refusals := []string{cards.SignInWeak, cards.SignInOtherPerson, cards.SignInStale, cards.SignInReplayed,
		cards.SignInCancelled, cards.SignInFailed, cards.SignInWrongTenant, cards.SignInExpired, "something new"}
	for _, verdict := range refusals {
		t.Run(verdict, func(t *testing.T) {
			t.Parallel()
			f := newChangeFlow(t)
			f.signIn = verdict
			f.toPreview()
			f.step(confirm(f.req()))
			if f.writes() != 0 {
				t.Fatalf("a %q sign-in asked for a write", verdict)
			}
			title, _ := cards.SignInOutcome(verdict)
			if f.last.Update == nil || !strings.Contains(mustCardJSON(t, f.last.Update), title.JA) {
				t.Fatalf("the card should say %q in place, got %+v", title.JA, f.last.Update)
			}
			// Signing in again, properly this time, writes once.
			f.signIn = cards.SignInOK
			f.step(submit(dialogs.VerbChangeSignIn, "req", f.req()))
			if f.writes() != 1 {
				t.Errorf("after a good sign-in: %d writes, want 1", f.writes())
			}
		})
	}
	t.Run("never signing in", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.signIn = ""
		f.toPreview()
		f.step(confirm(f.req()))
		if f.writes() != 0 {
			t.Fatal("a confirm alone asked for a write")
		}
		j := mustCardJSON(t, f.last.Update)
		if !strings.Contains(j, `"type":"Action.OpenUrl","title":"サインインして確認する"`) || !strings.Contains(j, "https://login.example/authorize") {
			t.Errorf("the card should carry the sign-in button: %s", j)
		}
		if strings.Contains(j, dialogs.VerbChangeConfirm) {
			t.Errorf("the sign-in card must not offer Confirm again: %s", j)
		}
	})
	t.Run("an outcome for another change", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.signIn = ""
		f.toPreview()
		f.step(confirm(f.req()))
		res := dialogs.Result{Effect: dialogs.StepUpOutcomeEffect, Value: dialogs.StepUpOutcome{Key: "chg-other", Verdict: cards.SignInOK}}
		out := f.step(dialogs.Input{Kind: dialogs.ResultInput, Result: &res})
		if f.writes() != 0 {
			t.Fatal("another change's sign-in asked for this one's write")
		}
		if len(out.Replies) == 0 || !strings.Contains(out.Replies[0].Text, "受付を終えて") {
			t.Errorf("the person should hear that nothing changed, got %+v", out.Replies)
		}
	})
	t.Run("a sign-in after cancel", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.signIn = ""
		f.toPreview()
		req := f.req()
		f.step(confirm(req))
		key := f.asked.Key
		f.step(submit(dialogs.VerbChangeCancel, "req", req))
		res := dialogs.Result{Effect: dialogs.StepUpOutcomeEffect, Value: dialogs.StepUpOutcome{Key: key, Verdict: cards.SignInOK}}
		f.step(dialogs.Input{Kind: dialogs.ResultInput, Result: &res})
		if f.writes() != 0 {
			t.Fatal("a sign-in for a cancelled change asked for a write")
		}
	})
	t.Run("a sign-in after the confirmation expired", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.signIn = ""
		f.toPreview()
		f.step(confirm(f.req()))
		key := f.asked.Key
		f.now = f.now.Add(dialogs.ConfirmWindow + time.Second)
		res := dialogs.Result{Effect: dialogs.StepUpOutcomeEffect, Value: dialogs.StepUpOutcome{Key: key, Verdict: cards.SignInOK}}
		f.step(dialogs.Input{Kind: dialogs.ResultInput, Result: &res})
		if f.writes() != 0 {
			t.Fatal("a late sign-in asked for a write")
		}
	})
	t.Run("another person's sign-in again button", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.signIn = cards.SignInWeak
		f.toPreview()
		f.step(confirm(f.req()))
		f.signIn = cards.SignInOK
		f.step(as(bob, submit(dialogs.VerbChangeSignIn, "req", f.req())))
		if f.writes() != 0 || f.asked != nil {
			t.Fatal("another person's click started a sign-in or a write")
		}
	})
	t.Run("a covered change goes ahead without a second sign-in", func(t *testing.T) {
		t.Parallel()
		f := newChangeFlow(t)
		f.covered = true
		f.toPreview()
		f.step(confirm(f.req()))
		if f.writes() != 1 {
			t.Fatalf("%d writes, want 1", f.writes())
		}
	})
}

func TestEveryChangeIsNotified(t *testing.T) {
	t.Parallel()
	f := newChangeFlow(t)
	f.toPreview()
	req := f.req()
	if len(f.notices) != 0 {
		t.Fatal("a notice before anything changed")
	}
	f.step(confirm(req))
	if f.writes() != 1 || len(f.notices) != 1 {
		t.Fatalf("%d writes and %d email notices, want 1 and 1", f.writes(), len(f.notices))
	}
	n := f.notices[0]
	if n.Owner != f.user.AADObjectID || n.Kind != cards.NoticeChange || len(n.What) != 1 || !strings.Contains(n.What[0].JA, "80••••5678") || strings.Contains(n.What[0].EN, "8012345678") {
		t.Errorf("notice = %+v, want the owner's masked change in both languages", n)
	}
	var chat string
	for _, m := range f.replies {
		if m.Card != nil {
			chat += mustCardJSON(t, m.Card)
		}
	}
	if !strings.Contains(chat, cards.VerbNotMe) || !strings.Contains(chat, "80••••5678") {
		t.Errorf("the chat should get a notice with the masked change and a \"This wasn't me\" button: %s", chat)
	}
}
