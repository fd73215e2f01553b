package planner

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Saved plans keep "warnings" a list of sentences, as format 1 always had
// it, and carry each warning's kind and chart beside it, so that `relctl
// show --markdown` of a saved plan groups warnings as `relctl plan` does.
func TestPlanFile_keepsWarningSentencesAndRoundTripsTheirKinds(t *testing.T) {
	ws := []Warning{
		chartWarning("a", "optional asset CHANGELOG.md missing", "optional asset CHANGELOG.md not found in charts/a; the release goes without it"),
		{Kind: "signing.on_failure = warn", Message: "signing.on_failure = \"warn\": …"},
	}
	p := &ChangeSet{FormatVersion: FormatVersion, Warnings: ws}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a: optional asset CHANGELOG.md not found in charts/a; the release goes without it", "signing.on_failure = \"warn\": …"}, raw.Warnings); diff != "" {
		t.Errorf("JSON warnings (-want +got):\n%s", diff)
	}
	back, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ws, back.Warnings); diff != "" {
		t.Errorf("warnings read back (-want +got):\n%s", diff)
	}

	old := []byte(`{"format_version":"1","resource_changes":[],"warnings":["x: something"]}`)
	var q ChangeSet
	if err := json.Unmarshal(old, &q); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Warning{{Message: "x: something"}}, q.Warnings); diff != "" {
		t.Errorf("a plan without warning details (-want +got):\n%s", diff)
	}
}
