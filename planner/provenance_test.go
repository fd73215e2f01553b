package planner

import (
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// chartReleased gives podinfo a published release holding a .tgz that
// another tool packaged (digest d("r")), as chart-releaser leaves it, and
// the other assets of a complete release.
func (w *world) chartReleased() {
	assets := completeAssets()
	assets["podinfo-1.2.0.tgz"] = d("r")
	w.release(7, false, "the podinfo chart", assets)
}

// A release whose .tgz holds the local chart's files, packaged by another
// tool, while the registry lacks the version: the release is left as it
// is, and the push and the signature are of its bytes, so that the
// registry and the release agree.
func TestPlan_releasePackageWithTheSameChartFilesIsAdoptedAndItsBytesPushed(t *testing.T) {
	w := newWorld(config.SigningKey, true)
	w.chartReleased()
	c := w.chart()
	c.ReleasePackage = &state.ReleasePackage{AssetID: 71, Archive: []byte("helm package's archive"), Digest: d("r")}
	c.OCI.LocalManifestDigest = d("2") // the manifest of those bytes
	w.spec.GitHub.UpdateNotes = false  // as init sets it for chart-releaser's notes
	p := w.plan(t)

	if b := p.Blocked(); len(b) > 0 {
		t.Fatalf("blocked: %v", actions(p))
	}
	tgz := change(t, p, `github_release_asset.podinfo["podinfo-1.2.0.tgz"]`)
	if tgz.Action != ActionNoOp || !strings.Contains(tgz.Reason, "same chart files packaged by another tool; adopted") {
		t.Errorf("release .tgz: %s %q, want a no-op saying it is adopted", tgz.Action, tgz.Reason)
	}
	oci := change(t, p, "oci_chart.podinfo")
	if oci.Action != ActionCreate || oci.OCI.Digest != d("2") || !strings.Contains(oci.Reason, "pushes the podinfo-1.2.0.tgz release podinfo-v1.2.0 carries") {
		t.Errorf("oci_chart: %s to %s %q, want a push of the release's bytes (manifest %s), saying so", oci.Action, oci.OCI.Digest, oci.Reason, d("2"))
	}
	if sig := change(t, p, "oci_signature.podinfo"); sig.Signature == nil || sig.Signature.Manifest != d("2") {
		t.Errorf("the signature targets %+v, want the pushed manifest %s", sig.Signature, d("2"))
	}
	if rel := change(t, p, "github_release.podinfo"); rel.Action != ActionNoOp {
		t.Errorf("the published release changes: %s %q", rel.Action, rel.Reason)
	}
}

// The registry holds the version packaged by another tool (adopted from
// its bytes) and the release a third archive: nothing can make them agree
// without changing one, so it stays a conflict, and the reason says why.
func TestPlan_releasePackageBesideARegistryArchiveOfOtherBytesStaysAConflictSayingWhy(t *testing.T) {
	w := newWorld(config.SigningKey, true)
	w.chartReleased()
	c := w.chart()
	c.OCI.Exists, c.OCI.ManifestDigest = true, d("9")
	c.OCI.ContentDigest, c.OCI.RemoteArchive = c.Package.ContentDigest, []byte("helm push's archive")
	c.Signature = &state.SignatureState{Valid: true, Count: 1}
	p := w.plan(t)

	tgz := change(t, p, `github_release_asset.podinfo["podinfo-1.2.0.tgz"]`)
	if tgz.Action != ActionBlocked {
		t.Fatalf("release .tgz: %s %q, want blocked", tgz.Action, tgz.Reason)
	}
	for _, want := range []string{"asset has other content", "on_asset_conflict", "registry already holds ghcr.io/acme/charts/podinfo:1.2.0 packaged by another tool", "third archive"} {
		if !strings.Contains(tgz.Reason, want) {
			t.Errorf("reason %q does not say %q", tgz.Reason, want)
		}
	}
	if oci := change(t, p, "oci_chart.podinfo"); oci.Action != ActionNoOp {
		t.Errorf("oci_chart: %s %q, want the registry's version kept", oci.Action, oci.Reason)
	}
}

// Apply pushes and signs the adopted release bytes: the registry's chart
// layer is the release's .tgz, and the release's new .tgz.sig is a
// signature of those bytes, not of relctl's own package.
func TestApply_adoptedReleasePackageIsWhatIsPushedAndBlobSigned(t *testing.T) {
	e := newApplyEnv(t, "podinfo")
	cs := &e.snap.Charts[0]
	cr := []byte("helm package's archive of podinfo")
	readme := cs.Assets[0]
	e.gh.seed(state.Release{TagName: cs.Tag, Name: e.spec.Charts[0].Title, Assets: []state.Asset{
		{Name: cs.Package.FileName, State: "uploaded", Digest: sha(cr), Size: int64(len(cr))},
		{Name: readme.Name, State: "uploaded", Digest: readme.Digest, Size: readme.Size},
	}})
	crManifest := sha([]byte("manifest of chart-releaser's podinfo"))
	e.reg.manifests[sha(cr)] = crManifest
	cs.ReleasePackage = &state.ReleasePackage{Archive: cr, Digest: sha(cr)}
	cs.OCI.LocalManifestDigest = crManifest
	e.spec.GitHub.UpdateNotes = false

	p, res, err := e.apply()
	if err != nil || len(res.Failed) > 0 {
		t.Fatalf("apply: %v %v\n%v", err, res.Failed, actions(p))
	}
	repo := cs.OCI.Repository
	if got := e.reg.tags[repo+":1.0.0"]; got != crManifest {
		t.Errorf("the registry holds %s, want the manifest of the release's bytes %s", got, crManifest)
	}
	if n := e.sig.count(repo, crManifest); n != 1 {
		t.Errorf("%d signatures of the pushed manifest, want 1", n)
	}
	rel := e.gh.byTag(cs.Tag)[0]
	tgz, sig := findAsset(rel.Assets, cs.Package.FileName), findAsset(rel.Assets, cs.Package.FileName+".sig")
	if tgz == nil || tgz.Digest != sha(cr) {
		t.Errorf("the release's .tgz is %+v, want the one it held (%s)", tgz, sha(cr))
	}
	// The fake signer numbers its signings: this apply makes exactly one.
	if sig == nil || e.sig.blobs != 1 || sig.Digest != sha([]byte("sig:1:"+sha(cr))) {
		t.Errorf("the release's .tgz.sig is %+v, want a signature of the release's .tgz bytes", sig)
	}

	e.observe()
	if again := e.plan(); again.HasChanges() {
		t.Errorf("a second plan has changes: %v", actions(again))
	}
}

// The registry holds relctl's own package and the release another tool's:
// the release's .tgz is not adopted (the registry already decided the
// bytes), and the conflict says so.
func TestPlan_releasePackageBesideRelctlsOwnRegistryPackageStaysAConflictSayingWhy(t *testing.T) {
	w := newWorld(config.SigningKey, true)
	w.chartReleased()
	w.published()
	w.chart().Signature = &state.SignatureState{Valid: true, Count: 1}
	p := w.plan(t)

	tgz := change(t, p, `github_release_asset.podinfo["podinfo-1.2.0.tgz"]`)
	if tgz.Action != ActionBlocked || !strings.Contains(tgz.Reason, "the registry holds relctl's own package of ghcr.io/acme/charts/podinfo:1.2.0") {
		t.Errorf("release .tgz: %s %q, want blocked, naming the registry's package", tgz.Action, tgz.Reason)
	}
}
