package views

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/ci"
	"github.com/relctl/relctl/planner"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

const (
	dig1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	dig2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// sample is a plan with one change of each kind.
func sample() *planner.ChangeSet {
	return &planner.ChangeSet{
		FormatVersion: planner.FormatVersion, RelctlVersion: "test", InputsHash: dig1,
		Registry: "ghcr.io/acme/charts", Repository: "acme/charts", Atomic: true,
		Changes: []planner.Change{
			{Address: "oci_chart.alpha", Type: planner.TypeOCIChart, Chart: "alpha", Action: planner.ActionCreate, Reason: "tag 1.0.0 absent",
				After: map[string]string{"reference": "ghcr.io/acme/charts/alpha:1.0.0", "digest": dig1, "content": dig2}},
			{Address: "oci_signature.alpha", Type: planner.TypeOCISignature, Chart: "alpha", Action: planner.ActionCreate, Reason: "chart not yet in the registry at this digest",
				After: map[string]string{"manifest": dig1, "mode": "key"}},
			{Address: "github_release.alpha", Type: planner.TypeRelease, Chart: "alpha", Action: planner.ActionUpdate, Reason: "notes differ",
				Before: map[string]string{"id": "7", "tag": "alpha-v1.0.0", "title": "alpha: v1.0.0", "notes": dig1},
				After:  map[string]string{"id": "7", "tag": "alpha-v1.0.0", "title": "alpha: v1.0.0", "notes": dig2, "body": "## alpha v1.0.0\n"}},
			{Address: `github_release_asset.alpha["README.md"]`, Type: planner.TypeReleaseAsset, Chart: "alpha", Name: "README.md", Action: planner.ActionReplace,
				Reason: `asset has other content (on_asset_conflict = "replace")`,
				Before: map[string]string{"digest": dig1, "size": "10"}, After: map[string]string{"digest": dig2, "size": "12", "source": "file", "path": "/repo/README.md"}},
			{Address: "oci_chart.beta", Type: planner.TypeOCIChart, Chart: "beta", Action: planner.ActionBlocked,
				Reason: "version 0.2.0 is already published with other content: bump the chart version | <b>",
				Before: map[string]string{"digest": dig1}, After: map[string]string{"digest": dig2, "reference": "ghcr.io/acme/charts/beta:0.2.0"}},
			{Address: "oci_chart.gamma", Type: planner.TypeOCIChart, Chart: "gamma", Action: planner.ActionNoOp, Reason: "published"},
		},
		Warnings: []planner.Warning{{Kind: "optional asset LICENSE missing", Chart: "beta", Message: "beta: optional asset LICENSE not found in charts/beta; the release goes without it"}},
	}
}

func render(t *testing.T, fn func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := fn(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPlan_rendersTerraformsIdiom(t *testing.T) {
	golden(t, "plan", render(t, func(b *bytes.Buffer) error { return Plan(b, sample(), Style{}) }))
	golden(t, "plan_color", render(t, func(b *bytes.Buffer) error { return Plan(b, sample(), Style{Color: true}) }))
	none := &planner.ChangeSet{Changes: []planner.Change{{Address: "oci_chart.gamma", Action: planner.ActionNoOp}}}
	golden(t, "plan_no_changes", render(t, func(b *bytes.Buffer) error { return Plan(b, none, Style{}) }))
}

func TestMarkdown_escapesUserTextAndCautionsWhenBlocked(t *testing.T) {
	golden(t, "plan_markdown", render(t, func(b *bytes.Buffer) error { return Markdown(b, sample()) }))
}

func TestDrift_namesUnsignedChartsPlainly(t *testing.T) {
	p := &planner.ChangeSet{Changes: []planner.Change{
		{Address: "oci_signature.alpha", Type: planner.TypeOCISignature, Chart: "alpha", Action: planner.ActionCreate, Reason: "no signature",
			Before: map[string]string{"manifest": dig1, "signatures": "0"}, After: map[string]string{"manifest": dig1}},
	}}
	golden(t, "drift", render(t, func(b *bytes.Buffer) error { return Drift(b, p, Style{}) }))
}

func TestDrift_saysInWhichFormatEachStandingSignatureIs(t *testing.T) {
	p := &planner.ChangeSet{Changes: []planner.Change{
		{Address: "oci_signature.alpha", Type: planner.TypeOCISignature, Chart: "alpha", Action: planner.ActionNoOp, Reason: "1 valid signature: legacy",
			Before: map[string]string{"manifest": dig1, "signatures": "1", "formats": "legacy"}, After: map[string]string{"manifest": dig1}},
		{Address: "oci_signature.beta", Type: planner.TypeOCISignature, Chart: "beta", Action: planner.ActionNoOp, Reason: "2 valid signatures: bundle (referrer), bundle (fallback tag)",
			Before: map[string]string{"manifest": dig1, "signatures": "2", "formats": "bundle (referrer), bundle (fallback tag)"}, After: map[string]string{"manifest": dig1}},
	}}
	golden(t, "drift_formats", render(t, func(b *bytes.Buffer) error { return Drift(b, p, Style{}) }))
}

func TestVerify_tableAndVerdict(t *testing.T) {
	v := &ci.Verification{Checks: []ci.Check{
		{Chart: "alpha", Version: "1.0.0", Name: "registry", OK: true, Detail: "at " + dig1[:19]},
		{Chart: "alpha", Version: "1.0.0", Name: "signature", OK: false, Detail: "no signature (key)"},
	}}
	golden(t, "verify", render(t, func(b *bytes.Buffer) error { return Verify(b, v, Style{}) }))
	golden(t, "verify_json", render(t, func(b *bytes.Buffer) error { return VerifyJSON(b, v) }))
}

func TestApply_summaryLinesAndStepSummary(t *testing.T) {
	p := sample()
	res := &planner.Result{
		Applied:   p.Changes[:4],
		Published: []string{"alpha"},
		Drafts:    []string{"beta", "gamma"},
		Failed:    map[string]error{"beta": errors.New("github_release.beta: publish release 12: 403 denied")},
		Warnings:  []string{"atomic: published before the failure: alpha; left as complete drafts: beta, gamma; the next apply publishes them"},
	}
	golden(t, "apply_summary_failed", render(t, func(b *bytes.Buffer) error { ApplySummary(b, res, Style{}); return nil }))
	golden(t, "apply_step_summary", render(t, func(b *bytes.Buffer) error { return ApplyMarkdown(b, p, res, "https://github.com") }))
	golden(t, "apply_json", render(t, func(b *bytes.Buffer) error { return ApplyJSON(b, res, errors.New("apply failed for 1 chart(s)")) }))
	ok := &planner.Result{Applied: p.Changes[:2], Published: []string{"alpha"}, Unsigned: []string{"alpha"}}
	golden(t, "apply_summary_ok", render(t, func(b *bytes.Buffer) error { ApplySummary(b, ok, Style{}); return nil }))
}
