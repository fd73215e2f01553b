package planner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// observed is what re-observing the remote after a failed write found.
type observed int

const (
	// absent: the write did not land; trying it again makes no duplicate.
	absent observed = iota
	// landed: the write took effect although its response was lost.
	landed
	// cleared: a leftover of the failed write (an asset stuck in state
	// "starter") was removed, so the write may be tried again whatever
	// the error was.
	cleared
)

// write runs a write that is not safe to repeat blindly (create a release,
// upload an asset, sign a manifest: each repeat makes one more). When it
// fails, observe looks at the remote again: a write that landed anyway is
// adopted; one that did not is tried again, within the spec's retry budget,
// when its failure was ambiguous or transient (STYLE.md §7). The transport
// below never repeats such a write itself, so this is the only retry it gets.
func (a *applier) write(ctx context.Context, do func() error, observe func() (observed, error)) error {
	budget := a.attempts()
	for attempt := 1; ; attempt++ {
		err := do()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		got, oerr := observe()
		if oerr != nil {
			return fmt.Errorf("%w (observing again whether it landed also failed: %v)", err, oerr)
		}
		switch {
		case got == landed:
			return nil
		case got != cleared && !retryable(err):
			return err
		case attempt >= budget:
			return fmt.Errorf("%w (%d attempts, each observed not to have landed)", err, attempt)
		}
		if serr := a.sleep(ctx, a.backoff(attempt)); serr != nil {
			return err
		}
	}
}

// attempts is the spec's retry.attempts, counting the first try.
func (a *applier) attempts() int {
	if n := a.spec.Retry.Attempts; n > 0 {
		return n
	}
	return config.DefaultRetryAttempts
}

// backoff is the jittered exponential wait after the given attempt, within
// the spec's retry bounds: half fixed, half random, as the HTTP transports
// wait, so concurrent charts do not retry in step.
func (a *applier) backoff(attempt int) time.Duration {
	lo, hi := a.spec.Retry.MinBackoff, a.spec.Retry.MaxBackoff
	if lo <= 0 {
		lo = config.DefaultMinBackoff
	}
	if hi < lo {
		hi = max(lo, config.DefaultMaxBackoff)
	}
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return max(d/2+rand.N(d/2+1), lo)
}

func (a *applier) sleep(ctx context.Context, d time.Duration) error {
	if a.sleepFn != nil {
		return a.sleepFn(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryable reports whether a failed write is worth another attempt once
// the remote showed it did not land: its outcome was unknown (the provider
// says so), or the connection broke. A refusal (401, 403, 422) is not: it
// would be refused again.
func retryable(err error) bool {
	if errors.Is(err, state.ErrOutcomeUnknown) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne)
}
