package planner

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

func TestFencedBlocks_findsOnlyTheNamedBlocks(t *testing.T) {
	text := "intro\n```attestation-map\n{\"a\": 1}\n```\n" +
		"```json\n{\"other\": true}\n```\n" +
		"  ~~~~ attestation-map extra words\n{\"b\": 2}\n~~~~\n" +
		"```attestation-map\n{\"unterminated\": 3}\n"
	got := fencedBlocks(text, "attestation-map")
	want := []string{"{\"a\": 1}\n", "{\"b\": 2}\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("fencedBlocks (-want +got):\n%s", diff)
	}
}

func TestLineageFile_isDeterministicAndRecordsTheFinalDigest(t *testing.T) {
	w := newWorld(config.SigningNone, true)
	w.chart().Lineage = &state.Lineage{Attestations: []json.RawMessage{json.RawMessage(`{"bundle": {"b": 1}}`)}}
	w.snap.PullRequest = &state.PullRequest{Number: 3, URL: "https://github.com/acme/charts/pull/3",
		Body: "```attestation-map\n{\"podinfo\": {\"build\": \"123\"}}\n```"}
	first, warns, err := lineageFile(w.spec.Charts[0], w.chart(), w.snap, finalManifest(w.chart()), "")
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	again, _, _ := lineageFile(w.spec.Charts[0], w.chart(), w.snap, finalManifest(w.chart()), "")
	if !bytes.Equal(first, again) {
		t.Fatal("two renderings of the same lineage differ")
	}
	var l Lineage
	if err := json.Unmarshal(first, &l); err != nil {
		t.Fatal(err)
	}
	var upstream bytes.Buffer
	if err := json.Compact(&upstream, l.Attestations.Upstream); err != nil {
		t.Fatal(err)
	}
	if l.Digest != d("1") || l.PackageDigest != d("a") || l.SourceCommit != "abc123" || upstream.String() != `{"build":"123"}` || len(l.Attestations.GitHub) != 1 {
		t.Fatalf("lineage = %s", first)
	}
	// The plan carries it as an asset with its digest known in advance.
	p := w.plan(t)
	ch := change(t, p, `github_release_asset.podinfo["podinfo-attestation-lineage.json"]`)
	if ch.Action != ActionCreate || ch.After["digest"] != digestOf(first) {
		t.Fatalf("lineage change = %+v", ch)
	}
}
