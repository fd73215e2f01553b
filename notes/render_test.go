package notes

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

const keepAChangelog = `# Changelog

All notable changes to this chart are documented here.

## [Unreleased]

- Work in progress.

## [6.1.0] - 2024-03-01

### Added

- Support for ` + "`podAnnotations`" + `.

### Fixed

- Probe timeouts.

## [6.0.0] - 2024-01-01

- First release.

[Unreleased]: https://github.com/acme/charts/compare/podinfo-v6.1.0...HEAD
[6.1.0]: https://github.com/acme/charts/compare/podinfo-v6.0.0...podinfo-v6.1.0
`

func podinfo() Data {
	return Data{
		Chart:            "podinfo",
		Version:          "6.1.0",
		AppVersion:       "6.1.0",
		Description:      "Podinfo Helm chart for Kubernetes",
		Repository:       "ghcr.io/acme/charts",
		Tag:              "podinfo-v6.1.0",
		GitHubRepository: "acme/charts",
	}
}

func TestRender_defaultTemplateGolden(t *testing.T) {
	keyless := Signing{Mode: SigningKeyless, Issuer: "https://token.actions.githubusercontent.com",
		SubjectRegexp: "^https://github.com/acme/charts/"}
	for _, tc := range []struct {
		name string
		edit func(*Data)
	}{
		{"key_changelog_section", func(d *Data) {
			d.Changelog = []byte(keepAChangelog)
			d.Signing = Signing{Mode: SigningKey}
		}},
		{"keyless_changes_annotation", func(d *Data) {
			d.Version = "6.2.0+build.7"
			d.Changelog = []byte(keepAChangelog) // has no 6.2.0 section
			d.Changes = "- kind: added\n  description: New <b>values</b> schema\n- kind: fixed\n  description: \"[docs](javascript:alert(1))\"\n"
			d.Signing = keyless
		}},
		{"keyless_private_sigstore", func(d *Data) {
			d.Signing = keyless
			d.Signing.TrustedRoot = "trusted root.json"
		}},
		{"none_whole_changelog", func(d *Data) {
			d.Version = "7.0.0"
			d.Changelog = []byte("Changes:\r\n\r\n* everything\r\n")
		}},
		{"none_no_changelog_escaped_description", func(d *Data) {
			d.Description = "Click [x](javascript:alert(1)) <script>alert(1)</script>\n# not a heading"
			d.GitHubRepository = ""
		}},
		{"no_description_key_kms", func(d *Data) {
			d.Description = ""
			d.Signing = Signing{Mode: SigningKey, KeyRef: "awskms:///alias/charts signing"}
			d.Changes = "Bumped the app to 6.1.0\nFixed the ingress"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := podinfo()
			tc.edit(&d)
			got, err := Render("", d)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, got)
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestRender_isDeterministicAndEndsWithOneNewline(t *testing.T) {
	d := podinfo()
	d.Changelog = []byte(keepAChangelog)
	first, err := Render("", d)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, _ := Render("", d)
		if again != first {
			t.Fatal("two renders of the same data differ")
		}
	}
	for _, tmpl := range []string{"{{.Chart}}", "{{.Chart}}\n\n\n  \n", "{{.Chart}}\n"} {
		got, err := Render(tmpl, d)
		if err != nil || got != "podinfo\n" {
			t.Errorf("Render(%q) = %q, %v; want \"podinfo\\n\"", tmpl, got, err)
		}
	}
}

func TestRender_customTemplateSeesDataAndHelpers(t *testing.T) {
	d := podinfo()
	d.Version = "1.0.0+meta"
	d.Changes = "- kind: changed\n  description: Renamed *things*"
	tmpl := `{{.Tag}} ({{.AppVersion}})
{{ociRef}} tag={{ociTag .Version}} key={{.Signing.KeyRef}} mode={{.Signing.Mode}}
{{range changes}}{{.Kind}}={{escape .Description}};{{end}}
{{sh "it's"}} [{{changelogSection}}]`
	got, err := Render(tmpl, d)
	if err != nil {
		t.Fatal(err)
	}
	want := `podinfo-v6.1.0 (6.1.0)
ghcr.io/acme/charts/podinfo:1.0.0_meta tag=1.0.0_meta key=cosign.pub mode=none
changed=Renamed \*things\*;
'it'\''s' []
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRender_templateErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, tmpl string
		line       int
		msg        string
	}{
		{"syntax", "## {{.Chart}}\n\n{{if .Chart}\n", 3, "bad character"},
		{"unclosed", "a\n{{if .Chart}}\nb\n", 0, "unexpected EOF"},
		{"unknown field", "a\nb\n{{.Digest}}\n", 3, "can't evaluate field Digest"},
		{"unknown function", "{{nope}}", 1, `function "nope" not defined`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(tc.tmpl, podinfo())
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want a *TemplateError", err)
			}
			if tc.line > 0 && te.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", te.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.msg) || tc.line > 0 && !strings.Contains(err.Error(), "line ") {
				t.Errorf("message %q, want the line and %q", err, tc.msg)
			}
		})
	}
}

// TestRender_sameTemplateForManyChartsAtOnceKeepsEachChartsFunctions: the
// template is parsed once and shared; the functions bound to one chart's
// data must never answer for another's, however the renders interleave.
func TestRender_sameTemplateForManyChartsAtOnceKeepsEachChartsFunctions(t *testing.T) {
	const tmpl = "{{ ociRef }} {{ .Chart }} {{ changelog }}"
	const charts = 64
	got := make([]string, charts)
	errs := make([]error, charts)
	var wg sync.WaitGroup
	for i := range charts {
		wg.Go(func() {
			d := podinfo()
			d.Chart = fmt.Sprintf("chart-%02d", i)
			d.Changes = fmt.Sprintf("- kind: added\n  description: feature %d\n", i)
			got[i], errs[i] = Render(tmpl, d)
		})
	}
	wg.Wait()
	for i := range charts {
		if errs[i] != nil {
			t.Fatalf("chart %d: %v", i, errs[i])
		}
		want := fmt.Sprintf("ghcr.io/acme/charts/chart-%02d:6.1.0 chart-%02d - added: feature %d\n", i, i, i)
		if got[i] != want {
			t.Errorf("chart %d: got %q, want %q", i, got[i], want)
		}
	}
}

// BenchmarkRender_defaultTemplate is the notes of one chart, as a plan
// renders them for every chart it observes.
func BenchmarkRender_defaultTemplate(b *testing.B) {
	d := podinfo()
	d.Changelog = []byte(keepAChangelog)
	d.Signing = Signing{Mode: SigningKey}
	for b.Loop() {
		if _, err := Render("", d); err != nil {
			b.Fatal(err)
		}
	}
}
