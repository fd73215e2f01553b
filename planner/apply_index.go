package planner

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/relctl/relctl/state"
)

// writeIndex writes the index entries of every chart whose release is
// published, and the pages branch's artifacthub-repo.yml, in one commit,
// last: an entry never points at a release that is not public yet. A chart
// that failed, or whose release was left a draft, keeps its entry for the
// next apply. A failed write fails the charts whose entries it carried (and
// artifacthub_metadata, under its address).
func (a *applier) writeIndex(ctx context.Context) {
	var changes []Change
	for _, ch := range a.plan.Changes {
		if ch.Action == ActionNoOp {
			continue
		}
		if ch.Type == TypeArtifactHubMetadata && ch.Chart == "" {
			// Not a chart's: it points at no release, so nothing holds
			// it back.
			changes = append(changes, ch)
			continue
		}
		if ch.Type != TypeHelmIndexEntry {
			continue
		}
		if _, failed := a.res.Failed[ch.Chart]; failed || slices.Contains(a.res.Drafts, ch.Chart) {
			continue
		}
		changes = append(changes, ch)
	}
	if len(changes) == 0 {
		return
	}
	u := state.IndexUpdate{}
	var names []string
	for _, ch := range changes {
		switch {
		case ch.Index != nil:
			u.Branch, u.Path = ch.Index.Branch, ch.Index.Path
			u.Records = append(u.Records, ch.Index.record())
			names = append(names, ch.Index.Chart+" "+ch.Index.Version)
		case ch.ArtifactHub != nil && ch.Chart == "":
			u.Branch = ch.ArtifactHub.Branch
			u.Files = append(u.Files, state.BranchFile{Path: ch.ArtifactHub.Path, Data: ch.ArtifactHub.YAML})
		default:
			a.res.Failed[failKey(ch)] = fmt.Errorf("%s: %w", ch.Address, errNoPayload(ch))
			return
		}
	}
	if u.Path == "" {
		u.Path = a.spec.HelmRepository.Path
	}
	u.Message = indexMessage(names, u.Files)
	if a.w.Index == nil {
		for _, ch := range changes {
			a.res.Failed[failKey(ch)] = fmt.Errorf("%s: no index writer configured", ch.Address)
		}
		return
	}
	for _, ch := range changes {
		a.hook.Start(ch)
	}
	_, err := a.w.Index.WriteIndex(ctx, u)
	for _, ch := range changes {
		if err != nil {
			err := fmt.Errorf("%s: write %s on branch %s: %w", ch.Address, u.Path, u.Branch, err)
			a.res.Failed[failKey(ch)] = err
			a.hook.Done(ch, err)
			continue
		}
		a.applied(ch)
		a.hook.Done(ch, nil)
	}
}

// failKey is where Result.Failed records the change's failure: its chart,
// or its address for a resource of no chart.
func failKey(ch Change) string {
	if ch.Chart == "" {
		return ch.Address
	}
	return ch.Chart
}

// indexMessage is the commit message: what the commit adds.
func indexMessage(names []string, files []state.BranchFile) string {
	var parts []string
	if len(names) > 0 {
		parts = append(parts, "index "+strings.Join(names, ", "))
	}
	for _, f := range files {
		parts = append(parts, f.Path)
	}
	return "relctl: " + strings.Join(parts, "; ")
}
