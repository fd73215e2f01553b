package planner

import (
	"fmt"
	"reflect"

	"sigs.k8s.io/yaml"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// planArtifactHubPages decides artifacthub-repo.yml beside the index on
// the pages branch, where Artifact Hub reads it for a repository listed by
// its chart repository URL. It is one resource for the spec (address
// artifacthub_metadata), written in the index's commit. A file with the
// same content in another layout (key order, quoting, as a person writes
// it) is equal: Artifact Hub reads it the same.
func planArtifactHubPages(spec *config.Spec, snap *state.Snapshot) (Change, bool, error) {
	hr, ix := spec.HelmRepository, snap.Index
	if spec.ArtifactHub == nil || hr == nil || ix == nil {
		return Change{}, false, nil
	}
	m, err := state.NewArtifactHubMetadata(spec.ArtifactHub)
	if err != nil {
		return Change{}, false, err
	}
	path := state.ArtifactHubPath(hr.Path)
	where := hr.Branch + ":" + path
	ch := Change{
		Address:     string(TypeArtifactHubMetadata),
		Type:        TypeArtifactHubMetadata,
		After:       map[string]string{"file": where, "digest": digestOf(m.YAML), "repository_id": spec.ArtifactHub.RepositoryID},
		ArtifactHub: &ArtifactHubChange{Branch: hr.Branch, Path: path, YAML: m.YAML, Digest: digestOf(m.YAML)},
	}
	if ix.ArtifactHub == nil {
		ch.Action, ch.Fingerprint = ActionCreate, "absent"
		ch.Reason = fmt.Sprintf("%s absent on branch %s; written with the index", path, hr.Branch)
		return ch, true, nil
	}
	ch.Fingerprint = digestOf(ix.ArtifactHub)
	ch.Before = map[string]string{"file": where, "digest": ch.Fingerprint}
	if sameYAML(ix.ArtifactHub, m.YAML) {
		ch.Action, ch.After, ch.ArtifactHub = ActionNoOp, ch.Before, nil
		ch.Reason = path + " up to date"
		return ch, true, nil
	}
	ch.Action = ActionUpdate
	ch.Reason = fmt.Sprintf("%s on branch %s says other than the artifacthub block (edited elsewhere, or the block changed): rewritten", path, hr.Branch)
	return ch, true, nil
}

// sameYAML reports whether a and b hold the same data; a file that does
// not parse is not the same.
func sameYAML(a, b []byte) bool {
	var va, vb any
	if yaml.Unmarshal(a, &va) != nil || yaml.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
