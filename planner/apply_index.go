package planner

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/relctl/relctl/state"
)

// writeIndex writes the index entries of every chart whose release is
// published, in one commit, last: an entry never points at a release that
// is not public yet. A chart that failed, or whose release was left a
// draft, keeps its entry for the next apply. A failed write fails the
// charts whose entries it carried.
func (a *applier) writeIndex(ctx context.Context) {
	var changes []Change
	for _, ch := range a.plan.Changes {
		if ch.Type != TypeHelmIndexEntry || ch.Action == ActionNoOp {
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
		if ch.Index == nil {
			a.res.Failed[ch.Chart] = fmt.Errorf("%s: %w", ch.Address, errNoPayload(ch))
			return
		}
		u.Branch, u.Path = ch.Index.Branch, ch.Index.Path
		u.Records = append(u.Records, ch.Index.record())
		names = append(names, ch.Index.Chart+" "+ch.Index.Version)
	}
	u.Message = fmt.Sprintf("relctl: index %s", strings.Join(names, ", "))
	if a.w.Index == nil {
		for _, ch := range changes {
			a.res.Failed[ch.Chart] = fmt.Errorf("%s: no index writer configured", ch.Address)
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
			a.res.Failed[ch.Chart] = err
			a.hook.Done(ch, err)
			continue
		}
		a.applied(ch)
		a.hook.Done(ch, nil)
	}
}
