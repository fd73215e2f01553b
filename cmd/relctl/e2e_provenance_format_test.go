package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// provenanceSigningFormat is provenanceSigning with signing.format set.
func provenanceSigningFormat(format string) string {
	return strings.Replace(provenanceSigning(), "  on_failure", fmt.Sprintf("  format      = %q\n  on_failure", format), 1)
}

// attTagExists reports whether the legacy attestation tag of ref exists.
func attTagExists(t *testing.T, ref name.Digest) bool {
	t.Helper()
	tag := ref.Context().Tag(strings.Replace(ref.DigestStr(), ":", "-", 1) + ".att")
	_, err := remote.Head(tag, remote.WithContext(context.Background()))
	return err == nil
}

// The provenance follows signing.format: "bundle" attests once as a
// Sigstore bundle (a referrer, or under the fallback tag), "both" once in
// each format; relctl verify finds it, and a second apply writes nothing.
func TestE2E_provenanceFollowsTheSignatureFormat(t *testing.T) {
	for _, tc := range []struct {
		format    string
		referrers bool
		formats   string // the oci_attestation's formats once attested
		legacy    bool   // the .att tag is written
	}{
		{"bundle", false, "bundle (fallback tag)", false},
		{"bundle", true, "bundle (referrer)", false},
		{"both", false, "legacy, bundle (fallback tag)", true},
	} {
		t.Run(fmt.Sprintf("%s/referrers=%t", tc.format, tc.referrers), func(t *testing.T) {
			h := newHarness(t)
			if tc.referrers {
				h.withReferrersRegistry()
			}
			h.withKey()
			actionsRun(h, "1001")
			h.chart("alpha", "1.0.0")
			h.full("", "", provenanceSigningFormat(tc.format))

			c := planChanges(t, h)["oci_attestation.alpha"]
			if len(c.Actions) != 1 || c.Actions[0] != "create" || c.After["format"] != tc.format {
				t.Fatalf("oci_attestation.alpha: %v %v, want create in format %s", c.Actions, c.After, tc.format)
			}
			h.mustRelctl(exitOK, "apply", "--auto-approve")

			ref := chartDigest(t, h, "alpha", "1.0.0")
			if got := attTagExists(t, ref); got != tc.legacy {
				t.Errorf(".att tag exists = %t, want %t", got, tc.legacy)
			}
			out := h.mustRelctl(exitOK, "verify")
			first, _, _ := strings.Cut(tc.formats, ", ")
			if want := "SLSA v1 provenance of sha256:"; !strings.Contains(out, want) || !strings.Contains(out, "("+first+")") {
				t.Errorf("verify does not find the provenance in %s:\n%s", first, out)
			}

			// Another workflow run of the same inputs adds nothing.
			actionsRun(h, "1002")
			c = planChanges(t, h)["oci_attestation.alpha"]
			if c.Actions[0] != "no-op" || c.After["format"] != tc.formats {
				t.Errorf("second run: %v %q %v, want a no-op attested in %s", c.Actions, c.Reason, c.After, tc.formats)
			}
			h.reg.ResetRequests()
			h.mustRelctl(exitOK, "apply", "--auto-approve")
			if w := h.reg.Writes(); w != 0 {
				t.Errorf("second apply wrote %d times to the registry", w)
			}
		})
	}
}

// A chart attested in the legacy format alone, when signing.format becomes
// "both", gets the bundle and only the bundle.
func TestE2E_provenanceBothAddsOnlyTheMissingFormat(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	actionsRun(h, "1001")
	h.chart("alpha", "1.0.0")
	h.full("", "", provenanceSigning())
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	h.full("", "", provenanceSigningFormat("both"))
	// The spec changed, so the legacy attestation is an earlier build's:
	// it still counts, and only the bundle is missing.
	c := planChanges(t, h)["oci_attestation.alpha"]
	var planned struct{ Formats []string }
	if err := json.Unmarshal(c.Payload, &planned); err != nil {
		t.Fatal(err)
	}
	if c.Actions[0] != "create" || !strings.HasPrefix(c.Reason, "provenance attested (legacy)") ||
		!strings.HasSuffix(c.Reason, `; attests in the bundle format too (format = "both")`) || fmt.Sprint(planned.Formats) != "[bundle]" {
		t.Fatalf("oci_attestation.alpha: %v %q %s, want create of the bundle alone", c.Actions, c.Reason, c.Payload)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	ref := chartDigest(t, h, "alpha", "1.0.0")
	if n := len(attLayersOf(t, ref)); n != 1 {
		t.Errorf(".att tag has %d layers, want the 1 it had", n)
	}
	c = planChanges(t, h)["oci_attestation.alpha"]
	if c.Actions[0] != "no-op" || c.After["format"] != "legacy, bundle (fallback tag)" {
		t.Errorf("after: %v %q %v, want a no-op in both formats", c.Actions, c.Reason, c.After)
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}

// attLayersOf is the layers of ref's `.att` tag.
func attLayersOf(t *testing.T, ref name.Digest) []any {
	t.Helper()
	img, err := remote.Image(ref.Context().Tag(strings.Replace(ref.DigestStr(), ":", "-", 1) + ".att"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]any, len(m.Layers))
	for i := range m.Layers {
		out[i] = m.Layers[i]
	}
	return out
}

// With one signature format, a plan that finds relctl's provenance in its
// legacy place reads no other: the referrers API and the fallback tag are
// read only when no provenance is found there, or for "both", which must
// know of each format.
func TestE2E_provenanceFoundInItsPlaceReadsNoOtherFormat(t *testing.T) {
	for _, tc := range []struct {
		format      string
		readsOthers bool
	}{{"legacy", false}, {"both", true}} {
		t.Run(tc.format, func(t *testing.T) {
			h := newHarness(t)
			h.withKey()
			actionsRun(h, "1001")
			h.chart("alpha", "1.0.0")
			h.full("", "", provenanceSigningFormat(tc.format))
			h.mustRelctl(exitOK, "apply", "--auto-approve")
			ref := chartDigest(t, h, "alpha", "1.0.0")
			fallback := "/manifests/" + strings.Replace(ref.DigestStr(), ":", "-", 1)

			h.reg.ResetRequests()
			h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
			others := 0
			for _, r := range h.reg.Requests() {
				if strings.Contains(r.Path, "/referrers/") || strings.HasSuffix(r.Path, fallback) {
					others++
				}
			}
			if got := others > 0; got != tc.readsOthers {
				for _, r := range h.reg.Requests() {
					t.Logf("%s %s %d", r.Method, r.Path, r.Status)
				}
				t.Errorf("format %s: the plan read the referrers API or the fallback tag %d times, want reads=%t", tc.format, others, tc.readsOthers)
			}
		})
	}
}
