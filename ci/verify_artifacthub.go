package ci

import (
	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/planner"
)

// VerifyArtifactHub checks the Artifact Hub metadata the spec's
// artifacthub block declares, as the plan judged it: each chart
// repository's artifacthub.io tag holds the block's metadata, and, with a
// chart repository index, artifacthub-repo.yml on the pages branch says
// the same. The checks come in the plan's order, the pages file (of no
// chart) last; none without an artifacthub block.
func VerifyArtifactHub(spec *config.Spec, p *planner.ChangeSet) []Check {
	if spec.ArtifactHub == nil || p == nil {
		return nil
	}
	versions := map[string]string{}
	for _, c := range spec.Charts {
		versions[c.Name] = c.Version
	}
	var charts, pages []Check
	for _, ch := range p.Changes {
		if ch.Type != planner.TypeArtifactHubMetadata {
			continue
		}
		c := Check{Chart: ch.Chart, Version: versions[ch.Chart], Name: "artifacthub", OK: ch.Action == planner.ActionNoOp, Detail: ch.Reason}
		if ref := ch.After["reference"]; ref != "" {
			c.Detail = ref + ": " + ch.Reason
		}
		if ch.Chart == "" {
			pages = append(pages, c)
		} else {
			charts = append(charts, c)
		}
	}
	return append(charts, pages...)
}
