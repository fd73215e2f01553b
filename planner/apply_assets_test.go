package planner

import (
	"os"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// A draft left by an earlier run lacking any one of its assets gets exactly
// that asset, and keeps the others as they are.
func TestApply_completesADraftMissingAnyOneAsset(t *testing.T) {
	for _, missing := range []string{"alpha-1.0.0.tgz", "alpha-1.0.0.tgz.sig", "README.md"} {
		t.Run(missing, func(t *testing.T) {
			e := newApplyEnv(t, "alpha")
			cs := &e.snap.Charts[0]
			e.reg.tags[cs.OCI.Repository+":1.0.0"] = cs.OCI.LocalManifestDigest
			e.sig.sigs[cs.OCI.Repository+"@"+cs.OCI.LocalManifestDigest] = map[config.SignatureFormat]int{config.FormatLegacy: 1}
			readme, _ := os.ReadFile(cs.Assets[0].Path)
			all := []state.Asset{
				{Name: "alpha-1.0.0.tgz", State: "uploaded", Digest: cs.Package.Digest, Size: int64(len(cs.Package.Archive))},
				{Name: "alpha-1.0.0.tgz.sig", State: "uploaded", Digest: sha([]byte("an earlier signature"))},
				{Name: "README.md", State: "uploaded", Digest: sha(readme), Size: int64(len(readme))},
			}
			var have []state.Asset
			for _, a := range all {
				if a.Name != missing {
					have = append(have, a)
				}
			}
			// An earlier signing's .sig: valid, so it stays.
			e.gh.seedContent = map[string][]byte{"alpha-1.0.0.tgz.sig": []byte("sig:0:" + cs.Package.Digest)}
			e.gh.seed(state.Release{TagName: cs.Tag, Name: "alpha: v1.0.0", Draft: true, Assets: have})
			e.observe()
			p := e.plan()
			for _, a := range all {
				want := ActionNoOp
				if a.Name == missing {
					want = ActionCreate
				}
				if got := change(t, p, assetAddress("alpha", a.Name)).Action; got != want {
					t.Errorf("%s planned %s, want %s", a.Name, got, want)
				}
			}
			if _, _, err := e.apply(); err != nil {
				t.Fatal(err)
			}
			if n := e.faults.count("upload"); n != 1 {
				t.Errorf("%d uploads, want 1 (%s)", n, missing)
			}
			e.converged()
		})
	}
}

// A file edited between plan and apply is not published under the plan's
// name: the upload's sha256 differs from the planned one.
func TestApply_refusesAFileThatChangedSinceThePlan(t *testing.T) {
	e := newApplyEnv(t, "alpha")
	e.observe()
	p := e.plan()
	if err := os.WriteFile(e.snap.Charts[0].Assets[0].Path, []byte("# edited after the plan\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Apply(t.Context(), p, e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: e.gh}, ApplyOptions{Sleep: e.sleep})
	if err == nil || !strings.Contains(err.Error(), "uploaded README.md has sha256") || !strings.Contains(err.Error(), "the file changed since the plan") {
		t.Fatalf("apply = %v, want the changed README.md refused", err)
	}
	if len(res.Published) != 0 {
		t.Errorf("published %v with a changed file", res.Published)
	}
}

// signing.on_failure = "warn": a chart whose signing fails is published
// without its signature asset, and the result says it is unsigned.
func TestApply_signingFailureUnderWarnPublishesWithoutSignature(t *testing.T) {
	e := newApplyEnv(t, "alpha")
	e.spec.Signing.OnFailure = config.SigningFailureWarn
	e.faults.add(fault{op: "sign", when: before, err: errNoKey})
	_, res, err := e.apply()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unsigned) != 1 || res.Unsigned[0] != "alpha" || len(res.Published) != 1 {
		t.Fatalf("unsigned %v, published %v; want alpha published unsigned", res.Unsigned, res.Published)
	}
	rels := e.gh.byTag("alpha-v1.0.0")
	if len(rels) != 1 || strings.Contains(strings.Join(assetNames(rels[0]), " "), ".sig") {
		t.Errorf("releases %s, want one without a signature asset", describeReleases(rels))
	}
}
