package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/relctl/relctl/providers/cosign/sigstoretest"
	"github.com/relctl/relctl/providers/oci/ocitest"
)

// withReferrersRegistry replaces h's registry with one that serves the OCI
// 1.1 referrers API (where cosign v3 stores bundles without a fallback
// tag). Call it before writing the spec.
func (h *harness) withReferrersRegistry() {
	h.t.Helper()
	reg, err := ocitest.Start(context.Background(), ocitest.Options{Referrers: true})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { reg.Close() })
	h.reg = reg
}

// keySigningFormat is keySigning with signing.format set.
func keySigningFormat(format string) string {
	return strings.Replace(signingSpec("fail"), "  on_failure", fmt.Sprintf("  format      = %q\n  on_failure", format), 1)
}

// fallbackTagExists reports whether the referrers fallback tag of the
// chart's manifest exists.
func fallbackTagExists(t *testing.T, h *harness, chart, version string) bool {
	t.Helper()
	ref, err := name.ParseReference(h.reg.Host+"/acme/charts/"+chart+":"+version, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(ref)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(h.reg.Host+"/acme/charts/"+chart+":"+strings.Replace(desc.Digest.String(), ":", "-", 1), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	_, err = remote.Head(tag)
	return err == nil
}

// Each format is written by apply, read back by relctl (verify, drift, a
// second plan with nothing to do), on a registry without the referrers API
// (the fallback tag, as GHCR) and on one with it.
func TestE2E_eachSignatureFormatIsWrittenAndReadBack(t *testing.T) {
	for _, tc := range []struct {
		format    string
		referrers bool
		want      string // the formats verify names
		assets    []string
	}{
		{"legacy", false, "1 valid signature: legacy", []string{".tgz.sig"}},
		{"bundle", false, "1 valid signature: bundle (fallback tag)", []string{".tgz.sigstore.json"}},
		{"bundle", true, "1 valid signature: bundle (referrer)", []string{".tgz.sigstore.json"}},
		{"both", false, "2 valid signatures: legacy, bundle (fallback tag)", []string{".tgz.sig", ".tgz.sigstore.json"}},
		{"both", true, "2 valid signatures: legacy, bundle (referrer)", []string{".tgz.sig", ".tgz.sigstore.json"}},
	} {
		t.Run(fmt.Sprintf("%s/referrers=%t", tc.format, tc.referrers), func(t *testing.T) {
			h := newHarness(t)
			if tc.referrers {
				h.withReferrersRegistry()
			}
			h.withKey()
			h.chart("alpha", "1.0.0")
			h.full("", "", keySigningFormat(tc.format))
			h.mustRelctl(exitOK, "apply", "--auto-approve")

			rel := h.releasesFor("alpha-v1.0.0")
			if len(rel) != 1 {
				t.Fatalf("%d releases", len(rel))
			}
			names := assetNames(rel[0])
			for _, suffix := range []string{".tgz.sig", ".tgz.sigstore.json"} {
				if got, want := slices.Contains(names, "alpha-1.0.0"+suffix), slices.Contains(tc.assets, suffix); got != want {
					t.Errorf("release assets %v: %s present = %t, want %t", names, suffix, got, want)
				}
			}
			if got, want := fallbackTagExists(t, h, "alpha", "1.0.0"), tc.format != "legacy" && !tc.referrers; got != want {
				t.Errorf("fallback tag exists = %t, want %t", got, want)
			}

			out := h.mustRelctl(exitOK, "verify")
			if !strings.Contains(out, tc.want) {
				t.Errorf("verify does not say %q:\n%s", tc.want, out)
			}
			if tc.format != "legacy" && !strings.Contains(out, "alpha-1.0.0.tgz.sigstore.json (Sigstore bundle) verifies against the package") {
				t.Errorf("verify does not check the release's bundle:\n%s", out)
			}

			h.reg.ResetRequests()
			h.gh.ResetLog()
			h.mustRelctl(exitOK, "apply", "--auto-approve")
			if w, m := h.reg.Writes(), h.gh.Mutations(); w != 0 || m != 0 {
				t.Errorf("second apply wrote %d times to the registry and %d to GitHub", w, m)
			}
			h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
			out = h.mustRelctl(exitOK, "drift")
			if !strings.Contains(out, "No drift.") {
				t.Errorf("drift:\n%s", out)
			}
		})
	}
}

// Switching a signed chart to format "both" adds the missing format only:
// the plan says so, the legacy signature stays the only one in its tag.
func TestE2E_bothWithLegacyAlreadyPresentAddsOnlyTheBundle(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	spec := fmt.Sprintf("registry {\n  repository = %q\n}\n\ncharts {\n  dir = \"charts\"\n}\n", h.reg.Host+"/acme/charts")
	h.write("relctl.hcl", spec+signingSpec("fail"))
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	h.write("relctl.hcl", spec+keySigningFormat("both"))
	out := h.mustRelctl(exitOK, "plan", "--json")
	var plan struct {
		Changes []struct {
			Address string            `json:"address"`
			Actions []string          `json:"actions"`
			Reason  string            `json:"reason"`
			Before  map[string]string `json:"before"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, out)
	}
	for _, c := range plan.Changes {
		switch c.Address {
		case "oci_signature.alpha":
			if c.Actions[0] != "create" || c.Before["formats"] != "legacy" || !strings.Contains(c.Reason, `signs in the bundle format too (format = "both")`) {
				t.Errorf("oci_signature.alpha: %v %q %v, want a create of the bundle alone", c.Actions, c.Reason, c.Before)
			}
		case "oci_chart.alpha":
			if c.Actions[0] != "no-op" {
				t.Errorf("oci_chart.alpha: %v", c.Actions)
			}
		}
	}

	h.mustRelctl(exitOK, "apply", "--auto-approve")
	ref, err := name.ParseReference(h.reg.Host+"/acme/charts/alpha:1.0.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := sigs.PublicKeyFromKeyRef(context.Background(), filepath.Join(h.dir, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	found, _, err := cosignpkg.VerifyImageSignatures(context.Background(), ref, &cosignpkg.CheckOpts{
		SigVerifier: pub, IgnoreTlog: true, ClaimVerifier: cosignpkg.SimpleClaimVerifier})
	if err != nil || len(found) != 1 {
		t.Errorf("the legacy tag holds %d signatures (%v), want the 1 it had", len(found), err)
	}
	if !fallbackTagExists(t, h, "alpha", "1.0.0") {
		t.Error("no bundle was added")
	}
	out = h.mustRelctl(exitOK, "verify")
	if !strings.Contains(out, "2 valid signatures: legacy, bundle (fallback tag)") {
		t.Errorf("verify:\n%s", out)
	}
	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("a third apply wrote %d times", w)
	}
}

// Keyless, against a private Sigstore: the chart's bundle carries the
// Fulcio certificate and the log entry, and the release's .sigstore.json
// verifies with sigstore-go given the trusted root and the identity alone,
// as `cosign verify-blob --bundle --trusted-root` does.
func TestE2E_keylessBundleFormatWithAPrivateSigstore(t *testing.T) {
	h := newHarness(t)
	sg, _ := h.withSigstore(releaseWorkflow)
	h.chart("alpha", "1.0.0")
	h.full("", "", strings.Replace(keylessSpec(sg, true, chartsIdentity), "  tlog_upload", "  format       = \"bundle\"\n  tlog_upload", 1))
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if sg.Certificates() != 2 || sg.Entries() != 2 {
		t.Errorf("%d certificates, %d log entries; want 2 and 2 (the chart, the release file)", sg.Certificates(), sg.Entries())
	}

	rel := h.releasesFor("alpha-v1.0.0")[0]
	assets := map[string][]byte{}
	for _, a := range rel.Assets {
		assets[a.Name] = a.Data
	}
	if assets["alpha-1.0.0.tgz.sig"] != nil || assets["alpha-1.0.0.tgz.pem"] != nil {
		t.Errorf("format bundle uploaded legacy files: %v", assetNames(rel))
	}
	var b sgbundle.Bundle
	if err := b.UnmarshalJSON(assets["alpha-1.0.0.tgz.sigstore.json"]); err != nil {
		t.Fatalf("the release's .sigstore.json: %v", err)
	}
	tr, err := root.NewTrustedRootFromPath(sg.TrustedRoot)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sgverify.NewVerifier(tr, sgverify.WithTransparencyLog(1), sgverify.WithIntegratedTimestamps(1), sgverify.WithSignedCertificateTimestamps(1))
	if err != nil {
		t.Fatal(err)
	}
	id, err := sgverify.NewShortCertificateIdentity(sigstoretest.GitHubIssuer, "", "", "^https://github.com/acme/charts/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(&b, sgverify.NewPolicy(sgverify.WithArtifact(strings.NewReader(string(assets["alpha-1.0.0.tgz"]))), sgverify.WithCertificateIdentity(id))); err != nil {
		t.Fatalf("sigstore-go does not verify the release's bundle: %v", err)
	}

	dropActionsEnv(h)
	out := h.mustRelctl(exitOK, "verify")
	for _, want := range []string{"1 valid signature: bundle (fallback tag)", "alpha-1.0.0.tgz.sigstore.json (Sigstore bundle) verifies"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify lacks %q:\n%s", want, out)
		}
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}
