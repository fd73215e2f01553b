package planner

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/config"
)

// A saved plan carries every instruction apply needs, typed: the release to
// complete, the duplicate drafts to delete, the asset a replace removes.
func TestPlanFile_roundTripsTypedInstructions(t *testing.T) {
	w := newWorld(config.SigningKey, true)
	w.published()
	w.spec.GitHub.OnAssetConflict = config.AssetConflictReplace
	assets := completeAssets()
	assets["README.md"] = d("0") // other content: replaced
	delete(assets, "CHANGELOG.md")
	w.release(7, true, "old notes", assets)
	w.release(9, true, "", nil)
	saved := w.plan(t)

	rel := change(t, saved, `github_release.podinfo`).Release
	if rel == nil || rel.ID != 7 || !rel.Draft || !rel.Edit || !cmp.Equal(rel.DeleteDrafts, []int64{9}) {
		t.Fatalf("release payload %+v: want draft 7 completed and edited, draft 9 deleted", rel)
	}
	readme := change(t, saved, `github_release_asset.podinfo["README.md"]`)
	if readme.Action != ActionReplace || readme.Asset == nil || readme.Asset.Replaces != 73 || readme.Asset.Digest != d("f") {
		t.Fatalf("README.md: %s %+v, want a replace of asset 73 with sha256 %s", readme.Action, readme.Asset, d("f"))
	}

	var buf bytes.Buffer
	if err := saved.Write(&buf); err != nil {
		t.Fatal(err)
	}
	read, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(saved, read); diff != "" {
		t.Fatalf("round trip (-saved +read):\n%s", diff)
	}
	if !strings.Contains(buf.String(), `"delete_drafts": [`) || !strings.Contains(buf.String(), `"replaces": 73`) {
		t.Errorf("the saved plan's payloads are not typed JSON:\n%s", buf.String())
	}
}

// A format-1 plan written before payloads existed still reads (show,
// staleness), but apply refuses to guess its instructions from the display
// values and names the fix.
func TestPlanFile_withoutPayloadsReadsButApplyRefuses(t *testing.T) {
	w := newWorld(config.SigningNone, false)
	var buf bytes.Buffer
	if err := w.plan(t).Write(&buf); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, c := range raw["resource_changes"].([]any) {
		delete(c.(map[string]any), "payload")
	}
	old, _ := json.Marshal(raw)
	p, err := Read(bytes.NewReader(old))
	if err != nil {
		t.Fatalf("an older format-1 plan no longer reads: %v", err)
	}
	if err := CheckStale(p, w.plan(t)); err != nil {
		t.Fatalf("an older plan of an unchanged world is stale: %v", err)
	}
	reg := newFakeRegistry()
	_, err = Apply(context.Background(), p, w.spec, w.snap, Writers{Registry: reg}, ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "oci_chart.podinfo (written by an older relctl?): run relctl plan again") {
		t.Fatalf("Apply of a plan without instructions = %v", err)
	}
	if len(reg.tags) != 0 {
		t.Errorf("the registry was written: %v", reg.tags)
	}
}
