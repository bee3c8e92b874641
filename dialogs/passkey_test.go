package dialogs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/faq"
)

// passkeyFlow drives the router as a person moving to a passkey, with
// their methods as Graph would read them at each step.
type passkeyFlow struct {
	t       *testing.T
	r       *dialogs.Router
	s       dialogs.Session
	now     time.Time
	user    dialogs.User
	methods dialogs.MethodsView
	loads   int
}

func newPasskeyFlow(t *testing.T, tenant faq.Tenant, now time.Time, m dialogs.MethodsView) *passkeyFlow {
	r := dialogs.NewRouter(testKB, nil)
	r.SetTenant(tenant)
	return &passkeyFlow{t: t, r: r, now: now, methods: m, user: dialogs.User{ID: "29:h", AADObjectID: "hanako", Name: "山田 花子"}}
}

// step sends in and answers LoadMethods with the current methods; it
// returns the text of everything the bot said.
func (f *passkeyFlow) step(in dialogs.Input) (string, dialogs.Turn) {
	f.t.Helper()
	in.User, in.Now = f.user, f.now
	var out dialogs.Turn
	f.s, out = f.r.Step(f.s, in)
	text := turnText(f.t, out)
	for _, e := range out.Effects {
		if _, ok := e.(dialogs.LoadMethods); !ok {
			return text, out
		}
		f.loads++
		res := dialogs.Result{Effect: e.EffectName(), Value: f.methods}
		f.s, out = f.r.Step(f.s, dialogs.Input{Kind: dialogs.ResultInput, Result: &res, User: f.user, Now: f.now, Locale: "ja-JP", Scope: dialogs.Personal})
		text += turnText(f.t, out)
	}
	return text, out
}

func turnText(t *testing.T, out dialogs.Turn) string {
	var b strings.Builder
	for _, m := range out.Replies {
		b.WriteString(m.Text)
		if m.Card != nil {
			b.WriteString(mustCardJSON(t, m.Card))
		}
	}
	return b.String()
}

// SMS only, before the date: told what the date means for them, shown how
// to register on their device, the new passkey found and named, then the
// offer to remove the phone methods through the guided change.
func TestPasskeyFlowFromSMSOnly(t *testing.T) {
	t.Parallel()
	before := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	smsOnly := dialogs.MethodsView{Phones: []dialogs.PhoneView{{Slot: "mobile", Masked: "+81 90••••5678"}}, MFACapable: 1}
	f := newPasskeyFlow(t, faq.DefaultTenant(), before, smsOnly)
	got, _ := f.step(submit(cards.VerbPasskey))
	for _, want := range []string{"SMS・音声通話だけ", "2027年2月1日", "先に進めなく", "iPhone", "Android", "セキュリティキー", "スマホがない"} {
		if !strings.Contains(got, want) {
			t.Errorf("standing: %q missing in %s", want, got)
		}
	}
	got, _ = f.step(submit(dialogs.VerbPasskeyDevice, "device", "iphone"))
	for _, want := range []string{"iOS 17", "aka.ms/mysecurityinfo", "QR", "Bluetooth", "登録しました"} {
		if !strings.Contains(got, want) {
			t.Errorf("instructions: %q missing in %s", want, got)
		}
	}
	// Pressed too early: nothing new yet.
	got, _ = f.step(submit(dialogs.VerbPasskeyAdded))
	if !strings.Contains(got, "まだ見つかりません") {
		t.Errorf("no passkey yet: %s", got)
	}
	f.methods.Passkeys = []dialogs.PasskeyView{{ID: "pk-1", Name: "Microsoft Authenticator (iOS)"}}
	got, out := f.step(submit(dialogs.VerbPasskeyAdded))
	if !strings.Contains(got, "Microsoft Authenticator (iOS)") || !strings.Contains(got, "パスキーでサインイン") {
		t.Errorf("found: %s", got)
	}
	if !strings.Contains(got, `"verb":"change.start"`) || !strings.Contains(got, `"kind":"remove-method"`) {
		t.Errorf("no offer to remove the phone methods through the guided change: %s", got)
	}
	if len(out.Effects) != 0 {
		t.Errorf("the passkey flow asked for %v: it writes nothing itself", out.Effects)
	}
	if f.loads != 3 {
		t.Errorf("methods read %d times, want 3 (start, too early, found)", f.loads)
	}
}

