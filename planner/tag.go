package planner

import (
	"fmt"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// TypeGitTag is the chart's release tag.
const TypeGitTag ResourceType = "git_tag"

// tagChange decides the chart's release tag. GitHub creates the tag when a
// release is published, at its target commit, but only if the tag does not
// exist yet: an existing tag is released where it points. So a tag that
// already names another commit would publish that commit under this
// version: blocked, like a registry conflict. Once the release is
// published, the tag is the release's.
func tagChange(c config.Chart, cs *state.ChartState, snap *state.Snapshot, keep *state.Release) (Change, bool) {
	ch := Change{
		Address: fmt.Sprintf("%s.%s", TypeGitTag, c.Name),
		Type:    TypeGitTag,
		Chart:   c.Name,
		After:   map[string]string{"tag": c.Tag},
		Tag:     &TagChange{Tag: c.Tag, Commit: snap.Commit},
	}
	if snap.Commit != "" {
		ch.After["commit"] = snap.Commit
	}
	t := cs.GitTag
	switch {
	case keep != nil && !keep.Draft:
		ch.Action, ch.Reason, ch.Fingerprint = ActionNoOp, "published with its release", "published"
	case t == nil:
		// Not observed: the caller reads no tags.
		return ch, false
	case !t.Exists:
		ch.Action, ch.Fingerprint = ActionCreate, "absent"
		ch.Reason = fmt.Sprintf("created by GitHub at %s when the release is published", shortSHA(snap.Commit))
		if snap.Commit == "" {
			ch.Reason = "created by GitHub at the default branch's head when the release is published (GITHUB_SHA or a git checkout would name the commit)"
		}
	case snap.Commit == "" || t.Commit == snap.Commit:
		ch.Before = map[string]string{"tag": c.Tag, "commit": t.Commit}
		ch.Action, ch.Fingerprint = ActionNoOp, t.Commit
		ch.Reason = fmt.Sprintf("exists at %s: the release is published from it", shortSHA(t.Commit))
	default:
		ch.Before = map[string]string{"tag": c.Tag, "commit": t.Commit}
		ch.Action, ch.Fingerprint, ch.Tag = ActionBlocked, t.Commit, nil
		ch.Reason = fmt.Sprintf("tag %s already points at %s, not at %s being released: publishing would release that commit; delete the tag or release from its commit",
			c.Tag, shortSHA(t.Commit), shortSHA(snap.Commit))
	}
	return ch, true
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
