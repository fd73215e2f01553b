package ci

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

const (
	manifest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	layer    = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	other    = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
)

// Verify judges the release the plan keeps (the published one among
// duplicate drafts) and compares its .tgz with the registry's chart layer.
func TestVerify_judgesTheKeptReleaseAndItsPackageAgainstTheRegistry(t *testing.T) {
	spec := &config.Spec{
		Signing: config.Signing{Mode: config.SigningNone},
		GitHub:  &config.GitHub{Repository: "acme/charts"},
		Charts: []config.Chart{
			{Name: "alpha", Version: "1.0.0", Tag: "alpha-v1.0.0", RelDir: "charts/alpha"},
			{Name: "beta", Version: "2.0.0", Tag: "beta-v2.0.0", RelDir: "charts/beta"},
			{Name: "gamma", Version: "3.0.0", Tag: "gamma-v3.0.0", RelDir: "charts/gamma"},
		},
	}
	pkg := func(name string) *state.Package {
		return &state.Package{Chart: name, FileName: name + ".tgz", Digest: layer}
	}
	inRegistry := state.OCIState{Repository: "r", Tag: "t", Exists: true, ManifestDigest: manifest, LocalManifestDigest: manifest}
	tgz := func(name, digest string) []state.Asset {
		return []state.Asset{{ID: 1, Name: name + ".tgz", State: "uploaded", Digest: digest}}
	}
	snap := &state.Snapshot{Charts: []state.ChartState{
		// A leftover draft beside the published release: the published one counts.
		{Name: "alpha", Package: pkg("alpha"), OCI: inRegistry, Releases: []state.Release{
			{ID: 1, Draft: true},
			{ID: 2, Assets: tgz("alpha", layer)},
		}},
		{Name: "beta", Package: pkg("beta"), OCI: inRegistry, Releases: []state.Release{{ID: 3, Assets: tgz("beta", other)}}},
		{Name: "gamma", Package: pkg("gamma"), OCI: state.OCIState{Repository: "r", Tag: "t"}},
	}}
	v, err := Verify(context.Background(), spec, snap, VerifyReaders{})
	if err != nil {
		t.Fatal(err)
	}
	type verdict struct {
		Chart, Check string
		OK           bool
	}
	var got []verdict
	for _, c := range v.Checks {
		got = append(got, verdict{c.Chart, c.Name, c.OK})
	}
	want := []verdict{
		{"alpha", "registry", true}, {"alpha", "release", true}, {"alpha", "release package", true},
		{"beta", "registry", true}, {"beta", "release", true}, {"beta", "release package", false},
		{"gamma", "registry", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if v.OK() {
		t.Error("Verify says all is well with a mismatched package and a missing chart")
	}
}