// The flow follows the tenant: a provider keeps SMS (no removal offered),
// an organisation without passkeys sends people to the helpdesk, one with
// security keys only offers them.
func TestPasskeyFlowFollowsTheTenant(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	phone := dialogs.MethodsView{Phones: []dialogs.PhoneView{{Slot: "mobile", Masked: "+81 90••••5678"}}, MFACapable: 1}

	provider := faq.DefaultTenant()
	provider.Telephony = faq.TelephonyProvider
	f := newPasskeyFlow(t, provider, now, phone)
	f.step(submit(cards.VerbPasskey))
	f.step(submit(dialogs.VerbPasskeyDevice, "device", "android"))
	f.methods.Passkeys = []dialogs.PasskeyView{{ID: "pk-1", Name: "Microsoft Authenticator (Android)"}}
	if got, _ := f.step(submit(dialogs.VerbPasskeyAdded)); strings.Contains(got, "remove-method") {
		t.Errorf("a provider's SMS goes on, yet removal was offered: %s", got)
	}

	microsoft := faq.DefaultTenant()
	f = newPasskeyFlow(t, microsoft, now, phone)
	if got, _ := f.step(submit(cards.VerbPasskey)); !strings.Contains(got, "もう使えません") {
		t.Errorf("after the date: %s", got)
	}

	noPasskeys := faq.DefaultTenant()
	noPasskeys.PasskeyKinds = nil
	f = newPasskeyFlow(t, noPasskeys, now, phone)
	if got, _ := f.step(submit(cards.VerbPasskey)); !strings.Contains(got, "まだパスキーを使えません") || strings.Contains(got, "passkey.device") {
		t.Errorf("no passkeys allowed: %s", got)
	}

	keysOnly := faq.DefaultTenant()
	keysOnly.PasskeyKinds = []string{faq.PasskeySecurityKey}
	f = newPasskeyFlow(t, keysOnly, now, phone)
	got, _ := f.step(submit(cards.VerbPasskey))
	if strings.Contains(got, `"device":"iphone"`) || !strings.Contains(got, `"device":"security-key"`) {
		t.Errorf("security keys only, yet offered: %s", got)
	}
	if got, _ := f.step(submit(dialogs.VerbPasskeyDevice, "device", "none")); !strings.Contains(got, "セキュリティキー（USB") || strings.Contains(got, "Windows Hello") {
		t.Errorf("no smartphone, security keys only: %s", got)
	}
}

// Methods are shown in the 1:1 chat only, and only the person who started
// the flow steers it.
func TestPasskeyFlowIsPersonal(t *testing.T) {
	t.Parallel()
	f := newPasskeyFlow(t, faq.DefaultTenant(), time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), dialogs.MethodsView{})
	in := submit(cards.VerbPasskey)
	in.Scope = dialogs.GroupChat
	_, out := f.step(in)
	if len(out.Effects) != 1 {
		t.Fatalf("effects %v, want the move to the 1:1 chat", out.Effects)
	}
	if m, ok := out.Effects[0].(dialogs.MoveToPersonal); !ok || m.Verb != cards.VerbPasskey {
		t.Errorf("effect %+v, want MoveToPersonal", out.Effects[0])
	}
	f = newPasskeyFlow(t, faq.DefaultTenant(), time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), dialogs.MethodsView{})
	f.step(submit(cards.VerbPasskey))
	f.user = dialogs.User{ID: "29:taro", AADObjectID: "taro", Name: "Taro"}
	if got, _ := f.step(submit(dialogs.VerbPasskeyDevice, "device", "iphone")); !strings.Contains(got, "開始した本人だけ") {
		t.Errorf("someone else steered the flow: %s", got)
	}
}

