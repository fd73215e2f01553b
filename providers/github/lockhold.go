package github

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/relctl/relctl/state"
)

// advance moves the lock from our head to a new commit of info, as one
// compare-and-swap. A refusal means the ref no longer names our head: the
// lock was taken over or force-unlocked, and is lost.
func (l *Lock) advance(ctx context.Context, info LockInfo) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost != nil {
		return l.lost
	}
	head, err := l.c.createCommit(ctx, l.tree, lockMessage(info), l.head)
	if err != nil {
		return err
	}
	err = l.c.updateRef(ctx, l.opts.Ref, head, false)
	if errors.Is(err, state.ErrConflict) {
		cur, rerr := l.c.readLock(ctx, l.opts.Ref)
		l.lost = fmt.Errorf("%w: %s now names %s", ErrLockLost, l.opts.Ref, describeLock(cur, rerr))
		return l.lost
	}
	if err != nil {
		return err
	}
	l.info, l.head = info, head
	return nil
}

func describeLock(s lockState, err error) string {
	switch {
	case err != nil:
		return "a commit relctl cannot read (" + err.Error() + ")"
	case s.head == "":
		return "nothing"
	case s.info.ForceUnlocked:
		return "a lock force-unlocked (it was held by " + s.info.ID + ")"
	case s.info.Released:
		return "a released lock (last held by " + s.info.ID + ")"
	}
	return s.info.String()
}

// Renew extends the lease to Lease from now. It fails with ErrLockLost when
// the lock is no longer ours.
func (l *Lock) Renew(ctx context.Context) error {
	info := l.Info()
	info.Expires = l.opts.Now().Add(l.opts.Lease).UTC()
	return l.advance(ctx, info)
}

// Keep renews the lease every third of it until stop is called, and
// returns a context derived from ctx that is cancelled, with a cause
// wrapping ErrLockLost, once the lock is lost or its lease ends unrenewed
// (GitHub unreachable for that long): at the latest when the lease ends,
// before another apply may take the lock over. Work done under the lock
// runs with that context, so it stops before its next request.
func (l *Lock) Keep(ctx context.Context) (held context.Context, stop func()) {
	held, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	finished := make(chan struct{})
	untilExpiry := func() time.Duration { return l.Info().Expires.Sub(l.opts.Now()) }
	go func() {
		defer close(finished)
		every := l.opts.Lease / 3
		tick := time.NewTicker(every)
		defer tick.Stop()
		expiry := time.NewTimer(untilExpiry())
		defer expiry.Stop()
		for {
			select {
			case <-done:
				return
			case <-held.Done():
				return
			case <-expiry.C:
				cancel(fmt.Errorf("%w: its lease ended at %s without a renewal", ErrLockLost, l.Info().Expires.Format(time.RFC3339)))
				return
			case <-tick.C:
			}
			rctx, cancelRenew := context.WithTimeout(held, min(every, max(untilExpiry(), 0)))
			err := l.Renew(rctx)
			cancelRenew()
			if errors.Is(err, ErrLockLost) {
				cancel(err)
				return
			}
			if err == nil {
				expiry.Reset(untilExpiry())
			}
		}
	}()
	return held, func() {
		select {
		case <-done:
		default:
			close(done)
		}
		<-finished
		cancel(nil)
	}
}

// Release lets the lock go, leaving a released commit for the next holder
// to build on. Releasing a lock that was lost returns the ErrLockLost
// error and changes nothing.
func (l *Lock) Release(ctx context.Context) error {
	info := l.Info()
	info.Released = true
	info.Expires = l.opts.Now().UTC()
	if err := l.advance(ctx, info); err != nil {
		return fmt.Errorf("release apply lock %s: %w", info.ID, err)
	}
	l.mu.Lock()
	l.lost = fmt.Errorf("%w: released", ErrLockLost)
	l.mu.Unlock()
	return nil
}

// LockHolder returns who holds the lock at ref ("" means DefaultLockRef),
// and false when nobody does (no lock yet, or released). An expired hold is
// still returned, with its Expires in the past.
func (c *Client) LockHolder(ctx context.Context, ref string) (LockInfo, bool, error) {
	if ref == "" {
		ref = DefaultLockRef
	}
	cur, err := c.readLock(ctx, ref)
	if err != nil {
		return LockInfo{}, false, fmt.Errorf("apply lock: %w", err)
	}
	if cur.head == "" || cur.info.Released {
		return cur.info, false, nil
	}
	return cur.info, true, nil
}

// ErrLockMismatch is ForceUnlock's refusal when the lock is not held under
// the ID given (held by another, or by nobody).
var ErrLockMismatch = errors.New("the apply lock is not held under that ID")

// ForceUnlock releases the lock at ref ("" means DefaultLockRef) only if it
// is held under id, and returns the hold it ended. The release is a
// compare-and-swap on the commit read, so a lock that changed hands
// meanwhile is left alone.
func (c *Client) ForceUnlock(ctx context.Context, ref, id string) (LockInfo, error) {
	if ref == "" {
		ref = DefaultLockRef
	}
	// A holder that is still alive renews its lease meanwhile: the ref then
	// moves under the unlock, still naming the same apply. Read again and
	// unlock again, a few times; only another ID stops it.
	const attempts = 5
	var err error
	for range attempts {
		var (
			info  LockInfo
			moved bool
		)
		info, moved, err = c.forceUnlockOnce(ctx, ref, id)
		if !moved {
			return info, err
		}
	}
	return LockInfo{}, fmt.Errorf("force-unlock: the lock kept changing while unlocking (%d tries): %w", attempts, err)
}

// forceUnlockOnce reads the lock and releases it if it is id's. moved
// reports that the ref moved between the read and the release.
func (c *Client) forceUnlockOnce(ctx context.Context, ref, id string) (LockInfo, bool, error) {
	cur, err := c.readLock(ctx, ref)
	if err != nil {
		return LockInfo{}, false, fmt.Errorf("force-unlock: %w", err)
	}
	switch {
	case cur.head == "" || cur.info.Released:
		return cur.info, false, fmt.Errorf("%w: nobody holds it, so there is nothing to unlock", ErrLockMismatch)
	case cur.info.ID != id:
		return cur.info, false, fmt.Errorf("%w: it is held by %s, not %s; nothing was unlocked", ErrLockMismatch, cur.info, id)
	}
	tree, err := c.ensureTree(ctx, lockTreeFile, lockTreeContent)
	if err != nil {
		return cur.info, false, fmt.Errorf("force-unlock: %w", err)
	}
	info := cur.info
	info.ForceUnlocked = true
	l := &Lock{c: c, opts: LockOptions{Ref: ref}.withDefaults(), tree: tree, info: info, head: cur.head}
	if err := l.Release(ctx); err != nil {
		return cur.info, errors.Is(err, ErrLockLost), fmt.Errorf("force-unlock: the lock changed while unlocking: %w", err)
	}
	return cur.info, false, nil
}
