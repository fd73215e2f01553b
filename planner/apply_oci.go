package planner

import (
	"context"
	"errors"
	"fmt"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// errNoPayload refuses a change that carries no typed instructions: a plan
// written by a relctl that predates them.
func errNoPayload(ch Change) error {
	return fmt.Errorf("the plan carries no instructions for %s (written by an older relctl?): run relctl plan again", ch.Address)
}

// pushChart pushes the package (the release's, when adopted) after
// checking that the tag is still where the plan saw it: absent for a
// create, at the planned digest for a replace.
// A tag already at the planned digest means an earlier, interrupted run
// pushed it: nothing to do. A push is safe to repeat (same bytes, same
// digest), so the registry client's own retries cover it.
func (a *applier) pushChart(ctx context.Context, cs *state.ChartState, ch Change) error {
	o := ch.OCI
	if o == nil {
		return errNoPayload(ch)
	}
	repo, tag, want := o.Repository, o.Tag, o.Digest
	now, err := a.w.Registry.Resolve(ctx, repo, tag)
	switch {
	case errors.Is(err, state.ErrNotFound):
		if ch.Action == ActionReplace {
			return fmt.Errorf("%w: %s:%s vanished since the plan (it was %s); plan again", state.ErrConflict, repo, tag, o.Previous)
		}
	case err != nil:
		return fmt.Errorf("check %s:%s before push: %w", repo, tag, err)
	case now == want:
		return nil
	case ch.Action == ActionCreate:
		return fmt.Errorf("%w: %s:%s appeared at %s since the plan; plan again", state.ErrConflict, repo, tag, short(now))
	case now != o.Previous:
		return fmt.Errorf("%w: %s:%s moved from %s to %s since the plan; plan again", state.ErrConflict, repo, tag, short(o.Previous), short(now))
	}
	got, err := a.w.Registry.Push(ctx, repo, tag, cs.PushedPackage())
	if err != nil {
		return fmt.Errorf("push %s:%s: %w", repo, tag, err)
	}
	if got != want {
		return fmt.Errorf("push %s:%s wrote manifest %s, planned %s", repo, tag, got, want)
	}
	return nil
}

// signChart signs the manifest in each of the change's formats that holds
// no valid signature, checked right before: when one appeared since the
// plan (an interrupted run signed it), that format is not signed again, so
// a digest gets one signature per format. A signing attempt whose outcome
// is unknown is checked the same way before it is tried again.
func (a *applier) signChart(ctx context.Context, ch Change) error {
	if a.w.Signer == nil {
		return errors.New("signing is configured but no signer is available")
	}
	s := ch.Signature
	if s == nil {
		return errNoPayload(ch)
	}
	repo, digest := s.Repository, s.Manifest
	missing := func() ([]config.SignatureFormat, *state.SignatureState, error) {
		st, err := a.w.Signer.VerifySignatures(ctx, repo, digest)
		if err != nil {
			return nil, nil, err
		}
		var out []config.SignatureFormat
		for _, f := range s.formats() {
			if !st.Has(f) {
				out = append(out, f)
			}
		}
		return out, st, nil
	}
	todo, _, err := missing()
	if err != nil {
		return fmt.Errorf("check signatures of %s@%s: %w", repo, digest, err)
	}
	if len(todo) == 0 {
		return nil
	}
	err = a.write(ctx, func() error { return a.w.Signer.SignManifest(ctx, repo, digest, todo...) }, func() (observed, error) {
		if left, _, err := missing(); err != nil || len(left) > 0 {
			return absent, err
		}
		return landed, nil
	})
	if err != nil {
		return fmt.Errorf("sign %s@%s: %w", repo, digest, err)
	}
	left, st, err := missing()
	if err != nil {
		return fmt.Errorf("confirm signature of %s@%s: %w", repo, digest, err)
	}
	if len(left) > 0 {
		return fmt.Errorf("signature of %s@%s does not verify in the %s format after signing: %s", repo, digest, left[0], st.Reason)
	}
	return nil
}