// Once the tenant's SMS and voice codes have ended, the SMS troubleshooter
// and the SMS answer lead to a passkey, not to the carrier's settings;
// before the date they carry a notice; a provider changes nothing.
func TestSMSHelpFollowsTheTenantAndTheDate(t *testing.T) {
	t.Parallel()
	before := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	after := time.Date(2027, 2, 2, 9, 0, 0, 0, time.UTC)
	provider := faq.DefaultTenant()
	provider.Telephony = faq.TelephonyProvider
	for _, tt := range []struct {
		name        string
		tenant      faq.Tenant
		now         time.Time
		troubleshot bool // the troubleshooter runs
		notice      bool
	}{
		{"Microsoft, before the date", faq.DefaultTenant(), before, true, true},
		{"Microsoft, after the date", faq.DefaultTenant(), after, false, false},
		{"a provider, after the date", provider, after, true, false},
	} {
		r := dialogs.NewRouter(testKB, nil)
		r.SetTenant(tt.tenant)
		in := submit(cards.VerbTroubleshoot, cards.TSKey, "sms")
		in.Now = tt.now
		_, out := r.Step(dialogs.Session{}, in)
		got := turnText(t, out)
		ran := !strings.Contains(got, `"verb":"passkey.start"`)
		if ran != tt.troubleshot {
			t.Errorf("%s: troubleshooter ran %t, want %t: %s", tt.name, ran, tt.troubleshot, got)
		}
		q := text("SMSが届かない")
		q.Now = tt.now
		_, out = r.Step(dialogs.Session{}, q)
		got = turnText(t, out)
		if has := strings.Contains(got, "2027年2月1日で終わります"); has != tt.notice {
			t.Errorf("%s: notice shown %t, want %t: %s", tt.name, has, tt.notice, got)
		}
		if tt.name == "Microsoft, after the date" && (strings.Contains(got, "海外からのSMS") || !strings.Contains(got, `"verb":"passkey.start"`)) {
			t.Errorf("%s: the SMS answer still walks through carrier settings or has no way to a passkey: %s", tt.name, got)
		}
	}
}

// After the date, a phone change says a new number won't help anyone sign
// in and offers a passkey first; the phone change stays one click away.
func TestPhoneChangeOffersAPasskeyFirstOnceCodesEnded(t *testing.T) {
	t.Parallel()
	after := time.Date(2027, 2, 2, 9, 0, 0, 0, time.UTC)
	r := dialogs.NewRouter(testKB, nil)
	r.SetTenant(faq.DefaultTenant())
	in := submit(cards.VerbChange, cards.KindKey, "change-phone")
	in.Now = after
	s, out := r.Step(dialogs.Session{}, in)
	got := turnText(t, out)
	if len(out.Effects) != 0 || !strings.Contains(got, "サインインには使えません") || !strings.Contains(got, `"verb":"passkey.start"`) || !strings.Contains(got, `"continue":"1"`) {
		t.Fatalf("effects %v, card %s; want the passkey offered first and nothing read yet", out.Effects, got)
	}
	in = submit(cards.VerbChange, cards.KindKey, "phone", "continue", "1")
	in.Now = after
	_, out = r.Step(s, in)
	if len(out.Effects) != 1 {
		t.Fatalf("continuing gave effects %v, want the methods read for the phone change", out.Effects)
	}
	if _, ok := out.Effects[0].(dialogs.LoadMethods); !ok {
		t.Errorf("effect %+v, want LoadMethods", out.Effects[0])
	}
	provider := faq.DefaultTenant()
	provider.Telephony = faq.TelephonyProvider
	r.SetTenant(provider)
	in = submit(cards.VerbChange, cards.KindKey, "change-phone")
	in.Now = after
	if _, out = r.Step(dialogs.Session{}, in); len(out.Effects) != 1 {
		t.Errorf("a provider's tenant: effects %v, want the phone change to start", out.Effects)
	}
}
