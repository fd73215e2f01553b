package notes

import (
	"strings"
	"testing"
)

// Z marks where SanitizeMarkdown inserts its invisible joiner.
const Z = zwj

func TestSanitizeMarkdown_neutralisesHTMLLinksAndMentionsButKeepsMarkdown(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ordinary markdown is untouched",
			"### Added\n\n- Support for `podAnnotations` (see [docs](https://example.com/a_(b)), **bold**).\n- Mail <https://example.com> or me@example.com\n1. first",
			"### Added\n\n- Support for `podAnnotations` (see [docs](https://example.com/a_(b)), **bold**).\n- Mail <" + Z + "https://example.com> or me@example.com\n1. first"},
		{"script tag", "<script>alert(1)</script>", "<" + Z + "script>alert(1)<" + Z + "/script>"},
		{"event handler", `<img src=x onerror="alert(1)">`, "<" + Z + `img src=x onerror="alert(1)">`},
		{"comment that would hide the rest", "<!-- hidden", "<" + Z + "!-- hidden"},
		{"comparison stays", "a < b and 3<4", "a < b and 3<4"},
		{"javascript link", "[x](javascript:alert(1))", "[x]" + Z + "(javascript:alert(1))"},
		{"data image", "![i](data:image/svg+xml;base64,PHN2Zz4=)", "![i]" + Z + "(data:image/svg+xml;base64,PHN2Zz4=)"},
		{"entity-encoded scheme", "[x](jav&#97;script&colon;alert(1))", "[x]" + Z + "(jav&#97;script&colon;alert(1))"},
		{"scheme split by a tab escape", "[x](<java\tscript:alert(1)>)", "[x]" + Z + "(<" + Z + "java\tscript:alert(1)>)"},
		{"destination on the next line", "[x](\n  JavaScript:alert(1))", "[x]" + Z + "(\n  JavaScript:alert(1))"},
		{"reference definition", "[x]\n\n[x]: vbscript:msgbox", "[x]\n\n[x]" + Z + ": vbscript:msgbox"},
		{"safe links kept", "[a](https://x) [b](#anchor) [c](../docs/c.md) [d](mailto:a@b.c)\n[e]: http://e", "[a](https://x) [b](#anchor) [c](../docs/c.md) [d](mailto:a@b.c)\n[e]: http://e"},
		{"mentions", "Thanks @alice, @acme/maintainers and (@everyone) @here!", "Thanks @" + Z + "alice, @" + Z + "acme/maintainers and (@" + Z + "everyone) @" + Z + "here!"},
		{"mention at the start of a line", "x\n@bob fixed it", "x\n@" + Z + "bob fixed it"},
		{"e-mail and lone @ kept", "first.last@example.com, a+b@c.d, @ 3", "first.last@example.com, a+b@c.d, @ 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SanitizeMarkdown(tc.in); got != tc.want {
				t.Errorf("SanitizeMarkdown(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSanitizeMarkdown_keepsFencedCodeByteForByteAndClosesAnOpenFence(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"closed fence kept",
			"Run:\n```bash\nhelm install x --set a=<v> # @me\n```\n<b>",
			"Run:\n```bash\nhelm install x --set a=<v> # @me\n```\n<" + Z + "b>"},
		{"unclosed backtick fence closed", "Oops:\n```yaml\na: 1", "Oops:\n```yaml\na: 1\n```"},
		{"unclosed longer tilde fence closed with as many", "~~~~\n~~~\nstill code", "~~~~\n~~~\nstill code\n~~~~"},
		{"a shorter run does not close", "````\n```\n", "````\n```\n\n````"},
		{"indented opener moved to column 0", "- item\n  ```\n  code\n  ```", "- item\n```\n  code\n  ```"},
		{"four spaces is not a fence", "    ```\n<i>", "    ```\n<" + Z + "i>"},
		{"backtick info string with a backtick is not a fence", "``` `x`\n<i>", "``` `x`\n<" + Z + "i>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SanitizeMarkdown(tc.in); got != tc.want {
				t.Errorf("SanitizeMarkdown(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEscapeMarkdown_defangsMentionsInTheDescription(t *testing.T) {
	got := EscapeMarkdown("Ping @everyone and @acme/team; mail ops@acme.io")
	want := "Ping @" + Z + "everyone and @" + Z + "acme/team; mail ops@acme.io"
	if got != want {
		t.Errorf("EscapeMarkdown = %q, want %q", got, want)
	}
}

// hostileChangelog is a CHANGELOG.md whose 6.1.0 section tries every trick
// the release page must not fall for.
const hostileChangelog = `# Changelog

## [6.1.0] - 2024-03-01

### Added

- Values schema, thanks @alice and @acme/charts-team. @everyone please upgrade.
- <script>alert(document.cookie)</script> and <img src=x onerror=alert(1)>
- [Docs](javascript:alert(1)), ![badge](data:image/svg+xml;base64,PHN2Zz4=), [ok](https://example.com)
- Example:

` + "```yaml" + `
image: <your-registry>/podinfo   # @not-a-mention in code
` + "```" + `

Trailing example left open:

` + "```" + `
helm upgrade podinfo

## [6.0.0] - 2024-01-01

- First release.
`

func TestRender_hostileChangelogGolden(t *testing.T) {
	d := podinfo()
	d.Changelog = []byte(hostileChangelog)
	d.Description = "Podinfo, maintained by @acme/owners"
	d.Signing = Signing{Mode: SigningKey}
	got, err := Render("", d)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "hostile_changelog", got)

	// What a reader notices: the Installation heading is outside any code
	// block (an even number of fences before it), and nothing is live.
	before, _, found := strings.Cut(got, "\n### Installation\n")
	if !found {
		t.Fatal("the Installation heading is missing")
	}
	if n := strings.Count(before, "\n```"); n%2 != 0 {
		t.Errorf("%d fence lines before the Installation heading: the changelog's open fence swallows it", n)
	}
	for _, live := range []string{"<script", "<img", "](javascript:", "](data:", " @everyone", "@alice", "@acme/"} {
		if strings.Contains(got, live) {
			t.Errorf("the notes still hold %q", live)
		}
	}
	if !strings.Contains(got, "image: <your-registry>/podinfo   # @not-a-mention in code") {
		t.Error("the closed code block was not kept byte for byte")
	}
}
