package planner

import (
	"fmt"

	"github.com/relctl/relctl/state"
)

// packageProvenance says, in the reason of the chart package's release
// asset, where its bytes come from when another tool packaged the chart:
// a release .tgz adopted by its chart files is left as it is, and a
// conflict says why it could not be adopted. Other assets pass unchanged.
func packageProvenance(ch Change, cs *state.ChartState) Change {
	if ch.Type != TypeReleaseAsset || cs.Package == nil || ch.Name != cs.Package.FileName {
		return ch
	}
	o := cs.OCI
	switch {
	case ch.Action == ActionNoOp && cs.ReleasePackage != nil:
		ch.Reason = "in sync: the release holds the same chart files packaged by another tool; adopted (the registry push and the signatures use its bytes)"
	case ch.Action != ActionBlocked && ch.Action != ActionReplace || ch.Before == nil:
	case cs.Adopted():
		ch.Reason += fmt.Sprintf("; the registry already holds %s:%s packaged by another tool (%s), and this .tgz is a third archive: relctl cannot make the release and the registry agree without changing one of them", o.Repository, o.Tag, short(o.ManifestDigest))
	case o.Exists && o.ManifestDigest == o.LocalManifestDigest:
		ch.Reason += fmt.Sprintf("; the registry holds relctl's own package of %s:%s, so the release's .tgz cannot be adopted", o.Repository, o.Tag)
	case !o.Exists:
		ch.Reason += "; its chart files are not the local chart's (or it is not a chart), so it cannot be adopted"
	}
	return ch
}
