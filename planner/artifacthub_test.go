package planner

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

var ahBlock = &config.ArtifactHub{RepositoryID: "7c4a2b1e-3f5d-4a8b-9c0d-1e2f3a4b5c6d", Owners: []config.ArtifactHubOwner{{Name: "Ada", Email: "ada@acme.io"}}}

func ahWorld(t *testing.T, tag state.ArtifactHubState) *world {
	t.Helper()
	w := newWorld(config.SigningNone, false)
	w.spec.ArtifactHub = ahBlock
	w.chart().ArtifactHub = tag
	return w
}

func ahDigest(t *testing.T) string {
	t.Helper()
	m, err := state.NewArtifactHubMetadata(ahBlock)
	if err != nil {
		t.Fatal(err)
	}
	return m.Digest
}

func TestPlanArtifactHub_absentTagIsCreatedWithTheBlocksMetadata(t *testing.T) {
	ch := change(t, ahWorld(t, state.ArtifactHubState{Observed: true}).plan(t), "artifacthub_metadata.podinfo")
	if ch.Action != ActionCreate || ch.ArtifactHub == nil {
		t.Fatalf("got %s (%s), want create with a payload", ch.Action, ch.Reason)
	}
	if ch.ArtifactHub.Digest != ahDigest(t) || !strings.Contains(string(ch.ArtifactHub.YAML), "email: ada@acme.io") {
		t.Errorf("payload = %+v", ch.ArtifactHub)
	}
	if !strings.HasSuffix(ch.After["reference"], "/podinfo:artifacthub.io") {
		t.Errorf("reference = %q, want the chart's repository at tag artifacthub.io", ch.After["reference"])
	}
}

func TestPlanArtifactHub_sameDigestIsANoOp(t *testing.T) {
	ch := change(t, ahWorld(t, state.ArtifactHubState{Observed: true, Exists: true, Digest: ahDigest(t)}).plan(t), "artifacthub_metadata.podinfo")
	if ch.Action != ActionNoOp || ch.ArtifactHub != nil {
		t.Errorf("got %s (%s), want a no-op without instructions", ch.Action, ch.Reason)
	}
}

func TestPlanArtifactHub_otherDigestIsDriftReplaced(t *testing.T) {
	ch := change(t, ahWorld(t, state.ArtifactHubState{Observed: true, Exists: true, Digest: d("x")}).plan(t), "artifacthub_metadata.podinfo")
	if ch.Action != ActionUpdate || ch.ArtifactHub == nil || ch.ArtifactHub.Previous != d("x") {
		t.Errorf("got %s (%s) %+v, want an update from %s", ch.Action, ch.Reason, ch.ArtifactHub, d("x"))
	}
}

func TestPlanArtifactHub_noBlockNoResource(t *testing.T) {
	w := ahWorld(t, state.ArtifactHubState{})
	w.spec.ArtifactHub = nil
	for _, c := range w.plan(t).Changes {
		if c.Type == TypeArtifactHubMetadata {
			t.Errorf("planned %s without an artifacthub block", c.Address)
		}
	}
}

func TestPlanArtifactHub_payloadSurvivesTheSavedPlan(t *testing.T) {
	p := ahWorld(t, state.ArtifactHubState{Observed: true}).plan(t)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back ChangeSet
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got := change(t, &back, "artifacthub_metadata.podinfo").ArtifactHub
	want := change(t, p, "artifacthub_metadata.podinfo").ArtifactHub
	if got == nil || got.Digest != want.Digest || string(got.YAML) != string(want.YAML) || got.Repository != want.Repository {
		t.Errorf("payload after a round trip = %+v, want %+v", got, want)
	}
}
