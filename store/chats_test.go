package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
)

// A person's 1:1 chat is found by its conversation, with the locale it was
// last seen with, on both backends; a conversation that is no one's known
// chat (a group chat, or a chat the person has since left for a new one)
// is not found.
func TestPersonalChatByConversation(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s, ctx := e.s, t.Context()
		if _, _, err := s.PersonalChatIn(ctx, "a:1nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown conversation: got %v, want ErrNotFound", err)
		}

		first := store.PersonalChat{TeamsID: "29:1u", Conversation: "a:1first", ServiceURL: "https://smba.example/jp/", Locale: "ja-JP"}
		other := store.PersonalChat{TeamsID: "29:1v", Conversation: "a:1other", ServiceURL: "https://smba.example/jp/", Locale: "en-US"}
		if err := s.RememberChat(ctx, "u", first, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.RememberChat(ctx, "v", other, t0); err != nil {
			t.Fatal(err)
		}
		user, c, err := s.PersonalChatIn(ctx, "a:1first")
		if err != nil || user != "u" || c != first {
			t.Errorf("PersonalChatIn(a:1first) = %q, %+v, %v; want u, %+v", user, c, err, first)
		}
		if c, err := s.PersonalChatOf(ctx, "v"); err != nil || c != other {
			t.Errorf("PersonalChatOf(v) = %+v, %v; want %+v", c, err, other)
		}

		// The person reinstalled the app: a new chat, now in English.
		moved := store.PersonalChat{TeamsID: "29:1u", Conversation: "a:1second", ServiceURL: "https://smba.example/jp/", Locale: "en-GB"}
		if err := s.RememberChat(ctx, "u", moved, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.PersonalChatIn(ctx, "a:1first"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the chat the person left: got %v, want ErrNotFound", err)
		}
		if user, c, err := s.PersonalChatIn(ctx, "a:1second"); err != nil || user != "u" || c != moved {
			t.Errorf("PersonalChatIn(a:1second) = %q, %+v, %v; want u, %+v", user, c, err, moved)
		}
	})
}
