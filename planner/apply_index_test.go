package planner

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// fakeIndex is a pages branch holding one index. Each write merges as the
// GitHub writer does, and records which charts' releases were published at
// that moment.
type fakeIndex struct {
	gh *fakeReleases

	mu     sync.Mutex
	data   []byte
	writes []state.IndexUpdate
	// unpublishedAtWrite lists the charts of a write whose release was not
	// published when it was made.
	unpublishedAtWrite []string
}

func (f *fakeIndex) WriteIndex(_ context.Context, u state.IndexUpdate) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes = append(f.writes, u)
	for _, r := range u.Records {
		published := false
		for _, rel := range f.gh.byTag(r.Chart + "-v" + r.Version) {
			published = published || !rel.Draft
		}
		if !published {
			f.unpublishedAtWrite = append(f.unpublishedAtWrite, r.Chart)
		}
	}
	idx, err := state.ParseIndex(f.data)
	if err != nil {
		return "", err
	}
	if _, err := idx.Merge(u.Records); err != nil {
		return "", err
	}
	f.data, err = idx.Encode()
	return "commit", err
}

func withIndex(e *applyEnv) *fakeIndex {
	e.spec.HelmRepository = &config.HelmRepository{URL: "https://acme.github.io/charts", Branch: "gh-pages", Path: "index.yaml"}
	e.snap.Index = &state.IndexState{Branch: "gh-pages", Path: "index.yaml", Entries: map[string]state.IndexEntry{}, DownloadBase: downloads}
	for i := range e.snap.Charts {
		e.snap.Charts[i].Package.Config = []byte(`{"apiVersion":"v2","name":"` + e.snap.Charts[i].Name + `","version":"1.0.0"}`)
	}
	return &fakeIndex{gh: e.gh}
}

func applyWithIndex(e *applyEnv, ix *fakeIndex) (*Result, error) {
	e.observe()
	return Apply(context.Background(), e.plan(), e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: e.gh, Index: ix},
		ApplyOptions{Parallelism: 2, Sleep: e.sleep})
}

func TestApply_indexIsOneCommitForAllChartsAfterTheirReleasesArePublished(t *testing.T) {
	e := newApplyEnv(t, "alpha", "beta")
	ix := withIndex(e)
	if _, err := applyWithIndex(e, ix); err != nil {
		t.Fatal(err)
	}
	if len(ix.writes) != 1 || len(ix.writes[0].Records) != 2 {
		t.Fatalf("index writes = %+v, want one write of both charts", ix.writes)
	}
	if len(ix.unpublishedAtWrite) > 0 {
		t.Errorf("the index was written before the releases of %v were published", ix.unpublishedAtWrite)
	}
	if msg := ix.writes[0].Message; !strings.Contains(msg, "alpha 1.0.0") || !strings.Contains(msg, "beta 1.0.0") {
		t.Errorf("commit message %q does not name the chart versions", msg)
	}
	idx, _ := state.ParseIndex(ix.data)
	if e, ok := idx.Entry("beta", "1.0.0"); !ok || e.URLs[0] != downloads+"beta-v1.0.0/beta-1.0.0.tgz" {
		t.Errorf("beta entry = %+v, %v", e, ok)
	}
}

func TestApply_indexLeavesOutChartsLeftAsDrafts(t *testing.T) {
	e := newApplyEnv(t, "alpha", "beta")
	ix := withIndex(e)
	denied := errors.New("403 denied")
	e.faults.add(fault{op: "push", nth: 2, when: before, err: denied})
	if _, err := applyWithIndex(e, ix); err == nil {
		t.Fatal("apply succeeded despite a refused push")
	}
	if len(ix.writes) != 0 {
		t.Errorf("index written while no release was published (atomic): %+v", ix.writes)
	}
	// The next apply publishes both and indexes both.
	if _, err := applyWithIndex(e, ix); err != nil {
		t.Fatal(err)
	}
	if len(ix.writes) != 1 || len(ix.writes[0].Records) != 2 || len(ix.unpublishedAtWrite) > 0 {
		t.Errorf("after the retry: writes %+v, unpublished at write %v", ix.writes, ix.unpublishedAtWrite)
	}
}
