package planner

import (
	"fmt"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// d makes a readable fake digest: d("a") = sha256:aaaa…
func d(c string) string {
	out := "sha256:"
	for len(out) < 71 {
		out += c
	}
	return out[:71]
}

// world builds a spec and a snapshot for one chart, podinfo 1.2.0, whose
// local package has manifest d("1") and content d("c").
type world struct {
	spec *config.Spec
	snap *state.Snapshot
}

func newWorld(signing config.SigningMode, github bool) *world {
	spec := &config.Spec{
		Dir:      "/repo",
		Registry: config.Registry{Repository: "ghcr.io/acme/charts", Host: "ghcr.io", OnConflict: config.ConflictFail},
		Signing:  config.Signing{Mode: signing, Key: "/repo/cosign.key", OnFailure: config.SigningFailureFail},
		Release: config.Release{Atomic: true, Assets: []config.Asset{
			{Name: "CHANGELOG.md"}, {Name: "README.md"}, {Name: "LICENSE"},
		}},
		Charts: []config.Chart{{Name: "podinfo", Version: "1.2.0", Dir: "/repo/charts/podinfo", RelDir: "charts/podinfo",
			Tag: "podinfo-v1.2.0", Title: "podinfo: v1.2.0"}},
	}
	if github {
		spec.GitHub = &config.GitHub{Repository: "acme/charts", Owner: "acme", Name: "charts",
			OnAssetConflict: config.AssetConflictFail, UpdateNotes: true}
	}
	cs := state.ChartState{
		Name: "podinfo", Version: "1.2.0",
		Package: &state.Package{Chart: "podinfo", Version: "1.2.0", FileName: "podinfo-1.2.0.tgz",
			Archive: []byte("archive"), Digest: d("a"), ContentDigest: d("c")},
		OCI: state.OCIState{Repository: "ghcr.io/acme/charts/podinfo", Tag: "1.2.0", LocalManifestDigest: d("1")},
	}
	if github {
		cs.Changelog = []byte("## [1.2.0]\n- Added a service.\n")
		cs.Assets = []state.LocalAsset{
			{Name: "CHANGELOG.md", Path: "/repo/charts/podinfo/CHANGELOG.md", Digest: d("e"), Size: 10},
			{Name: "README.md", Path: "/repo/charts/podinfo/README.md", Digest: d("f"), Size: 20},
			{Name: "LICENSE", Path: "/repo/charts/podinfo/LICENSE", Missing: true},
		}
	}
	return &world{spec: spec, snap: &state.Snapshot{Charts: []state.ChartState{cs}, Commit: "abc123"}}
}

func (w *world) chart() *state.ChartState { return &w.snap.Charts[0] }

// published puts the chart in the registry at the local digest.
func (w *world) published() *world {
	c := w.chart()
	c.OCI.Exists, c.OCI.ManifestDigest = true, c.OCI.LocalManifestDigest
	return w
}

// release gives the chart a release with the given assets (name → digest).
func (w *world) release(id int64, draft bool, body string, assets map[string]string) *state.Release {
	r := state.Release{ID: id, TagName: "podinfo-v1.2.0", Name: "podinfo: v1.2.0", Body: body, Draft: draft}
	var i int64
	for _, name := range []string{"podinfo-1.2.0.tgz", "podinfo-1.2.0.tgz.sig", "CHANGELOG.md", "README.md"} {
		dg, ok := assets[name]
		if !ok {
			continue
		}
		i++
		r.Assets = append(r.Assets, state.Asset{ID: id*10 + i, Name: name, State: "uploaded", Digest: dg})
	}
	c := w.chart()
	c.Releases = append(c.Releases, r)
	return &c.Releases[len(c.Releases)-1]
}

func (w *world) plan(t *testing.T) *ChangeSet {
	t.Helper()
	p, err := Plan(w.spec, w.snap, Options{RelctlVersion: "test"})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return p
}

// completeAssets are the assets of a complete release, key-signed.
func completeAssets() map[string]string {
	return map[string]string{"podinfo-1.2.0.tgz": d("a"), "podinfo-1.2.0.tgz.sig": d("5"), "CHANGELOG.md": d("e"), "README.md": d("f")}
}

// actions summarises a plan as "address action" lines.
func actions(p *ChangeSet) []string {
	out := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		out[i] = fmt.Sprintf("%s %s", c.Address, c.Action)
	}
	return out
}

func change(t *testing.T, p *ChangeSet, addr string) Change {
	t.Helper()
	for _, c := range p.Changes {
		if c.Address == addr {
			return c
		}
	}
	t.Fatalf("plan has no change %s; it has %v", addr, actions(p))
	return Change{}
}
