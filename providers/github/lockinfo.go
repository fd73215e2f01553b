package github

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LockInfo says who holds the apply lock, for how long, and why. It is the
// JSON of the lock commit's message, below a one-line subject.
type LockInfo struct {
	// ID names this hold; `relctl force-unlock ID` must quote it.
	ID string `json:"id"`
	// Operation is what the holder does ("apply").
	Operation string `json:"operation"`
	// Repository, RunID and Workflow name the GitHub Actions run holding
	// the lock (GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_WORKFLOW), when it
	// is one.
	Repository string `json:"repository,omitempty"`
	RunID      string `json:"run_id,omitempty"`
	Workflow   string `json:"workflow,omitempty"`
	// Actor is who started it (GITHUB_ACTOR, else the local user).
	Actor string `json:"actor,omitempty"`
	Host  string `json:"host,omitempty"`
	// Created is when the lock was taken; Expires when the lease ends
	// unless renewed. Both are the holder's clock.
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	// Released marks the commit a holder leaves when it lets go: the lock
	// is free, and the next holder builds on this commit.
	Released bool `json:"released,omitempty"`
	// ForceUnlocked marks a release made by force-unlock, not the holder.
	ForceUnlocked bool `json:"force_unlocked,omitempty"`
}

// String names the holder for people: "apply 3f2a… of acme/charts run
// 123 (workflow release) by octocat on runner-1, since 2026-12-01T01:02:03Z".
func (i LockInfo) String() string {
	var b strings.Builder
	op := i.Operation
	if op == "" {
		op = "apply"
	}
	fmt.Fprintf(&b, "%s %s", op, i.ID)
	if i.Repository != "" {
		fmt.Fprintf(&b, " of %s", i.Repository)
	}
	if i.RunID != "" {
		fmt.Fprintf(&b, " run %s", i.RunID)
	}
	if i.Workflow != "" {
		fmt.Fprintf(&b, " (workflow %s)", i.Workflow)
	}
	if i.Actor != "" {
		fmt.Fprintf(&b, " by %s", i.Actor)
	}
	if i.Host != "" {
		fmt.Fprintf(&b, " on %s", i.Host)
	}
	if !i.Created.IsZero() {
		fmt.Fprintf(&b, ", since %s", i.Created.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// NewLockID returns a random ID in UUID form, as Terraform's lock IDs are.
func NewLockID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// lockMessage renders info as a commit message: a subject git log shows,
// a blank line, the JSON.
func lockMessage(info LockInfo) string {
	subject := "relctl lock held by " + info.String()
	switch {
	case info.ForceUnlocked:
		subject = "relctl lock " + info.ID + " force-unlocked"
	case info.Released:
		subject = "relctl lock released by " + info.ID
	}
	body, _ := json.MarshalIndent(info, "", "  ")
	return subject + "\n\n" + string(body) + "\n"
}

// parseLockMessage reads the LockInfo back out of a lock commit's message.
func parseLockMessage(msg string) (LockInfo, error) {
	_, body, ok := strings.Cut(msg, "\n\n")
	if !ok {
		return LockInfo{}, errors.New("no lock information in the commit message")
	}
	var info LockInfo
	if err := json.Unmarshal([]byte(body), &info); err != nil {
		return LockInfo{}, fmt.Errorf("lock information in the commit message: %w", err)
	}
	if info.ID == "" {
		return LockInfo{}, errors.New("lock information in the commit message has no id")
	}
	return info, nil
}

// ErrLocked is what acquiring returns, as a *LockedError, when another
// holder kept the lock for the whole wait.
var ErrLocked = errors.New("locked")

// ErrLockLost means the lock is no longer this holder's: it was taken
// over after its lease ran out, or force-unlocked.
var ErrLockLost = errors.New("apply lock lost")

// LockedError names the holder that kept the lock.
type LockedError struct {
	Ref    string
	Holder LockInfo
	// Waited is how long the caller waited before giving up.
	Waited time.Duration
}

func (e *LockedError) Error() string {
	return "locked by " + e.Holder.String()
}

func (e *LockedError) Is(target error) bool { return target == ErrLocked }
