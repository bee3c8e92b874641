package dialogs

// RecordFeedback asks the runner to store a 👍 or 👎 on an answer. It
// carries no text from the user.
type RecordFeedback struct {
	Topic   string
	Helpful bool
}

// EffectName implements [Effect].
func (RecordFeedback) EffectName() string { return "faq.feedback" }
