package dialogs

import (
	"time"

	"github.com/mfadesk/mfadesk/cards"
)

// CampaignAct asks the runner to record what a person did with the passkey
// campaign's card (store.CampaignAction*). It is recorded against the
// person who clicked, and only if they are in that campaign: a forwarded
// card changes nothing for anyone.
type CampaignAct struct {
	Campaign string
	Action   string
	Until    time.Time // for "later": when to remind them
}

// EffectName implements [Effect].
func (CampaignAct) EffectName() string { return "campaign.act" }

// The campaign's actions, as the store names them (store.CampaignAction*;
// dialogs stay free of the store).
const (
	campaignStart        = "start"
	campaignLater        = "later"
	campaignNoSmartphone = "no-smartphone"
)

// CampaignSnooze is how long "remind me later" puts a reminder off: long
// enough not to nag, short enough to leave time before the deadline.
const CampaignSnooze = 3 * 24 * time.Hour

// campaignVerb handles the campaign card's own buttons; "register a
// passkey" is the passkey flow's start (see Passkey).
func (r *Router) campaignVerb(in Input, verb string, out *Turn) {
	campaign := in.Data[cards.CampaignKey]
	switch verb {
	case cards.VerbCampaignLater:
		until := in.Now.Add(CampaignSnooze)
		if end := r.tenant.SMSVoiceEnd; r.tenant.PhoneCodesEnding(in.Now) && until.After(end.Add(-24*time.Hour)) {
			until = end.Add(-24 * time.Hour) // the last reminder still comes before the day
		}
		if !until.After(in.Now) {
			until = in.Now
		}
		out.Replies = append(out.Replies, cards.CampaignLaterOK(in.Lang, until, r.tenant.SMSVoiceEnd))
		out.Effects = append(out.Effects, CampaignAct{Campaign: campaign, Action: campaignLater, Until: until})
	case cards.VerbCampaignNoSmartphone:
		nophone := Passkey{Tenant: r.tenant}.noSmartphone(in.Lang)
		out.Replies = append(out.Replies, nophone.Replies...)
		out.Effects = append(out.Effects, CampaignAct{Campaign: campaign, Action: campaignNoSmartphone})
	}
}
