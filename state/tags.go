package state

import (
	"context"
	"fmt"
)

// published reports whether the chart has a published release.
func (cs *ChartState) published() bool {
	for _, r := range cs.Releases {
		if !r.Draft {
			return true
		}
	}
	return false
}

// observeTags looks up the release tag of every chart whose release is not
// published yet: the tag decides which commit the release will point at.
// Once published, the tag is the release's and is not looked up, so a
// no-change plan makes no request here.
func observeTags(ctx context.Context, snap *Snapshot, tr TagReader) error {
	var need []*ChartState
	for i := range snap.Charts {
		if cs := &snap.Charts[i]; !cs.published() {
			need = append(need, cs)
		}
	}
	if len(need) == 0 {
		return nil
	}
	refs, err := tr.Tags(ctx)
	if err != nil {
		return err // "list tags of <repository>: …" (TagReader's contract)
	}
	byName := make(map[string]TagRef, len(refs))
	for _, r := range refs {
		byName[r.Name] = r
	}
	for _, cs := range need {
		cs.GitTag = &GitTag{}
		ref, ok := byName[cs.Tag]
		if !ok {
			continue
		}
		cs.GitTag.Exists, cs.GitTag.Commit = true, ref.SHA
		if ref.Annotated {
			if cs.GitTag.Commit, err = tr.TagCommit(ctx, ref.SHA); err != nil {
				return fmt.Errorf("read tag %s: %w", cs.Tag, err)
			}
		}
	}
	return nil
}
