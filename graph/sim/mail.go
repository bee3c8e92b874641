package sim

import (
	"net/http"
	"strings"
	"time"
)

// maxMail is how many sent messages the simulator keeps; older ones are
// dropped.
const maxMail = 500

// codeInvalidRecipients is Exchange Online's code for a message without a
// usable recipient.
const codeInvalidRecipients = "ErrorInvalidRecipients"

// SentMail is a message sent with POST /v1.0/users/{id}/sendMail. The
// simulator delivers nothing: it keeps the message for tests to read with
// [Server.SentMail] or GET /_sim/mail.
type SentMail struct {
	From            string    `json:"from"` // the sender's mail address
	To              []string  `json:"to"`
	Subject         string    `json:"subject"`
	Body            string    `json:"body"`
	ContentType     string    `json:"contentType"` // "text" or "html"
	SaveToSentItems bool      `json:"saveToSentItems"`
	At              time.Time `json:"at"`
}

// SentMail returns the messages sent so far, oldest first; it keeps the
// latest 500.
func (s *Server) SentMail() []SentMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMail(nil), s.mail...)
}

// ClearSentMail forgets every sent message.
func (s *Server) ClearSentMail() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mail = nil
}

// sendMail serves POST /users/{key}/sendMail: 202 and no body, as Graph
// answers. msgraph-sdk-go names the parameters "Message" and
// "SaveToSentItems" (the action's metadata), Graph's documentation
// "message" and "saveToSentItems": encoding/json matches either.
//
// Graph accepts a message without subject or body; the simulator refuses
// one (400 invalidRequest), because the bot never means to send it. The
// caller holds s.mu.
func (s *Server) sendMail(c *call, u *user) reply {
	type address struct {
		Address string `json:"address"`
	}
	var in struct {
		Message *struct {
			Subject *string `json:"subject"`
			Body    *struct {
				ContentType string `json:"contentType"`
				Content     string `json:"content"`
			} `json:"body"`
			ToRecipients []struct {
				EmailAddress *address `json:"emailAddress"`
			} `json:"toRecipients"`
		} `json:"message"`
		SaveToSentItems *bool `json:"saveToSentItems"`
	}
	if e := c.decode(&in); e != nil {
		return errReply(e)
	}
	msg := in.Message
	if msg == nil {
		return errReply(newError(http.StatusBadRequest, codeInvalidRequest, "The message parameter is required."))
	}
	if len(msg.ToRecipients) == 0 {
		return errReply(newError(http.StatusBadRequest, codeInvalidRecipients, "At least one recipient is required."))
	}
	m := SentMail{From: u.mail, Subject: deref(msg.Subject), ContentType: "text", SaveToSentItems: true, At: c.now}
	if m.From == "" {
		m.From = u.upn
	}
	for _, r := range msg.ToRecipients {
		// The address is not echoed: error texts end up in logs.
		if r.EmailAddress == nil || checkEmail(r.EmailAddress.Address) != nil {
			return errReply(newError(http.StatusBadRequest, codeInvalidRecipients, "At least one recipient isn't valid."))
		}
		m.To = append(m.To, r.EmailAddress.Address)
	}
	if strings.TrimSpace(m.Subject) == "" {
		return errReply(newError(http.StatusBadRequest, codeInvalidRequest, "The message needs a subject."))
	}
	if msg.Body == nil || strings.TrimSpace(msg.Body.Content) == "" {
		return errReply(newError(http.StatusBadRequest, codeInvalidRequest, "The message needs a body."))
	}
	m.Body = msg.Body.Content
	switch ct := strings.ToLower(msg.Body.ContentType); ct {
	case "", "text":
	case "html":
		m.ContentType = ct
	default:
		return errReply(newError(http.StatusBadRequest, codeInvalidRequest,
			"Invalid body contentType '"+msg.Body.ContentType+"'; use text or html."))
	}
	if in.SaveToSentItems != nil {
		m.SaveToSentItems = *in.SaveToSentItems
	}
	if len(s.mail) >= maxMail {
		s.mail = append(s.mail[:0], s.mail[len(s.mail)-maxMail+1:]...)
	}
	s.mail = append(s.mail, m)
	return reply{status: http.StatusAccepted}
}

// controlMail serves GET /_sim/mail[?to=address] and DELETE /_sim/mail.
func (s *Server) controlMail(c *call) reply {
	switch c.r.Method {
	case http.MethodGet:
		to := strings.TrimSpace(c.r.URL.Query().Get("to"))
		out := struct {
			Value []SentMail `json:"value"`
		}{Value: []SentMail{}}
		for _, m := range s.SentMail() {
			if to == "" || addressedTo(m, to) {
				out.Value = append(out.Value, m)
			}
		}
		return reply{status: http.StatusOK, body: out}
	case http.MethodDelete:
		s.ClearSentMail()
		return reply{status: http.StatusNoContent}
	}
	return methodNotAllowed(c, http.MethodGet, http.MethodDelete)
}

func addressedTo(m SentMail, addr string) bool {
	for _, to := range m.To {
		if strings.EqualFold(to, addr) {
			return true
		}
	}
	return false
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
