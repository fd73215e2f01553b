package planner

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// keylessDraft is an environment in keyless mode whose chart is pushed and
// signed, with a draft release left by an earlier run holding the package,
// the README and the signature files given (name → content).
func keylessDraft(t *testing.T, sigFiles map[string]string) *applyEnv {
	t.Helper()
	e := newApplyEnv(t, "alpha")
	e.spec.Signing = config.Signing{Mode: config.SigningKeyless, OnFailure: config.SigningFailureFail}
	e.sig.keyless = true
	cs := &e.snap.Charts[0]
	e.reg.tags[cs.OCI.Repository+":1.0.0"] = cs.OCI.LocalManifestDigest
	e.sig.sigs[cs.OCI.Repository+"@"+cs.OCI.LocalManifestDigest] = map[config.SignatureFormat]int{config.FormatLegacy: 1}
	readme, err := os.ReadFile(cs.Assets[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	assets := []state.Asset{
		{Name: "alpha-1.0.0.tgz", State: "uploaded", Digest: cs.Package.Digest, Size: int64(len(cs.Package.Archive))},
		{Name: "README.md", State: "uploaded", Digest: sha(readme), Size: int64(len(readme))},
	}
	e.gh.seedContent = map[string][]byte{}
	for name, content := range sigFiles {
		assets = append(assets, state.Asset{Name: name, State: "uploaded", Digest: sha([]byte(content)), Size: int64(len(content))})
		e.gh.seedContent[name] = []byte(content)
	}
	e.gh.seed(state.Release{TagName: cs.Tag, Name: "alpha: v1.0.0", Draft: true, Assets: assets})
	return e
}

// publishedSetVerifies fails unless the published release's .sig and .pem
// verify the package together, as `cosign verify-blob --signature
// --certificate` would.
func publishedSetVerifies(t *testing.T, e *applyEnv) {
	t.Helper()
	cs := e.snap.Charts[0]
	rels := e.gh.byTag(cs.Tag)
	if len(rels) != 1 || rels[0].Draft {
		t.Fatalf("releases %s, want one published", describeReleases(rels))
	}
	read := func(name string) []byte {
		a := findAsset(rels[0].Assets, name)
		if a == nil {
			t.Fatalf("release has no %s", name)
		}
		b, err := e.gh.DownloadAsset(context.Background(), a.ID, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	set := &state.BlobSignature{Signature: read("alpha-1.0.0.tgz.sig"), Certificate: read("alpha-1.0.0.tgz.pem")}
	if err := e.sig.VerifyBlob(context.Background(), cs.Package.Archive, set); err != nil {
		t.Fatalf("the published .sig and .pem do not verify the package: %v", err)
	}
}

// A run that died between uploading the .sig and the .pem left half a set:
// completing it with a new signing would publish a .pem that does not fit
// the .sig. Both are made again by one signing, before publishing.
func TestApply_keylessDraftHoldingOnlyTheSigIsSignedAgainAsOneSet(t *testing.T) {
	e := keylessDraft(t, map[string]string{"alpha-1.0.0.tgz.sig": "sig:7:" + newApplyEnv(t, "alpha").snap.Charts[0].Package.Digest})
	e.observe()
	p := e.plan()
	sig, pem := change(t, p, assetAddress("alpha", "alpha-1.0.0.tgz.sig")), change(t, p, assetAddress("alpha", "alpha-1.0.0.tgz.pem"))
	if sig.Action != ActionReplace || !strings.Contains(sig.Reason, "alpha-1.0.0.tgz.pem is missing") {
		t.Errorf(".sig planned %s %q, want replace because the .pem is missing", sig.Action, sig.Reason)
	}
	if pem.Action != ActionCreate {
		t.Errorf(".pem planned %s, want create", pem.Action)
	}
	if _, _, err := e.apply(); err != nil {
		t.Fatal(err)
	}
	if n := e.sig.blobSignings(); n != 1 {
		t.Errorf("%d blob signings, want 1", n)
	}
	publishedSetVerifies(t, e)
	e.converged()
}

// A .sig and a .pem from two signings (an older relctl completed a half
// set) do not verify together: observation says so and both are replaced.
func TestApply_keylessDraftWithSigAndPemOfTwoSigningsIsRepaired(t *testing.T) {
	digest := newApplyEnv(t, "alpha").snap.Charts[0].Package.Digest
	e := keylessDraft(t, map[string]string{"alpha-1.0.0.tgz.sig": "sig:1:" + digest, "alpha-1.0.0.tgz.pem": "cert:2"})
	e.observe()
	if set := e.snap.Charts[0].Releases[0].SignatureSet; set == nil || set.Valid {
		t.Fatalf("observed signature set %+v, want not valid", set)
	}
	p := e.plan()
	for _, name := range []string{"alpha-1.0.0.tgz.sig", "alpha-1.0.0.tgz.pem"} {
		ch := change(t, p, assetAddress("alpha", name))
		if ch.Action != ActionReplace || !strings.Contains(ch.Reason, "not from one signing") {
			t.Errorf("%s planned %s %q, want replace: not from one signing", name, ch.Action, ch.Reason)
		}
	}
	if _, _, err := e.apply(); err != nil {
		t.Fatal(err)
	}
	if n := e.sig.blobSignings(); n != 1 {
		t.Errorf("%d blob signings, want 1", n)
	}
	publishedSetVerifies(t, e)
	e.converged()
}

// A draft whose .sig and .pem verify the package together keeps them: the
// release is published without signing the file again.
func TestApply_keylessDraftWithAValidPairKeepsIt(t *testing.T) {
	digest := newApplyEnv(t, "alpha").snap.Charts[0].Package.Digest
	e := keylessDraft(t, map[string]string{"alpha-1.0.0.tgz.sig": "sig:5:" + digest, "alpha-1.0.0.tgz.pem": "cert:5"})
	e.observe()
	p := e.plan()
	for _, name := range []string{"alpha-1.0.0.tgz.sig", "alpha-1.0.0.tgz.pem"} {
		if ch := change(t, p, assetAddress("alpha", name)); ch.Action != ActionNoOp || ch.Reason != "present, verifies the package" {
			t.Errorf("%s planned %s %q, want kept", name, ch.Action, ch.Reason)
		}
	}
	if _, _, err := e.apply(); err != nil {
		t.Fatal(err)
	}
	if n := e.sig.blobSignings(); n != 0 {
		t.Errorf("%d blob signings, want none", n)
	}
	publishedSetVerifies(t, e)
	e.converged()
}

// In key mode the set is the .sig alone: one that does not verify the
// package (another key, other bytes) is replaced in the draft.
func TestApply_keyModeDraftWithAForeignSigReplacesIt(t *testing.T) {
	e := keylessDraft(t, map[string]string{"alpha-1.0.0.tgz.sig": "sig:3:" + sha([]byte("other bytes"))})
	e.spec.Signing = config.Signing{Mode: config.SigningKey, Key: "cosign.key", OnFailure: config.SigningFailureFail}
	e.sig.keyless = false
	e.observe()
	if ch := change(t, e.plan(), assetAddress("alpha", "alpha-1.0.0.tgz.sig")); ch.Action != ActionReplace {
		t.Fatalf(".sig planned %s %q, want replace", ch.Action, ch.Reason)
	}
	if _, _, err := e.apply(); err != nil {
		t.Fatal(err)
	}
	if n := e.sig.blobSignings(); n != 1 {
		t.Errorf("%d blob signings, want 1", n)
	}
	e.converged()
}
