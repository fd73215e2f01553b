package notes

import (
	"regexp"
	"strings"
	"testing"
)

var liveMarkup = regexp.MustCompile(`(?i)<[a-z/!?]|\]\(\s*javascript:|(^|[\s(])@[a-z0-9]`)

// FuzzSanitizeMarkdown checks that sanitising twice changes nothing more,
// and that text without code fences comes out with no tag, no javascript:
// link and no mention left live.
func FuzzSanitizeMarkdown(f *testing.F) {
	for _, seed := range []string{
		hostileChangelog, keepAChangelog, "<script>x</script>", "[a](javascript:b)", "@everyone", "```\n<b>\n", "~~~~\n~~~\n",
		"[x](\n javascript:y)", "a@b.c @d", "  ```\n<i>", "[x]: <javascript:y>",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := SanitizeMarkdown(s)
		if twice := SanitizeMarkdown(once); twice != once {
			t.Fatalf("not idempotent:\n once %q\ntwice %q", once, twice)
		}
		if strings.ContainsAny(s, "`~") {
			return
		}
		if m := liveMarkup.FindString(once); m != "" {
			t.Fatalf("SanitizeMarkdown(%q) = %q still holds %q", s, once, m)
		}
	})
}
