package github

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/relctl/relctl/state"
)

// The apply lock lives in one git ref outside branches and tags, so it is
// never listed as either and triggers no workflow. The ref names a commit
// whose message is the holder's LockInfo; every change of holder, renewal
// and release is a new commit whose parent is the ref's current commit,
// moved in with PATCH force=false. GitHub refuses that move unless the ref
// still names the parent ("Update is not a fast forward"), so each change
// is a compare-and-swap: of two processes acting on what they read, one
// wins and the other is told. The first lock of a repository is made with
// create-ref, GitHub's create-if-absent. Releasing leaves a "released"
// commit rather than deleting the ref: a DELETE cannot be conditional, and
// could remove a lock someone else has just taken.

const (
	// DefaultLockRef is where the apply lock lives.
	DefaultLockRef = "refs/relctl/apply-lock"
	// DefaultLease is how long a hold lasts unless renewed; a holder
	// renews it every third of that while it runs.
	DefaultLease = 10 * time.Minute
	// DefaultClockSkew is how much later than its stated expiry a lease is
	// taken to have run out, for holders whose clocks run behind.
	DefaultClockSkew = 30 * time.Second

	maxTakeTries = 10

	lockTreeFile    = "README"
	lockTreeContent = "This ref is relctl's apply lock. Each commit's message says who held it and until when.\n"
)

// LockOptions configures acquiring the apply lock.
type LockOptions struct {
	// Ref is the lock's ref; "" means DefaultLockRef.
	Ref string
	// Lease is how long a hold lasts without renewal; 0 means DefaultLease.
	Lease time.Duration
	// Wait is how long to wait for another holder to let go; 0 fails at
	// once with a *LockedError.
	Wait time.Duration
	// ClockSkew is added to another holder's expiry before taking its lock
	// over; 0 means DefaultClockSkew, negative none.
	ClockSkew time.Duration
	// Poll is the first wait between looks at a held lock, doubled up to
	// 30s; 0 means 2s.
	Poll time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnWait is told each time the lock is found held and the caller
	// waits, with the holder, so a person sees why nothing happens.
	OnWait func(holder LockInfo)
	// OnTakeover is told when an expired hold is taken over.
	OnTakeover func(previous LockInfo)
}

func (o LockOptions) withDefaults() LockOptions {
	if o.Ref == "" {
		o.Ref = DefaultLockRef
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.ClockSkew == 0 {
		o.ClockSkew = DefaultClockSkew
	}
	o.ClockSkew = max(o.ClockSkew, 0)
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Lock is a held apply lock. Its methods are safe for concurrent use.
type Lock struct {
	c    *Client
	opts LockOptions
	tree string

	mu   sync.Mutex
	info LockInfo
	head string // the lock commit the ref names while we hold it
	lost error  // set once the lock is known not to be ours
}

// lockState is what the ref says now: no ref, or a commit and its info.
type lockState struct {
	head string
	info LockInfo
}

func (s lockState) free(now time.Time, skew time.Duration) bool {
	return s.head == "" || s.info.Released || now.After(s.info.Expires.Add(skew))
}

// AcquireLock takes the apply lock for info (ID, holder; Created and
// Expires are set here), waiting up to opts.Wait for another holder, and
// taking over a hold whose lease ran out. A lock still held after the wait
// is a *LockedError naming the holder.
func (c *Client) AcquireLock(ctx context.Context, info LockInfo, opts LockOptions) (*Lock, error) {
	opts = opts.withDefaults()
	if info.ID == "" {
		info.ID = NewLockID()
	}
	if info.Operation == "" {
		info.Operation = "apply"
	}
	tree, err := c.ensureTree(ctx, lockTreeFile, lockTreeContent)
	if err != nil {
		return nil, fmt.Errorf("apply lock: %w", err)
	}
	l := &Lock{c: c, opts: opts, tree: tree}
	start := opts.Now()
	poll := opts.Poll
	var lastHolder string
	for tries := 0; ; {
		cur, err := c.readLock(ctx, opts.Ref)
		if err != nil {
			return nil, fmt.Errorf("apply lock: %w", err)
		}
		now := opts.Now()
		if cur.free(now, opts.ClockSkew) {
			ok, err := l.take(ctx, cur, info, now)
			if err != nil {
				return nil, fmt.Errorf("apply lock: %w", err)
			}
			if ok {
				if cur.head != "" && !cur.info.Released && opts.OnTakeover != nil {
					opts.OnTakeover(cur.info)
				}
				return l, nil
			}
			// Someone else moved first, or the write was lost: look again.
			// Each retry follows a change by another holder, so this
			// bound is only reached when GitHub keeps failing.
			if tries++; tries >= maxTakeTries {
				return nil, fmt.Errorf("apply lock: %s kept changing; gave up after %d attempts", opts.Ref, tries)
			}
			continue
		}
		waited := now.Sub(start)
		if waited >= opts.Wait {
			return nil, &LockedError{Ref: opts.Ref, Holder: cur.info, Waited: waited}
		}
		if opts.OnWait != nil && cur.head != lastHolder {
			opts.OnWait(cur.info)
		}
		lastHolder, tries = cur.head, 0
		// Jittered, so waiters do not poll in step; the last look is at
		// the end of the wait exactly.
		d := poll/2 + rand.N(poll/2+1)
		d = min(d, opts.Wait-waited)
		if err := c.sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("apply lock: waiting for %s: %w", cur.info, err)
		}
		poll = min(poll*2, 30*time.Second)
	}
}

// take tries once to make info the holder of a free lock, reporting whether
// it did. An outcome GitHub did not report (a dropped connection) is
// settled by reading the ref again.
func (l *Lock) take(ctx context.Context, cur lockState, info LockInfo, now time.Time) (bool, error) {
	info.Created, info.Expires = now.UTC(), now.Add(l.opts.Lease).UTC()
	info.Released, info.ForceUnlocked = false, false
	var parents []string
	if cur.head != "" {
		parents = []string{cur.head}
	}
	head, err := l.c.createCommit(ctx, l.tree, lockMessage(info), parents...)
	if err != nil {
		return false, err
	}
	if cur.head == "" {
		err = l.c.createRef(ctx, l.opts.Ref, head)
	} else {
		err = l.c.updateRef(ctx, l.opts.Ref, head, false)
	}
	switch {
	case errors.Is(err, state.ErrAlreadyExists), errors.Is(err, state.ErrConflict):
		return false, nil
	case err != nil:
		landed, rerr := l.c.refTarget(ctx, l.opts.Ref)
		switch {
		case rerr != nil || (landed != head && !outcomeUnknown(err)):
			return false, err
		case landed != head:
			return false, nil // it did not land: look again, try again
		}
	}
	l.info, l.head = info, head
	return true, nil
}

// readLock reads the ref and the commit it names.
func (c *Client) readLock(ctx context.Context, ref string) (lockState, error) {
	head, err := c.refTarget(ctx, ref)
	if err != nil || head == "" {
		return lockState{}, err
	}
	cm, err := c.commit(ctx, head)
	if err != nil {
		return lockState{}, err
	}
	info, err := parseLockMessage(cm.Message)
	if err != nil {
		return lockState{}, fmt.Errorf("%s names commit %s, which relctl did not write: %w", ref, head, err)
	}
	return lockState{head: head, info: info}, nil
}

// Info returns the hold as last written.
func (l *Lock) Info() LockInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.info
}
