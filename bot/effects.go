package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/mfadesk/mfadesk/dialogs"
)

// FeedbackStore keeps answer feedback.
type FeedbackStore interface {
	RecordFeedback(ctx context.Context, topic string, helpful bool, at time.Time) error
}

// Effects executes the effects dialogs ask for.
type Effects struct {
	Feedback FeedbackStore
}

// RunEffect implements [EffectRunner].
func (x *Effects) RunEffect(ctx context.Context, e dialogs.Effect, in dialogs.Input) dialogs.Result {
	res := dialogs.Result{Effect: e.EffectName()}
	switch e := e.(type) {
	case dialogs.RecordFeedback:
		res.Err = x.Feedback.RecordFeedback(ctx, e.Topic, e.Helpful, in.Now)
	default:
		res.Err = fmt.Errorf("no runner for effect %s", e.EffectName())
	}
	return res
}
