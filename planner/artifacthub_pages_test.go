package planner

import (
	"testing"

	"github.com/relctl/relctl/state"
)

func ahPagesWorld(t *testing.T, file []byte) *world {
	t.Helper()
	w := indexWorld(t, false, nil)
	w.spec.ArtifactHub = ahBlock
	w.snap.Index.ArtifactHub = file
	return w
}

func TestPlanArtifactHubPages_absentFileIsCreatedBesideTheIndex(t *testing.T) {
	w := ahPagesWorld(t, nil)
	w.spec.HelmRepository.Path = "charts/index.yaml"
	p := w.plan(t)
	ch := change(t, p, "artifacthub_metadata")
	if ch.Action != ActionCreate || ch.ArtifactHub == nil || ch.ArtifactHub.Path != "charts/artifacthub-repo.yml" || ch.ArtifactHub.Branch != "gh-pages" {
		t.Fatalf("got %s (%s) %+v, want a create of charts/artifacthub-repo.yml on gh-pages", ch.Action, ch.Reason, ch.ArtifactHub)
	}
	for _, c := range p.Charts() {
		if c == "" {
			t.Errorf("Charts() lists the chart-less resource as a chart: %q", p.Charts())
		}
	}
}

func TestPlanArtifactHubPages_sameDataInAnotherLayoutIsANoOp(t *testing.T) {
	file := []byte("repositoryID: \"" + ahBlock.RepositoryID + "\"\nowners:\n  - name: Ada\n    email: ada@acme.io\n")
	ch := change(t, ahPagesWorld(t, file).plan(t), "artifacthub_metadata")
	if ch.Action != ActionNoOp || ch.ArtifactHub != nil {
		t.Errorf("got %s (%s), want a no-op", ch.Action, ch.Reason)
	}
}

func TestPlanArtifactHubPages_otherOwnersAreRewritten(t *testing.T) {
	file := []byte("repositoryID: " + ahBlock.RepositoryID + "\nowners:\n  - name: Mallory\n    email: m@evil.io\n")
	ch := change(t, ahPagesWorld(t, file).plan(t), "artifacthub_metadata")
	if ch.Action != ActionUpdate || ch.ArtifactHub == nil {
		t.Fatalf("got %s (%s), want an update", ch.Action, ch.Reason)
	}
	m, _ := state.NewArtifactHubMetadata(ahBlock)
	if string(ch.ArtifactHub.YAML) != string(m.YAML) {
		t.Errorf("writes %q, want %q", ch.ArtifactHub.YAML, m.YAML)
	}
}

// The file and the chart's entry go in the same single index write.
func TestApply_artifactHubFileIsWrittenInTheIndexWrite(t *testing.T) {
	e := newApplyEnv(t, "alpha")
	ix := withIndex(e)
	e.spec.ArtifactHub = ahBlock
	e.observe()
	e.snap.Index.ArtifactHub = nil
	p := e.plan()
	if _, err := Apply(t.Context(), p, e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: e.gh, Index: ix, ArtifactHub: nil},
		ApplyOptions{Parallelism: 2, Sleep: e.sleep}); err != nil {
		t.Fatal(err)
	}
	var files int
	for _, w := range ix.writes {
		for _, f := range w.Files {
			files++
			if f.Path != "artifacthub-repo.yml" {
				t.Errorf("wrote %s", f.Path)
			}
		}
	}
	if len(ix.writes) != 1 || files != 1 || len(ix.writes[0].Records) != 1 {
		t.Errorf("index writes = %+v, want one carrying the file", ix.writes)
	}
}
