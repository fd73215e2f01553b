package planner

import (
	"encoding/json"
	"testing"
)

const changelog = `# Changelog

## [1.2.0] - 2026-11-30

### Added
- Ingress support
  - with TLS
### Fixed
* Probe timeouts

## [1.1.0]
### Added
- Old thing
`

func entryAnnotations(t *testing.T, ch Change) map[string]string {
	t.Helper()
	var md struct {
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal(ch.Index.Metadata, &md); err != nil {
		t.Fatal(err)
	}
	return md.Annotations
}

func TestPlanIndex_changesAnnotationComesFromTheVersionsChangelogSection(t *testing.T) {
	w := indexWorld(t, false, nil)
	w.spec.ArtifactHub = ahBlock
	w.chart().Changelog = []byte(changelog)
	p := w.plan(t)
	got := entryAnnotations(t, change(t, p, "helm_index_entry.podinfo"))["artifacthub.io/changes"]
	want := "- description: Ingress support\n  kind: added\n- description: Probe timeouts\n  kind: fixed\n"
	if got != want {
		t.Errorf("artifacthub.io/changes =\n%s\nwant\n%s", got, want)
	}
	// The package is untouched: the registry push is the chart's own bytes.
	if oci := change(t, p, "oci_chart.podinfo"); oci.OCI == nil || oci.OCI.Digest != w.chart().OCI.LocalManifestDigest {
		t.Errorf("oci_chart payload %+v, want the local package's manifest %s", oci.OCI, w.chart().OCI.LocalManifestDigest)
	}
}

func TestPlanIndex_chartsOwnChangesAnnotationIsKept(t *testing.T) {
	w := indexWorld(t, false, nil)
	w.spec.ArtifactHub = ahBlock
	w.chart().Changelog = []byte(changelog)
	w.chart().Package.Config = []byte(`{"apiVersion":"v2","name":"podinfo","version":"1.2.0","annotations":{"artifacthub.io/changes":"- mine"}}`)
	if got := entryAnnotations(t, change(t, w.plan(t), "helm_index_entry.podinfo"))["artifacthub.io/changes"]; got != "- mine" {
		t.Errorf("artifacthub.io/changes = %q, want the chart's own", got)
	}
}

func TestPlanIndex_noArtifactHubBlockLeavesTheMetadataAsTheChartHasIt(t *testing.T) {
	w := indexWorld(t, false, nil)
	w.chart().Changelog = []byte(changelog)
	if got := string(change(t, w.plan(t), "helm_index_entry.podinfo").Index.Metadata); got != string(w.chart().Package.Config) {
		t.Errorf("metadata = %s, want the chart's %s", got, w.chart().Package.Config)
	}
}
