package planner

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/relctl/relctl/state"
)

// pushArtifactHub pushes the metadata after checking that the tag is where
// the plan saw it, as pushChart does: a tag already at the planned digest
// means an interrupted run pushed it.
func (a *applier) pushArtifactHub(ctx context.Context, ch Change) error {
	p := ch.ArtifactHub
	if p == nil {
		return errNoPayload(ch)
	}
	if a.w.ArtifactHub == nil {
		return errors.New("no Artifact Hub metadata writer configured")
	}
	m, err := state.ArtifactHubMetadataOf(p.YAML)
	if err != nil {
		return err
	}
	if m.Digest != p.Digest || !bytes.Equal(m.YAML, p.YAML) {
		return fmt.Errorf("the plan's metadata builds manifest %s, not the planned %s (written by another relctl?): run relctl plan again", short(m.Digest), short(p.Digest))
	}
	repo, tag := p.Repository, state.ArtifactHubTag
	now, err := a.w.Registry.Resolve(ctx, repo, tag)
	switch {
	case errors.Is(err, state.ErrNotFound):
		if p.Previous != "" {
			return fmt.Errorf("%w: %s:%s vanished since the plan (it was %s); plan again", state.ErrConflict, repo, tag, short(p.Previous))
		}
	case err != nil:
		return fmt.Errorf("check %s:%s before push: %w", repo, tag, err)
	case now == p.Digest:
		return nil
	case now != p.Previous:
		return fmt.Errorf("%w: %s:%s moved to %s since the plan; plan again", state.ErrConflict, repo, tag, short(now))
	}
	got, err := a.w.ArtifactHub.PushArtifactHub(ctx, repo, m)
	if err != nil {
		return fmt.Errorf("push %s:%s: %w", repo, tag, err)
	}
	if got != p.Digest {
		return fmt.Errorf("push %s:%s wrote manifest %s, planned %s", repo, tag, got, p.Digest)
	}
	return nil
}
