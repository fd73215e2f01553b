package github

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/relctl/relctl/providers/github/githubtest"
)

func TestLock_renewalExtendsTheLeaseOnTopOfTheLastLockCommit(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := emulated(t)
	clock := newFakeClock()
	c := lockClient(t, srv, clock)
	l, err := c.AcquireLock(ctx, runner("id-a", "1"), lockOpts(clock))
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Refs("acme", "charts")[DefaultLockRef]
	clock.advance(4 * time.Minute)
	if err := l.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	holder, held, err := c.LockHolder(ctx, "")
	if err != nil || !held || holder.ID != "id-a" || !holder.Expires.Equal(clock.Now().Add(10*time.Minute)) {
		t.Fatalf("after renewal: %+v, held %v, %v; want id-a until %s", holder, held, err, clock.Now().Add(10*time.Minute))
	}
	after := srv.Refs("acme", "charts")[DefaultLockRef]
	cm, err := c.commit(ctx, after)
	if err != nil || after == before || len(cm.Parents) != 1 || cm.Parents[0].SHA != before {
		t.Errorf("renewal commit %s has parents %v (%v), want [%s]", after, cm.Parents, err, before)
	}
	// Seven minutes later the renewed lease still holds off a waiter.
	clock.advance(7 * time.Minute)
	if _, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-b", "2"), lockOpts(clock)); !errors.Is(err, ErrLocked) {
		t.Errorf("acquire within the renewed lease: %v, want ErrLocked", err)
	}
}

func TestLock_keepStopsTheWorkWhenTheLockIsLost(t *testing.T) {
	ctx := context.Background()
	srv, c, _ := emulated(t)
	opts := LockOptions{Lease: 600 * time.Millisecond, ClockSkew: -1}
	l, err := c.AcquireLock(ctx, runner("id-a", "1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	held, stop := l.Keep(ctx)
	defer stop()

	// Renewals keep it alive past its first lease.
	time.Sleep(time.Second)
	if held.Err() != nil {
		t.Fatalf("lock lost while renewed: %v", context.Cause(held))
	}
	if h, _, _ := c.LockHolder(ctx, ""); !h.Expires.After(time.Now()) {
		t.Fatalf("lease not renewed: expires %s", h.Expires)
	}
	other, err := New(Options{APIURL: srv.URL(), Token: testToken, Owner: "acme", Repo: "charts"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.ForceUnlock(ctx, "", "id-a"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the work's context was not cancelled after the lock was force-unlocked")
	}
	if cause := context.Cause(held); !errors.Is(cause, ErrLockLost) || !strings.Contains(cause.Error(), "force-unlocked") {
		t.Errorf("cause = %v, want ErrLockLost saying it was force-unlocked", cause)
	}
	if err := l.Release(ctx); !errors.Is(err, ErrLockLost) {
		t.Errorf("releasing a lost lock: %v, want ErrLockLost", err)
	}
}

func TestLock_releaseLeavesAnotherHoldersLockAlone(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := emulated(t)
	clock := newFakeClock()
	a, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-a", "1"), lockOpts(clock))
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(15 * time.Minute) // a stalled past its lease
	var took string
	opts := lockOpts(clock)
	opts.OnTakeover = func(prev LockInfo) { took = prev.ID }
	if _, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-b", "2"), opts); err != nil || took != "id-a" {
		t.Fatalf("takeover of the expired lease: %v (took over %q)", err, took)
	}
	if err := a.Release(ctx); !errors.Is(err, ErrLockLost) || !strings.Contains(err.Error(), "id-b") {
		t.Errorf("stale holder's release: %v, want ErrLockLost naming id-b", err)
	}
	if h, held, _ := lockClient(t, srv, clock).LockHolder(ctx, ""); !held || h.ID != "id-b" {
		t.Errorf("after the stale release the holder is %+v (held %v), want id-b", h, held)
	}
}

func TestForceUnlock_refusesAnotherIDAndReleasesTheRightOne(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := emulated(t)
	clock := newFakeClock()
	c := lockClient(t, srv, clock)
	if _, err := c.ForceUnlock(ctx, "", "id-a"); !errors.Is(err, ErrLockMismatch) || !strings.Contains(err.Error(), "nobody holds it") {
		t.Errorf("force-unlock with no lock: %v", err)
	}
	if _, err := c.AcquireLock(ctx, runner("id-a", "1"), lockOpts(clock)); err != nil {
		t.Fatal(err)
	}
	headBefore := srv.Refs("acme", "charts")[DefaultLockRef]
	_, err := c.ForceUnlock(ctx, "", "id-wrong")
	if !errors.Is(err, ErrLockMismatch) || !strings.Contains(err.Error(), "held by apply id-a") {
		t.Fatalf("force-unlock with the wrong ID: %v, want a refusal naming id-a", err)
	}
	if srv.Refs("acme", "charts")[DefaultLockRef] != headBefore {
		t.Fatal("a refused force-unlock moved the lock")
	}
	ended, err := c.ForceUnlock(ctx, "", "id-a")
	if err != nil || ended.ID != "id-a" {
		t.Fatalf("force-unlock id-a: %+v, %v", ended, err)
	}
	if _, held, _ := c.LockHolder(ctx, ""); held {
		t.Fatal("still held after force-unlock")
	}
	// The next holder builds on the released commit.
	if _, err := c.AcquireLock(ctx, runner("id-b", "2"), lockOpts(clock)); err != nil {
		t.Fatalf("acquire after force-unlock: %v", err)
	}
}

// GitHub creates the ref but the connection drops before the answer: the
// acquirer reads the ref, finds its own commit, and holds the lock.
func TestAcquireLock_droppedCreateIsSettledByReadingTheRef(t *testing.T) {
	ctx := context.Background()
	srv, _, _ := emulated(t)
	clock := newFakeClock()
	srv.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/git/refs", Nth: 1, ProcessThenDrop: true})
	l, err := lockClient(t, srv, clock).AcquireLock(ctx, runner("id-a", "1"), lockOpts(clock))
	if err != nil {
		t.Fatalf("acquire through a dropped create: %v", err)
	}
	if h, held, _ := lockClient(t, srv, clock).LockHolder(ctx, ""); !held || h.ID != l.Info().ID {
		t.Errorf("holder %+v, want %s", h, l.Info().ID)
	}
}

// GitHub unreachable for a whole lease: the holder cannot renew, and stops
// its work when its lease ends, before anyone may take the lock over.
func TestLock_keepStopsTheWorkWhenTheLeaseEndsUnrenewed(t *testing.T) {
	ctx := context.Background()
	srv, c, _ := emulated(t)
	l, err := c.AcquireLock(ctx, runner("id-a", "1"), LockOptions{Lease: 900 * time.Millisecond, ClockSkew: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/git/commits", Status: 503})
	held, stop := l.Keep(ctx)
	defer stop()
	select {
	case <-held.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the work's context outlived the lease")
	}
	if now := time.Now(); now.Before(l.Info().Expires) {
		t.Errorf("stopped at %s, before the lease ended at %s", now, l.Info().Expires)
	}
	if cause := context.Cause(held); !errors.Is(cause, ErrLockLost) || !strings.Contains(cause.Error(), "without a renewal") {
		t.Errorf("cause = %v, want ErrLockLost: lease ended without a renewal", cause)
	}
}
