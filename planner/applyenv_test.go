package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// applyEnv is a spec of several key-signed, atomic charts whose release
// carries the package, its signature and the chart's README.md (a file on
// disk), and the fake remotes Apply writes to. observe reads the remotes
// back into the snapshot, as state.Refresh would, so a test can plan again
// after an apply and see what a next run would do.
type applyEnv struct {
	t      *testing.T
	spec   *config.Spec
	snap   *state.Snapshot
	reg    *fakeRegistry
	sig    *fakeSigner
	gh     *fakeReleases
	faults *faults

	mu     sync.Mutex
	sleeps []time.Duration
}

func newApplyEnv(t *testing.T, charts ...string) *applyEnv {
	t.Helper()
	dir := t.TempDir()
	f := &faults{}
	e := &applyEnv{t: t, reg: newFakeRegistry(), sig: newFakeSigner(), gh: newFakeReleases(), faults: f}
	e.reg.f, e.sig.f, e.gh.f = f, f, f
	e.spec = &config.Spec{
		Dir:      dir,
		Registry: config.Registry{Repository: "ghcr.io/acme/charts", Host: "ghcr.io", OnConflict: config.ConflictFail},
		GitHub: &config.GitHub{Repository: "acme/charts", Owner: "acme", Name: "charts",
			OnAssetConflict: config.AssetConflictFail, UpdateNotes: true},
		Signing: config.Signing{Mode: config.SigningKey, Key: filepath.Join(dir, "cosign.key"), OnFailure: config.SigningFailureFail},
		Release: config.Release{Atomic: true, Assets: []config.Asset{{Name: "README.md"}}},
		Retry:   config.Retry{Attempts: 3, MinBackoff: time.Second, MaxBackoff: 4 * time.Second},
	}
	e.snap = &state.Snapshot{Commit: "abc123"}
	for _, name := range charts {
		cdir := filepath.Join(dir, "charts", name)
		if err := os.MkdirAll(cdir, 0o755); err != nil {
			t.Fatal(err)
		}
		readme := []byte("# " + name + "\n")
		if err := os.WriteFile(filepath.Join(cdir, "README.md"), readme, 0o644); err != nil {
			t.Fatal(err)
		}
		archive := []byte("chart archive of " + name)
		pkg := &state.Package{Chart: name, Version: "1.0.0", FileName: name + "-1.0.0.tgz",
			Archive: archive, Digest: sha(archive), ContentDigest: sha([]byte("files of " + name))}
		manifest := sha([]byte("manifest of " + name))
		e.reg.manifests[pkg.Digest] = manifest
		e.spec.Charts = append(e.spec.Charts, config.Chart{Name: name, Version: "1.0.0", Dir: cdir,
			RelDir: "charts/" + name, Tag: name + "-v1.0.0", Title: name + ": v1.0.0"})
		e.snap.Charts = append(e.snap.Charts, state.ChartState{
			Name: name, Version: "1.0.0", Tag: name + "-v1.0.0", Package: pkg,
			OCI:    state.OCIState{Repository: "ghcr.io/acme/charts/" + name, Tag: "1.0.0", LocalManifestDigest: manifest},
			Assets: []state.LocalAsset{{Name: "README.md", Path: filepath.Join(cdir, "README.md"), Digest: sha(readme), Size: int64(len(readme))}},
			GitTag: &state.GitTag{},
		})
	}
	return e
}

// observe refreshes the snapshot from the fake remotes.
func (e *applyEnv) observe() {
	for i := range e.snap.Charts {
		cs := &e.snap.Charts[i]
		o := &cs.OCI
		o.ManifestDigest, o.Exists = e.reg.tags[o.Repository+":"+o.Tag]
		o.ContentDigest = ""
		cs.Signature = nil
		if o.Exists {
			if o.ManifestDigest == o.LocalManifestDigest {
				o.ContentDigest = cs.Package.ContentDigest
			}
			st, err := e.sig.VerifySignatures(context.Background(), o.Repository, o.ManifestDigest)
			if err != nil {
				e.t.Fatalf("observe signatures: %v", err)
			}
			cs.Signature = st
		}
		cs.Releases = e.gh.byTag(cs.Tag)
		cs.GitTag = &state.GitTag{}
		for _, r := range cs.Releases {
			if !r.Draft {
				cs.GitTag = nil // the tag is the published release's
			}
		}
	}
	if err := state.CheckSignatureSets(context.Background(), e.snap, e.spec, blobReader{e.gh, e.sig}, 1); err != nil {
		e.t.Fatalf("check signature sets: %v", err)
	}
}

func (e *applyEnv) plan() *ChangeSet {
	e.t.Helper()
	p, err := Plan(e.spec, e.snap, Options{RelctlVersion: "test"})
	if err != nil {
		e.t.Fatalf("Plan: %v", err)
	}
	return p
}

// apply observes, plans and applies, one chart at a time so that the nth
// call of a fault lands on a known chart.
func (e *applyEnv) apply() (*ChangeSet, *Result, error) {
	e.t.Helper()
	e.observe()
	p := e.plan()
	res, err := Apply(context.Background(), p, e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: e.gh},
		ApplyOptions{Parallelism: 1, Sleep: e.sleep})
	return p, res, err
}

func (e *applyEnv) sleep(_ context.Context, d time.Duration) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sleeps = append(e.sleeps, d)
	return nil
}

// converged fails unless every chart is published exactly once and
// complete, signed exactly once, with no draft left, and a new plan has
// nothing to do.
func (e *applyEnv) converged() {
	e.t.Helper()
	for _, cs := range e.snap.Charts {
		rels := e.gh.byTag(cs.Tag)
		if len(rels) != 1 || rels[0].Draft {
			e.t.Errorf("%s: releases %s, want one published", cs.Name, describeReleases(rels))
			continue
		}
		want := []string{cs.Package.FileName, "README.md"}
		for _, d := range signatureAssets(e.spec.Signing, cs.Package.FileName) {
			want = append(want, d.Name)
		}
		if got := assetNames(rels[0]); strings.Join(got, " ") != strings.Join(sortedCopy(want), " ") {
			e.t.Errorf("%s: release assets %v, want %v", cs.Name, got, sortedCopy(want))
		}
		for _, f := range e.spec.Signing.Format.Kinds() {
			if n := e.sig.countFormat(cs.OCI.Repository, cs.OCI.LocalManifestDigest, f); n != 1 {
				e.t.Errorf("%s: %d %s signatures, want 1", cs.Name, n, f)
			}
		}
		if got := e.reg.tags[cs.OCI.Repository+":"+cs.OCI.Tag]; got != cs.OCI.LocalManifestDigest {
			e.t.Errorf("%s: registry holds %q, want %s", cs.Name, got, cs.OCI.LocalManifestDigest)
		}
	}
	e.observe()
	if p := e.plan(); p.HasChanges() {
		e.t.Errorf("the next plan still has changes: %v", actions(p))
	}
}

func describeReleases(rels []state.Release) string {
	var parts []string
	for _, r := range rels {
		kind := "published"
		if r.Draft {
			kind = "draft"
		}
		parts = append(parts, fmt.Sprintf("%d(%s, %v)", r.ID, kind, assetNames(r)))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func assetNames(r state.Release) []string {
	var out []string
	for _, a := range r.Assets {
		out = append(out, a.Name)
	}
	sort.Strings(out)
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
