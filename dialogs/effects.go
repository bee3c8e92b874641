package dialogs

// RecordFeedback asks the runner to store a 👍 or 👎 on an answer, with
// the comment Teams' own feedback form may carry.
type RecordFeedback struct {
	Topic   string
	Helpful bool
	// Comment is what the person wrote with it, numbers masked.
	Comment string
}

// EffectName implements [Effect].
func (RecordFeedback) EffectName() string { return "faq.feedback" }
