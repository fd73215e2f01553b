package planner

import (
	"context"
	"errors"
	"fmt"

	"github.com/relctl/relctl/state"
)

// pushChart pushes the package after checking that the tag is still where
// the plan saw it: absent for a create, at the planned digest for a replace.
// A tag already at the planned digest means an earlier, interrupted run
// pushed it: nothing to do.
func (a *applier) pushChart(ctx context.Context, cs *state.ChartState, ch Change) error {
	repo, tag, want := cs.OCI.Repository, cs.OCI.Tag, ch.After["digest"]
	now, err := a.w.Registry.Resolve(ctx, repo, tag)
	switch {
	case errors.Is(err, state.ErrNotFound):
		if ch.Action == ActionReplace {
			return fmt.Errorf("%w: %s:%s vanished since the plan (it was %s); plan again", state.ErrConflict, repo, tag, ch.Before["digest"])
		}
	case err != nil:
		return fmt.Errorf("check %s:%s before push: %w", repo, tag, err)
	case now == want:
		return nil
	case ch.Action == ActionCreate:
		return fmt.Errorf("%w: %s:%s appeared at %s since the plan; plan again", state.ErrConflict, repo, tag, short(now))
	case now != ch.Before["digest"]:
		return fmt.Errorf("%w: %s:%s moved from %s to %s since the plan; plan again", state.ErrConflict, repo, tag, short(ch.Before["digest"]), short(now))
	}
	got, err := a.w.Registry.Push(ctx, repo, tag, cs.Package)
	if err != nil {
		return fmt.Errorf("push %s:%s: %w", repo, tag, err)
	}
	if got != want {
		return fmt.Errorf("push %s:%s wrote manifest %s, planned %s", repo, tag, got, want)
	}
	return nil
}

// signChart signs the manifest unless a valid signature appeared since the
// plan (an interrupted run signed it), so a signature is made once.
func (a *applier) signChart(ctx context.Context, cs *state.ChartState, ch Change) error {
	if a.w.Signer == nil {
		return errors.New("signing is configured but no signer is available")
	}
	repo, digest := cs.OCI.Repository, ch.After["manifest"]
	st, err := a.w.Signer.VerifySignatures(ctx, repo, digest)
	if err != nil {
		return fmt.Errorf("check signatures of %s@%s: %w", repo, digest, err)
	}
	if st.Valid {
		return nil
	}
	if err := a.w.Signer.SignManifest(ctx, repo, digest); err != nil {
		return fmt.Errorf("sign %s@%s: %w", repo, digest, err)
	}
	st, err = a.w.Signer.VerifySignatures(ctx, repo, digest)
	if err != nil {
		return fmt.Errorf("confirm signature of %s@%s: %w", repo, digest, err)
	}
	if !st.Valid {
		return fmt.Errorf("signature of %s@%s does not verify after signing: %s", repo, digest, st.Reason)
	}
	return nil
}
