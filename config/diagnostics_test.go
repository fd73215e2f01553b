package config

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

func TestDiagnosticsJSON_describesRangeAndSnippetLikeTerraform(t *testing.T) {
	src := "registry {\n  repository  = \"ghcr.io/acme/charts\"\n  on_conflict = \"sometimes\"\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\n"
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": src}))
	p := NewParser()
	_, diags := p.Load(hermetic(LoadOptions{Dir: dir, Vars: []string{"nope=1"}}, nil))

	got := p.DiagnosticsJSON(diags)

	start := strings.Index(src, `"sometimes"`)
	want := []Diagnostic{
		{
			Severity: "error",
			Summary:  "Value for undeclared variable",
			Detail:   "--var sets \"nope\", but relctl.hcl declares no variable of that name. Declare it first:\n\n  variable \"nope\" {}",
		},
		{
			Severity: "error",
			Summary:  "Invalid on_conflict value",
			Detail:   `"sometimes" is not a valid on_conflict: use "fail", "skip" or "overwrite".`,
			Range: &Range{
				Filename: "relctl.hcl",
				Start:    Pos{Line: 3, Column: 17, Byte: start},
				End:      Pos{Line: 3, Column: 28, Byte: start + len(`"sometimes"`)},
			},
			Snippet: &Snippet{
				Context:              "registry",
				Code:                 `  on_conflict = "sometimes"`,
				StartLine:            3,
				HighlightStartOffset: 16,
				HighlightEndOffset:   27,
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DiagnosticsJSON (-want +got):\n%s", diff)
	}
}

func TestDiagnosticsJSON_usesTerraformFieldNames(t *testing.T) {
	d := []Diagnostic{{
		Severity: "warning",
		Summary:  "s",
		Range:    &Range{Filename: "relctl.hcl", Start: Pos{1, 1, 0}, End: Pos{1, 2, 1}},
		Snippet:  &Snippet{Code: "x", StartLine: 1, HighlightEndOffset: 1},
	}}

	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}

	want := `[{"severity":"warning","summary":"s","range":{"filename":"relctl.hcl","start":{"line":1,"column":1,"byte":0},"end":{"line":1,"column":2,"byte":1}},"snippet":{"code":"x","start_line":1,"highlight_start_offset":0,"highlight_end_offset":1}}]`
	if string(b) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", b, want)
	}
}

func TestDiagnosticsJSON_emptyEncodesAsEmptyArray(t *testing.T) {
	b, err := json.Marshal(NewParser().DiagnosticsJSON(nil))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "[]" {
		t.Errorf("JSON = %s, want []", b)
	}
}

func TestWriteDiagnostics_colorMarksSeverity(t *testing.T) {
	dir := writeTree(t, spec("bogus {}\n"))
	p := NewParser()
	_, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
	var buf bytes.Buffer

	if err := p.WriteDiagnostics(&buf, diags, true); err != nil {
		t.Fatal(err)
	}

	if !strings.Contains(buf.String(), "\x1b[31m") {
		t.Errorf("colored output has no red error marker:\n%q", buf.String())
	}
}

func TestWriteDiagnostics_quotesFilesTheLoadDidNotRead(t *testing.T) {
	dir := writeTree(t, map[string]string{"broken.hcl": "registry {\n  repository = \n}\n"})
	t.Chdir(dir)
	_, diags := FormatDir(".", false)
	if !diags.HasErrors() {
		t.Fatal("FormatDir accepted a broken file")
	}
	p := NewParser()
	var buf bytes.Buffer

	if err := p.WriteDiagnostics(&buf, diags, false); err != nil {
		t.Fatal(err)
	}

	if !strings.Contains(buf.String(), "2:   repository =") {
		t.Errorf("output lacks the snippet of broken.hcl:\n%s", buf.String())
	}
}

func TestLoad_missingSpecFileSaysWhereItLooked(t *testing.T) {
	p := NewParser()

	_, diags := p.Load(hermetic(LoadOptions{Dir: t.TempDir()}, nil))

	if len(diags) != 1 || diags[0].Severity != hcl.DiagError || diags[0].Summary != "Missing relctl.hcl" {
		t.Fatalf("diagnostics = %v, want one Missing relctl.hcl error", diags)
	}
}
