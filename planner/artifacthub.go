package planner

import (
	"fmt"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// TypeArtifactHubMetadata is the Artifact Hub repository metadata in a
// chart's registry repository (<repository>/<chart>:artifacthub.io). It is
// one resource per chart because Artifact Hub lists each OCI chart
// repository on its own and reads the metadata from that repository: each
// has its own tag to create, observe and repair, and a chart whose push
// fails fails alone.
const TypeArtifactHubMetadata ResourceType = "artifacthub_metadata"

// ArtifactHubChange is what pushing the metadata needs. The manifest is
// rebuilt from YAML at apply (it is deterministic) and must give Digest.
//
// The pages branch's artifacthub-repo.yml (address artifacthub_metadata,
// no chart) carries Branch and Path instead of Repository, and is written
// with the index.
type ArtifactHubChange struct {
	Repository string `json:"repository,omitempty"`
	Branch     string `json:"branch,omitempty"`
	Path       string `json:"path,omitempty"`
	// YAML is artifacthub-repo.yml.
	YAML []byte `json:"yaml"`
	// Digest is the manifest digest the push writes; Previous what the tag
	// held when planned, "" when absent.
	Digest   string `json:"digest"`
	Previous string `json:"previous,omitempty"`
}

// planArtifactHub decides the chart repository's artifacthub.io tag: equal
// manifest digests mean equal metadata, since the manifest has no
// timestamp. Anything else at the tag (an older owner list, a hand-pushed
// file) is replaced: the artifacthub block is the source of truth.
func planArtifactHub(spec *config.Spec, c config.Chart, cs *state.ChartState) (Change, bool, error) {
	if spec.ArtifactHub == nil || !cs.ArtifactHub.Observed {
		return Change{}, false, nil
	}
	m, err := state.NewArtifactHubMetadata(spec.ArtifactHub)
	if err != nil {
		return Change{}, false, fmt.Errorf("chart %s: %w", c.Name, err)
	}
	have := cs.ArtifactHub
	ref := cs.OCI.Repository + ":" + state.ArtifactHubTag
	ch := Change{
		Address: fmt.Sprintf("%s.%s", TypeArtifactHubMetadata, c.Name),
		Type:    TypeArtifactHubMetadata,
		Chart:   c.Name,
		After:   map[string]string{"reference": ref, "digest": m.Digest, "repository_id": spec.ArtifactHub.RepositoryID},
		ArtifactHub: &ArtifactHubChange{
			Repository: cs.OCI.Repository, YAML: m.YAML, Digest: m.Digest,
		},
	}
	switch {
	case !have.Exists:
		ch.Action, ch.Fingerprint = ActionCreate, "absent"
		ch.Reason = "tag " + state.ArtifactHubTag + " absent"
	case have.Digest == m.Digest:
		ch.Action, ch.Fingerprint, ch.ArtifactHub = ActionNoOp, have.Digest, nil
		ch.Before = ch.After
		ch.Reason = "metadata up to date, digest " + short(m.Digest)
	default:
		ch.Action, ch.Fingerprint = ActionUpdate, have.Digest
		ch.ArtifactHub.Previous = have.Digest
		ch.Before = map[string]string{"reference": ref, "digest": have.Digest}
		ch.Reason = fmt.Sprintf("the tag holds manifest %s, not the artifacthub block's %s (edited elsewhere, or the block changed): replaced",
			short(have.Digest), short(m.Digest))
	}
	return ch, true, nil
}
