package notes

import "testing"

func TestEscapeMarkdown_neutralisesLinksHTMLAndBlocks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Podinfo Helm chart for Kubernetes", "Podinfo Helm chart for Kubernetes"},
		{"[x](javascript:alert(1))", `\[x\]\(javascript:alert\(1\)\)`},
		{"![img](https://evil/x.png)", `\!\[img\]\(https://evil/x.png\)`},
		{"<script>alert(1)</script>", `\<script\>alert\(1\)\</script\>`},
		{"line one\n# heading\n\n- item", `line one \# heading - item`},
		{"- leading dash", `\- leading dash`},
		{"1. first", `1\. first`},
		{"6.1.0 is out", "6.1.0 is out"},
		{"a_b *c* `d` ~e~ |f| $g$ &amp;", `a\_b \*c\* \` + "`d\\`" + ` \~e\~ \|f\| \$g\$ \&amp;`},
		{`back\slash`, `back\\slash`},
		{"  spaced   out  ", "spaced out"},
	} {
		if got := EscapeMarkdown(tc.in); got != tc.want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestShellQuote_quotesOnlyWhatAShellWouldInterpret(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ghcr.io/acme/charts/podinfo:6.1.0", "ghcr.io/acme/charts/podinfo:6.1.0"},
		{"https://token.actions.githubusercontent.com", "https://token.actions.githubusercontent.com"},
		{"^https://github.com/acme/charts/", `'^https://github.com/acme/charts/'`},
		{"it's $(rm -rf /)", `'it'\''s $(rm -rf /)'`},
		{"", "''"},
	} {
		if got := shellQuote(tc.in); got != tc.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
