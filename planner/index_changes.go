package planner

import (
	"encoding/json"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/relctl/relctl/notes"
)

// changesAnnotation is Artifact Hub's per-version change list.
const changesAnnotation = "artifacthub.io/changes"

// changeKinds maps Keep-a-Changelog's subsection headings to Artifact
// Hub's change kinds (artifacthub.io/docs/topics/annotations/helm).
var changeKinds = map[string]string{
	"added": "added", "changed": "changed", "deprecated": "deprecated",
	"removed": "removed", "fixed": "fixed", "security": "security",
}

// withChanges returns the index entry's metadata with the
// artifacthub.io/changes annotation made from the version's CHANGELOG.md
// section, when the chart declares none.
//
// Only the index entry gets it, never the package: Chart.yaml's annotations
// are inside the .tgz, in the OCI config blob and in the manifest
// annotations, so adding one there would change the package, config and
// manifest digests, and every version already published without it would
// stop reproducing its published digest. The index entry is compared on
// digest and URLs only, so entries already listed are not rewritten for it.
func withChanges(meta json.RawMessage, changelog []byte, version string) json.RawMessage {
	if len(changelog) == 0 {
		return meta
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(meta, &m) != nil {
		return meta
	}
	annotations := map[string]string{}
	if raw, ok := m["annotations"]; ok && json.Unmarshal(raw, &annotations) != nil {
		return meta
	}
	if _, ok := annotations[changesAnnotation]; ok {
		return meta
	}
	section, ok := notes.ChangelogSection(changelog, version)
	if !ok {
		return meta
	}
	changes := changesOf(section)
	if len(changes) == 0 {
		return meta
	}
	y, err := yaml.Marshal(changes)
	if err != nil {
		return meta
	}
	annotations[changesAnnotation] = string(y)
	if m["annotations"], err = json.Marshal(annotations); err != nil {
		return meta
	}
	out, err := json.Marshal(m)
	if err != nil {
		return meta
	}
	return out
}

type artifactHubChange struct {
	Kind        string `json:"kind,omitempty"`
	Description string `json:"description"`
}

// changesOf reads a Keep-a-Changelog section: each list item is a change,
// of the kind its "### Added" (…) heading names; items under another
// heading, or none, have no kind.
func changesOf(section string) []artifactHubChange {
	var out []artifactHubChange
	kind := ""
	for _, line := range strings.Split(section, "\n") {
		t := strings.TrimSpace(line)
		if h, ok := strings.CutPrefix(t, "### "); ok {
			kind = changeKinds[strings.ToLower(strings.TrimSpace(h))]
			continue
		}
		// Top-level items only: an indented item belongs to the one above.
		if line != strings.TrimLeft(line, " \t") {
			continue
		}
		for _, bullet := range []string{"- ", "* "} {
			if d, ok := strings.CutPrefix(t, bullet); ok && strings.TrimSpace(d) != "" {
				out = append(out, artifactHubChange{Kind: kind, Description: strings.TrimSpace(d)})
				break
			}
		}
	}
	return out
}
