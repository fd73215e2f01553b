package planner

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// formatEnv is an applyEnv signing in format f.
func formatEnv(t *testing.T, f config.SignatureFormat, charts ...string) *applyEnv {
	t.Helper()
	e := newApplyEnv(t, charts...)
	e.spec.Signing.Format = f
	e.sig.format = f
	return e
}

func TestPlan_signatureFormats(t *testing.T) {
	legacy := &state.SignatureState{Valid: true, Count: 1, Formats: []string{state.SignatureFormatLegacy}, Reason: "1 valid signature: legacy"}
	bundle := &state.SignatureState{Valid: true, Count: 1, Formats: []string{state.SignatureFormatReferrer}, Reason: "1 valid signature: bundle (referrer)"}
	tests := []struct {
		name   string
		format config.SignatureFormat
		sig    *state.SignatureState
		want   Action
		writes []config.SignatureFormat
		reason string
	}{
		{"both, nothing signed", config.FormatBoth, nil, ActionCreate, []config.SignatureFormat{config.FormatLegacy, config.FormatBundle}, "chart not yet in the registry at this digest"},
		{"both, legacy present", config.FormatBoth, legacy, ActionCreate, []config.SignatureFormat{config.FormatBundle},
			`1 valid signature: legacy; signs in the bundle format too (format = "both")`},
		{"both, a referrer present", config.FormatBoth, bundle, ActionCreate, []config.SignatureFormat{config.FormatLegacy},
			`1 valid signature: bundle (referrer); signs in the legacy format too (format = "both")`},
		{"both, both present", config.FormatBoth, &state.SignatureState{Valid: true, Count: 2,
			Formats: []string{state.SignatureFormatLegacy, state.SignatureFormatFallbackTag}, Reason: "2 valid signatures: legacy, bundle (fallback tag)"},
			ActionNoOp, nil, "2 valid signatures: legacy, bundle (fallback tag)"},
		{"bundle, nothing signed", config.FormatBundle, nil, ActionCreate, []config.SignatureFormat{config.FormatBundle}, "chart not yet in the registry at this digest"},
		// Any valid signature counts when one format is asked for: a
		// chart signed by cosign v2 is signed.
		{"bundle, legacy present", config.FormatBundle, legacy, ActionNoOp, nil, "1 valid signature: legacy"},
		{"legacy, a referrer present", config.FormatLegacy, bundle, ActionNoOp, nil, "1 valid signature: bundle (referrer)"},
		{"both, a foreign signature", config.FormatBoth, &state.SignatureState{Count: 1, Reason: "1 signature, not valid for the configured key"},
			ActionCreate, []config.SignatureFormat{config.FormatLegacy, config.FormatBundle}, "1 signature, not valid for the configured key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(config.SigningKey, false)
			w.spec.Signing.Format = tt.format
			if tt.sig != nil {
				w.published().chart().Signature = tt.sig
			}
			got := change(t, w.plan(t), "oci_signature.podinfo")
			var writes []config.SignatureFormat
			if got.Signature != nil {
				writes = got.Signature.Formats
			}
			if got.Action != tt.want || got.Reason != tt.reason || (tt.want == ActionCreate && !slices.Equal(writes, tt.writes)) {
				t.Errorf("oci_signature.podinfo = %s %q writing %v\nwant %s %q writing %v", got.Action, got.Reason, writes, tt.want, tt.reason, tt.writes)
			}
			if tt.format != config.FormatLegacy && got.After["format"] != string(tt.format) {
				t.Errorf("After = %v, want the format named", got.After)
			}
		})
	}
}

func TestApply_eachFormatSignsOnceAndASecondApplySignsNothing(t *testing.T) {
	for _, f := range []config.SignatureFormat{config.FormatLegacy, config.FormatBundle, config.FormatBoth} {
		t.Run(string(f), func(t *testing.T) {
			e := formatEnv(t, f, "alpha")
			if _, _, err := e.apply(); err != nil {
				t.Fatal(err)
			}
			e.converged()
			cs := e.snap.Charts[0]
			rel := e.gh.byTag(cs.Tag)[0]
			hasBundle := findAsset(rel.Assets, "alpha-1.0.0.tgz.sigstore.json") != nil
			hasSig := findAsset(rel.Assets, "alpha-1.0.0.tgz.sig") != nil
			if hasBundle != f.Writes(config.FormatBundle) || hasSig != f.Writes(config.FormatLegacy) {
				t.Errorf("release assets %v for format %s", assetNames(rel), f)
			}
			signings := e.sig.blobSignings()
			if _, _, err := e.apply(); err != nil {
				t.Fatal(err)
			}
			if e.sig.blobSignings() != signings {
				t.Error("the second apply signed the package again")
			}
			e.converged()
		})
	}
}

func TestApply_bothWithALegacySignaturePresentAddsOnlyTheBundle(t *testing.T) {
	e := formatEnv(t, config.FormatBoth, "alpha")
	cs := &e.snap.Charts[0]
	e.reg.tags[cs.OCI.Repository+":1.0.0"] = cs.OCI.LocalManifestDigest
	e.sig.sigs[cs.OCI.Repository+"@"+cs.OCI.LocalManifestDigest] = map[config.SignatureFormat]int{config.FormatLegacy: 1}
	p, _, err := e.apply()
	if err != nil {
		t.Fatal(err)
	}
	ch := change(t, p, "oci_signature.alpha")
	if ch.Action != ActionCreate || !slices.Equal(ch.Signature.Formats, []config.SignatureFormat{config.FormatBundle}) || ch.Before["formats"] != "legacy" {
		t.Errorf("oci_signature.alpha = %s %q writing %v, before %v: want a create of the bundle only", ch.Action, ch.Reason, ch.Signature.Formats, ch.Before)
	}
	e.converged()
}

