package planner

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/state"
)

// gatedReleases holds every CreateRelease until the test opens the gate,
// and records how many were held at once.
type gatedReleases struct {
	*fakeReleases
	gate chan struct{}

	mu             sync.Mutex
	inflight, peak int
}

func (g *gatedReleases) CreateRelease(ctx context.Context, r state.ReleaseSpec) (state.Release, error) {
	g.mu.Lock()
	g.inflight++
	g.peak = max(g.peak, g.inflight)
	g.mu.Unlock()
	<-g.gate
	g.mu.Lock()
	g.inflight--
	g.mu.Unlock()
	return g.fakeReleases.CreateRelease(ctx, r)
}

func (g *gatedReleases) held() int { g.mu.Lock(); defer g.mu.Unlock(); return g.inflight }

// Charts write to the registry Parallelism at once, but to GitHub only
// GitHubParallelism at once: while two charts are held at their release,
// every other chart still gets pushed and signed, and none starts its
// release.
func TestApply_gitHubWritesHaveTheirOwnBound(t *testing.T) {
	names := []string{"a1", "a2", "a3", "a4", "a5", "a6"}
	e := newApplyEnv(t, names...)
	e.observe()
	p := e.plan()
	gh := &gatedReleases{fakeReleases: e.gh, gate: make(chan struct{})}
	done := make(chan error, 1)
	var res *Result
	go func() {
		var err error
		res, err = Apply(t.Context(), p, e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: gh},
			ApplyOptions{Parallelism: len(names), GitHubParallelism: 2, Sleep: e.sleep})
		done <- err
	}()
	// Every chart is pushed and signed while two are held at GitHub.
	for e.faults.count("sign") < len(names) || gh.held() < 2 {
		runtime.Gosched()
	}
	for range 1000 {
		runtime.Gosched()
	}
	if n := gh.held(); n != 2 {
		t.Errorf("%d charts creating their release at once, want 2 (GitHubParallelism)", n)
	}
	close(gh.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if gh.peak != 2 {
		t.Errorf("at most %d releases created at once, want 2", gh.peak)
	}
	if len(res.Published) != len(names) {
		t.Errorf("published %v, want all", res.Published)
	}
	e.converged()
}

// The atomic publish phase publishes several drafts at once, and the last
// in name order alone and last: with make_latest, the release GitHub marks
// latest is the same as when they are published one after another.
func TestApply_atomicPublishesInParallelAndTheLastOneLast(t *testing.T) {
	names := []string{"delta", "alpha", "charlie", "bravo"}
	e := newApplyEnv(t, names...)
	e.spec.GitHub.MakeLatest = true
	e.observe()
	p := e.plan()
	res, err := Apply(t.Context(), p, e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: e.gh},
		ApplyOptions{Parallelism: 4, GitHubParallelism: 3, Sleep: e.sleep})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Published) != 4 || res.Published[3] != "delta" {
		t.Errorf("published %v, want all four, delta last", res.Published)
	}
	e.converged()
}

// A publish that fails in the parallel phase leaves its draft, and starts
// no publish after it is seen; the others published stay published and
// the next run publishes the rest.
func TestApply_atomicParallelPublishFailureLeavesItsDraftAndTheLast(t *testing.T) {
	e := newApplyEnv(t, "alpha", "bravo", "charlie")
	e.faults.add(fault{op: "update", nth: 1, when: before, err: fmt.Errorf("422: %w", state.ErrAlreadyExists)})
	e.observe()
	p := e.plan()
	res, err := Apply(t.Context(), p, e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: e.gh},
		ApplyOptions{Parallelism: 3, GitHubParallelism: 2, Sleep: e.sleep})
	if err == nil {
		t.Fatal("apply succeeded through a failed publish")
	}
	if len(res.Failed) != 1 {
		t.Errorf("failed %v, want one chart", res.Failed)
	}
	// The first publish fails; bravo ran beside it or was not started,
	// and the last (charlie) is not started after a failure.
	if !cmp.Equal(append(res.Published, res.Drafts...), []string{"alpha", "bravo", "charlie"}) &&
		!cmp.Equal(append(res.Published, res.Drafts...), []string{"bravo", "alpha", "charlie"}) {
		t.Errorf("published %v, drafts %v: want the failed one and charlie drafts", res.Published, res.Drafts)
	}
	e.faults.list = nil
	if _, _, err := e.apply(); err != nil {
		t.Fatal(err)
	}
	e.converged()
}
