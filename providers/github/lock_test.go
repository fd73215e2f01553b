package github

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relctl/relctl/providers/github/githubtest"
)

// fakeClock is the lock's clock in tests: sleeping advances it, and a hook
// may act (release a holder) while a waiter sleeps.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	slept   []time.Duration
	onSleep func(n int)
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.slept = append(f.slept, d)
	n, hook := len(f.slept), f.onSleep
	f.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return ctx.Err()
}

// lockClient is another runner's client of the same emulated repository.
func lockClient(t *testing.T, srv *githubtest.Server, clock *fakeClock) *Client {
	t.Helper()
	c, err := New(Options{APIURL: srv.URL(), Token: testToken, Owner: "acme", Repo: "charts", Sleep: clock.sleep})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func runner(id, run string) LockInfo {
	return LockInfo{ID: id, Repository: "acme/charts", RunID: run, Workflow: "release", Actor: "octocat", Host: "runner-" + run}
}

func lockOpts(clock *fakeClock) LockOptions {
	return LockOptions{Now: clock.Now, Lease: 10 * time.Minute, ClockSkew: -1}
}

func TestAcquireLock_takesAFreeLockInARefNeitherBranchNorTag(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := emulated(t)
	clock := newFakeClock()
	a := lockClient(t, srv, clock)

	l, err := a.AcquireLock(ctx, runner("id-a", "101"), lockOpts(clock))
	if err != nil {
		t.Fatal(err)
	}
	holder, held, err := a.LockHolder(ctx, "")
	if err != nil || !held {
		t.Fatalf("holder = %v, held %v, %v", holder, held, err)
	}
	if holder.ID != "id-a" || holder.RunID != "101" || !holder.Created.Equal(clock.Now()) || !holder.Expires.Equal(clock.Now().Add(10*time.Minute)) {
		t.Errorf("holder = %+v", holder)
	}
	if l.Info().ID != "id-a" {
		t.Errorf("lock info ID = %q", l.Info().ID)
	}
	refs := srv.Refs("acme", "charts")
	if refs[DefaultLockRef] == "" {
		t.Fatalf("refs = %v, want %s", refs, DefaultLockRef)
	}
	tags, err := a.Tags(ctx)
	if err != nil || len(tags) != 0 {
		t.Errorf("tags = %v, %v: the lock must not show as a tag", tags, err)
	}
}

func TestAcquireLock_heldLockFailsAtOnceNamingTheHolder(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := emulated(t)
	clock := newFakeClock()
	if _, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-a", "123"), lockOpts(clock)); err != nil {
		t.Fatal(err)
	}
	_, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-b", "124"), lockOpts(clock))
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second acquire: %v, want a *LockedError", err)
	}
	for _, want := range []string{"id-a", "of acme/charts run 123", "(workflow release)", "by octocat", "since 2026-12-01T01:00:00Z"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if len(clock.slept) != 0 {
		t.Errorf("with no wait it slept %v", clock.slept)
	}
}

func TestAcquireLock_waitsWithBackoffUntilTheHolderReleases(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := emulated(t)
	clock := newFakeClock()
	first, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-a", "1"), lockOpts(clock))
	if err != nil {
		t.Fatal(err)
	}
	clock.onSleep = func(n int) {
		if n == 3 {
			if err := first.Release(ctx); err != nil {
				t.Error(err)
			}
		}
	}
	var waitedFor []string
	opts := lockOpts(clock)
	opts.Wait, opts.Poll = 5*time.Minute, 2*time.Second
	opts.OnWait = func(h LockInfo) { waitedFor = append(waitedFor, h.ID) }
	second, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-b", "2"), opts)
	if err != nil {
		t.Fatalf("waiting acquire: %v", err)
	}
	if second.Info().ID != "id-b" || strings.Join(waitedFor, ",") != "id-a" {
		t.Errorf("acquired %q after waiting for %v", second.Info().ID, waitedFor)
	}
	if len(clock.slept) != 3 || clock.slept[2] < clock.slept[0] || clock.slept[0] < time.Second || clock.slept[2] > 8*time.Second {
		t.Errorf("polled after %v; want 3 jittered, growing waits from 1s..2s", clock.slept)
	}
}

func TestAcquireLock_givesUpAfterTheWaitNamingTheHolder(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := emulated(t)
	clock := newFakeClock()
	if _, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-a", "1"), lockOpts(clock)); err != nil {
		t.Fatal(err)
	}
	opts := lockOpts(clock)
	opts.Wait = 3 * time.Minute
	start := clock.Now()
	_, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-b", "2"), opts)
	var le *LockedError
	if !errors.As(err, &le) || le.Holder.ID != "id-a" {
		t.Fatalf("acquire = %v, want locked by id-a", err)
	}
	if waited := clock.Now().Sub(start); waited < 3*time.Minute || waited > 3*time.Minute+time.Second {
		t.Errorf("waited %v, want the 3m asked for", waited)
	}
	if len(clock.slept) > 20 {
		t.Errorf("polled %d times in 3m; backoff should keep it near 10", len(clock.slept))
	}
}

// Two runners find the same expired lease at the same time (their reads of
// the lock commit are held back until both have asked): both try to take
// it over, and GitHub's fast-forward check lets exactly one in.
func TestAcquireLock_expiredLeaseRacedByTwoTakersHasExactlyOneWinner(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := emulated(t)
	clock := newFakeClock()
	dead, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-dead", "1"), lockOpts(clock))
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(11 * time.Minute)
	remove := srv.Inject(githubtest.Fault{Method: "GET", PathPattern: "/repos/{owner}/{repo}/git/commits/{commit_sha}", Delay: time.Second})
	defer remove()

	ids := []string{"id-x", "id-y"}
	errs := make([]error, 2)
	var tookOver [2]string
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := lockOpts(clock)
			opts.OnTakeover = func(prev LockInfo) { tookOver[i] = prev.ID }
			_, errs[i] = lockClient(t, srv, clock).AcquireLock(ctx, runner(ids[i], "2"), opts)
		}()
	}
	wg.Wait()
	var won []string
	for i, err := range errs {
		var le *LockedError
		switch {
		case err == nil:
			won = append(won, ids[i])
			if tookOver[i] != "id-dead" {
				t.Errorf("%s took over %q, want id-dead", ids[i], tookOver[i])
			}
		case errors.As(err, &le):
			if le.Holder.ID != ids[1-i] {
				t.Errorf("%s lost to %s, want %s", ids[i], le.Holder.ID, ids[1-i])
			}
		default:
			t.Errorf("%s: %v", ids[i], err)
		}
	}
	if len(won) != 1 {
		t.Fatalf("winners = %v, want exactly one", won)
	}
	if got := srv.Count("PATCH /repos/{owner}/{repo}/git/refs/{ref}"); got != 2 {
		t.Errorf("%d ref updates, want 2: both takers must have raced", got)
	}
	holder, _, _ := lockClient(t, srv, clock).LockHolder(ctx, "")
	if holder.ID != won[0] {
		t.Errorf("holder %s, winner %s", holder.ID, won[0])
	}
	remove()
	if err := dead.Renew(ctx); !errors.Is(err, ErrLockLost) || !strings.Contains(err.Error(), won[0]) {
		t.Errorf("the dead holder's renewal: %v; want ErrLockLost naming %s", err, won[0])
	}
}
