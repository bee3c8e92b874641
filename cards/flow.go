package cards

// Cards for the guided changes: a question with buttons, a form with one
// text input, a before → after preview to confirm, and a result. The texts
// come from the dialogs; these functions only lay them out.

// InputText is an Adaptive Card text input.
type InputText struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	Label       string `json:"label,omitempty"`
	Placeholder string `json:"placeholder,omitempty"`
	IsRequired  bool   `json:"isRequired,omitempty"`
	ErrorMsg    string `json:"errorMessage,omitempty"`
	Style       string `json:"style,omitempty"`
	MaxLength   int    `json:"maxLength,omitempty"`
}

// ChoiceCard asks a question answered by one of the choices, with the
// current facts (e.g. the person's methods) above it.
func ChoiceCard(l Lang, title, body string, facts []Fact, choices []Button, extra ...Button) *Card {
	c := newCard(l, heading(title))
	if body != "" {
		c.Body = append(c.Body, para(body))
	}
	if len(facts) > 0 {
		c.Body = append(c.Body, FactSet{Type: "FactSet", Facts: facts})
	}
	if len(choices) > 0 {
		c.Body = append(c.Body, buttonSet(choices))
	}
	for _, b := range extra {
		c.Actions = append(c.Actions, b.action())
	}
	return c
}

// FormCard asks for one line of text (a phone number), submitted with the
// submit button; the input's value arrives in the data under inputID.
func FormCard(l Lang, title, body, problem string, input InputText, submit Button, extra ...Button) *Card {
	c := newCard(l, heading(title), para(body))
	if problem != "" {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: problem, Wrap: true, Color: "Attention", Weight: "Bolder"})
	}
	input.Type = "Input.Text"
	c.Body = append(c.Body, input)
	c.Actions = append(c.Actions, submit.action())
	for _, b := range extra {
		c.Actions = append(c.Actions, b.action())
	}
	return c
}

// PreviewCard shows exactly what a change will do, before and after, with
// Confirm and Cancel as Action.Execute so the card is replaced in place by
// the outcome and cannot be clicked twice. With done set, it shows the
// status line instead of the buttons.
func PreviewCard(l Lang, title, body string, before, after []Fact, beforeLabel, afterLabel string, confirm, cancel *Button, status string) *Card {
	c := newCard(l, heading(title))
	if body != "" {
		c.Body = append(c.Body, para(body))
	}
	c.Body = append(c.Body,
		TextBlock{Type: "TextBlock", Text: beforeLabel, Weight: "Bolder", Wrap: true, Spacing: "Medium"},
		FactSet{Type: "FactSet", Facts: before},
		TextBlock{Type: "TextBlock", Text: afterLabel, Weight: "Bolder", Wrap: true, Spacing: "Medium"},
		FactSet{Type: "FactSet", Facts: after},
	)
	if status != "" {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: status, Wrap: true, Weight: "Bolder", Color: "Accent", Spacing: "Medium"})
	}
	if confirm != nil {
		a := confirm.action()
		a.Type, a.Verb, a.Style = "Action.Execute", confirm.Verb, "positive"
		delete(a.Data, VerbKey)
		c.Actions = append(c.Actions, a)
	}
	if cancel != nil {
		a := cancel.action()
		a.Type, a.Verb = "Action.Execute", cancel.Verb
		delete(a.Data, VerbKey)
		c.Actions = append(c.Actions, a)
	}
	return c
}

// ResultCard reports an outcome: what happened, the facts as they are now,
// links to act on and buttons for what comes next. attention colours the
// body for a failure.
func ResultCard(l Lang, title, body string, attention bool, facts []Fact, links []Link, buttons ...Button) *Card {
	b := para(body)
	if attention {
		b.Color = "Attention"
	}
	c := newCard(l, heading(title), b)
	if len(facts) > 0 {
		c.Body = append(c.Body, FactSet{Type: "FactSet", Facts: facts})
	}
	for _, li := range links {
		c.Actions = append(c.Actions, openURL(li.Title, li.URL))
	}
	for _, bt := range buttons {
		c.Actions = append(c.Actions, bt.action())
	}
	return c
}
