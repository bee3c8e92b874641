package bot_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestAnswerActivityGolden: an answer as Teams receives it, whole: the
// line citing its document with the citation entity, the card, Teams' own
// 👍/👎 (channelData.feedbackLoop) and the prompts to ask next, in both
// languages. Ids that differ from run to run are replaced by their names.
func TestAnswerActivityGolden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct{ lang, conv, text string }{
		{"ja", "a:1golden-ja", "SMSが届かない"},
		{"en", "a:1golden-en", "I don't get the SMS code"},
	} {
		msg := e.message(tc.conv, tc.text)
		e.do(t, msg)
		got := e.conn.sentTo(tc.conv)
		if len(got) != 1 {
			t.Fatalf("%s: %d messages for a question, want the answer", tc.lang, len(got))
		}
		var v any
		if err := json.Unmarshal(got[0].Raw, &v); err != nil {
			t.Fatal(err)
		}
		out, _ := json.MarshalIndent(v, "", "  ")
		out = []byte(strings.NewReplacer(tc.conv, "{conversation}", "29:1user-"+tc.conv, "{user}", aadFor(tc.conv), "{aad}", msg["id"].(string), "{question}").Replace(string(out)) + "\n")
		path := filepath.Join("testdata", "answer-activity-"+tc.lang+".json")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read golden file (run go test -update to create it): %v", err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s differs from %s (run go test -update if the change is intended)\ngot:\n%s", tc.lang, path, out)
		}
	}
}
