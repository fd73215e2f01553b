package planner

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

const downloads = "https://github.com/acme/charts/releases/download/"

// indexWorld is podinfo 1.2.0 with a helm_repository; entry is the index's
// entry for it, nil for none.
func indexWorld(t *testing.T, publishedRelease bool, entry *state.IndexEntry) *world {
	t.Helper()
	w := newWorld(config.SigningKey, true)
	w.spec.HelmRepository = &config.HelmRepository{URL: "https://acme.github.io/charts", Branch: "gh-pages", Path: "index.yaml"}
	w.chart().Package.Created = time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("x", 3600))
	w.chart().Package.Config = []byte(`{"apiVersion":"v2","name":"podinfo","version":"1.2.0","description":"A chart"}`)
	w.snap.Index = &state.IndexState{Branch: "gh-pages", Path: "index.yaml", Exists: entry != nil, Entries: map[string]state.IndexEntry{}, DownloadBase: downloads}
	if entry != nil {
		w.snap.Index.Entries["podinfo"] = *entry
	}
	if publishedRelease {
		w.published().chart().Signature = &state.SignatureState{Valid: true, Count: 1}
		body, err := renderNotes(w.spec, w.spec.Charts[0], w.chart())
		if err != nil {
			t.Fatal(err)
		}
		w.release(1, false, body, completeAssets())
	}
	return w
}

var (
	hexA     = strings.TrimPrefix(d("a"), "sha256:")
	assetURL = downloads + "podinfo-v1.2.0/podinfo-1.2.0.tgz"
)

func TestPlanIndex_absentEntryIsCreatedPointingAtTheReleaseAsset(t *testing.T) {
	p := indexWorld(t, false, nil).plan(t)
	ch := change(t, p, "helm_index_entry.podinfo")
	if ch.Action != ActionCreate {
		t.Fatalf("action = %s (%s), want create", ch.Action, ch.Reason)
	}
	want := IndexEntryChange{Branch: "gh-pages", Path: "index.yaml", Chart: "podinfo", Version: "1.2.0", URL: assetURL, Digest: hexA,
		Created: time.Date(2025, 3, 4, 4, 6, 7, 0, time.UTC), Metadata: []byte(`{"apiVersion":"v2","name":"podinfo","version":"1.2.0","description":"A chart"}`)}
	got, _ := json.Marshal(ch.Index)
	wantJSON, _ := json.Marshal(want)
	if string(got) != string(wantJSON) {
		t.Errorf("payload\n got %s\nwant %s", got, wantJSON)
	}
	if p.Changes[len(p.Changes)-1].Address != "helm_index_entry.podinfo" {
		t.Errorf("the index entry is not the chart's last change: %v", actions(p))
	}
}

// An index written by chart-releaser for versions already published: same
// digest and URL, another created. Adopting it changes nothing.
func TestPlanIndex_chartReleaserIndexForPublishedVersionsIsANoOpPlan(t *testing.T) {
	w := indexWorld(t, true, &state.IndexEntry{Digest: hexA, URLs: []string{assetURL}})
	p := w.plan(t)
	if p.HasChanges() {
		t.Errorf("plan has changes: %v", actions(p))
	}
	if ch := change(t, p, "helm_index_entry.podinfo"); ch.Action != ActionNoOp || ch.Index != nil {
		t.Errorf("index entry: %s %s (payload %v)", ch.Action, ch.Reason, ch.Index)
	}
}

func TestPlanIndex_entryAlteredAfterPublishIsRestored(t *testing.T) {
	for name, e := range map[string]state.IndexEntry{
		"digest changed": {Digest: strings.Repeat("9", 64), URLs: []string{assetURL}},
		"url changed":    {Digest: hexA, URLs: []string{"https://elsewhere.example/podinfo-1.2.0.tgz"}},
	} {
		t.Run(name, func(t *testing.T) {
			p := indexWorld(t, true, &e).plan(t)
			ch := change(t, p, "helm_index_entry.podinfo")
			if ch.Action != ActionUpdate || ch.Index == nil || ch.Index.Digest != hexA || ch.Index.URL != assetURL {
				t.Errorf("got %s %q payload %+v, want an update restoring digest and URL", ch.Action, ch.Reason, ch.Index)
			}
		})
	}
}

func TestPlanIndex_entryWithAnotherPackageUnpublishedIsBlocked(t *testing.T) {
	p := indexWorld(t, false, &state.IndexEntry{Digest: strings.Repeat("9", 64), URLs: []string{"https://x.example/p.tgz"}}).plan(t)
	ch := change(t, p, "helm_index_entry.podinfo")
	if ch.Action != ActionBlocked || !strings.Contains(ch.Reason, "neither the registry nor the release holds") || !strings.Contains(ch.Reason, "bump the chart version") {
		t.Errorf("got %s %q, want blocked saying neither holds it", ch.Action, ch.Reason)
	}
}

func TestPlanIndex_entryDigestHeldByThePublishedReleaseIsKept(t *testing.T) {
	other := d("7")
	w := indexWorld(t, true, &state.IndexEntry{Digest: strings.TrimPrefix(other, "sha256:"), URLs: []string{assetURL}})
	w.chart().Releases[0].Assets[0].Digest = other // the release carries another tool's package
	ch := change(t, w.plan(t), "helm_index_entry.podinfo")
	if ch.Action != ActionNoOp || !strings.Contains(ch.Reason, "the published release asset podinfo-1.2.0.tgz holds it") {
		t.Errorf("got %s %q, want a no-op naming the release asset", ch.Action, ch.Reason)
	}
}

func TestPlanIndex_payloadSurvivesTheSavedPlan(t *testing.T) {
	p := indexWorld(t, false, nil).plan(t)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back ChangeSet
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got := change(t, &back, "helm_index_entry.podinfo").Index
	if got == nil || got.URL != assetURL || got.Digest != hexA || string(got.Metadata) != string(change(t, p, "helm_index_entry.podinfo").Index.Metadata) {
		t.Errorf("payload after a round trip = %+v", got)
	}
}