// A signature that landed in one format since the plan (an interrupted run)
// is not made again: apply signs only what is still missing.
func TestApply_signsOnlyTheFormatsStillMissingWhenItRuns(t *testing.T) {
	e := formatEnv(t, config.FormatBoth, "alpha")
	cs := &e.snap.Charts[0]
	e.reg.tags[cs.OCI.Repository+":1.0.0"] = cs.OCI.LocalManifestDigest
	e.observe()
	p := e.plan()
	if ch := change(t, p, "oci_signature.alpha"); len(ch.Signature.Formats) != 2 {
		t.Fatalf("plan signs %v, want both formats", ch.Signature.Formats)
	}
	if err := e.sig.SignManifest(context.Background(), cs.OCI.Repository, cs.OCI.LocalManifestDigest, config.FormatBundle); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), p, e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: e.gh},
		ApplyOptions{Parallelism: 1, Sleep: e.sleep}); err != nil {
		t.Fatal(err)
	}
	e.converged()
}

// The .sig and the .sigstore.json are one unit: a draft holding the .sig of
// an earlier run and no bundle gets both from one new signing.
func TestApply_bothDraftHoldingOnlyTheSigIsSignedAgainAsOneSet(t *testing.T) {
	digest := newApplyEnv(t, "alpha").snap.Charts[0].Package.Digest
	e := keylessDraft(t, map[string]string{"alpha-1.0.0.tgz.sig": "sig:7:" + digest, "alpha-1.0.0.tgz.pem": "cert:7"})
	e.spec.Signing.Format, e.sig.format = config.FormatBoth, config.FormatBoth
	cs := e.snap.Charts[0]
	e.sig.sigs[cs.OCI.Repository+"@"+cs.OCI.LocalManifestDigest][config.FormatBundle] = 1
	e.observe()
	p := e.plan()
	for name, want := range map[string]Action{"alpha-1.0.0.tgz.sig": ActionReplace, "alpha-1.0.0.tgz.pem": ActionReplace, "alpha-1.0.0.tgz.sigstore.json": ActionCreate} {
		ch := change(t, p, assetAddress("alpha", name))
		if ch.Action != want {
			t.Errorf("%s planned %s %q, want %s", name, ch.Action, ch.Reason, want)
		}
		if want == ActionReplace && !strings.Contains(ch.Reason, "alpha-1.0.0.tgz.sigstore.json is missing") {
			t.Errorf("%s: reason %q does not name the missing bundle", name, ch.Reason)
		}
	}
	if _, _, err := e.apply(); err != nil {
		t.Fatal(err)
	}
	if n := e.sig.blobSignings(); n != 1 {
		t.Errorf("%d blob signings, want 1", n)
	}
	rel := e.gh.byTag(cs.Tag)[0]
	set := &state.BlobSignature{}
	for name, into := range map[string]*[]byte{"alpha-1.0.0.tgz.sig": &set.Signature, "alpha-1.0.0.tgz.pem": &set.Certificate, "alpha-1.0.0.tgz.sigstore.json": &set.Bundle} {
		b, err := e.gh.DownloadAsset(context.Background(), findAsset(rel.Assets, name).ID, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		*into = b
	}
	if err := e.sig.VerifyBlob(context.Background(), cs.Package.Archive, set); err != nil {
		t.Fatalf("the published files are not one signing: %v", err)
	}
	e.converged()
}

// A .sig and a .sigstore.json of two signings are not one set: both are
// replaced by one new signing before the draft is published.
func TestApply_bothDraftWithSigAndBundleOfTwoSigningsIsRepaired(t *testing.T) {
	digest := newApplyEnv(t, "alpha").snap.Charts[0].Package.Digest
	e := keylessDraft(t, map[string]string{"alpha-1.0.0.tgz.sig": "sig:1:" + digest, "alpha-1.0.0.tgz.sigstore.json": "bundle:2:" + digest})
	e.spec.Signing = config.Signing{Mode: config.SigningKey, Key: "cosign.key", Format: config.FormatBoth, OnFailure: config.SigningFailureFail}
	e.sig.keyless, e.sig.format = false, config.FormatBoth
	cs := e.snap.Charts[0]
	e.sig.sigs[cs.OCI.Repository+"@"+cs.OCI.LocalManifestDigest][config.FormatBundle] = 1
	e.observe()
	if set := e.snap.Charts[0].Releases[0].SignatureSet; set == nil || set.Valid || !strings.Contains(set.Reason, "alpha-1.0.0.tgz.sig and alpha-1.0.0.tgz.sigstore.json do not verify") {
		t.Fatalf("observed signature set %+v, want the two named as not one signing", set)
	}
	p := e.plan()
	for _, name := range []string{"alpha-1.0.0.tgz.sig", "alpha-1.0.0.tgz.sigstore.json"} {
		if ch := change(t, p, assetAddress("alpha", name)); ch.Action != ActionReplace {
			t.Errorf("%s planned %s %q, want replace", name, ch.Action, ch.Reason)
		}
	}
	if _, _, err := e.apply(); err != nil {
		t.Fatal(err)
	}
	if n := e.sig.blobSignings(); n != 1 {
		t.Errorf("%d blob signings, want 1", n)
	}
	e.converged()
}
