package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/provenance"
	"github.com/relctl/relctl/providers/cosign"
)

// provenanceSigning is keySigning with provenance on.
func provenanceSigning() string {
	return strings.Replace(signingSpec("fail"), "  tlog_upload = false\n", "  tlog_upload = false\n  provenance  = true\n", 1)
}

// actionsRun sets the variables of a GitHub Actions run.
func actionsRun(h *harness, runID string) {
	h.env["GITHUB_SERVER_URL"] = "https://github.com"
	h.env["GITHUB_REPOSITORY"] = "acme/charts"
	h.env["GITHUB_WORKFLOW_REF"] = "acme/charts/.github/workflows/release.yaml@refs/heads/main"
	h.env["GITHUB_RUN_ID"] = runID
	h.env["GITHUB_RUN_ATTEMPT"] = "1"
	h.env["GITHUB_SHA"] = strings.Repeat("5e", 20)
}

// chartDigest is the manifest digest alpha's tag holds.
func chartDigest(t *testing.T, h *harness, chart, version string) name.Digest {
	t.Helper()
	ref, err := name.ParseReference(h.reg.Host+"/acme/charts/"+chart+":"+version, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(ref)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Context().Digest(desc.Digest.String())
}

// attestations verifies the manifest's attestations with cosign's own
// code, as `cosign verify-attestation` does, and returns their statements.
func attestations(t *testing.T, ref name.Digest, co *cosignpkg.CheckOpts) [][]byte {
	t.Helper()
	co.ClaimVerifier = cosignpkg.IntotoSubjectClaimVerifier
	found, _, err := cosignpkg.VerifyImageAttestations(context.Background(), ref, co)
	if err != nil {
		t.Fatalf("cosign verify-attestation %s: %v", ref, err)
	}
	return statements(t, found)
}

func statements(t *testing.T, atts []oci.Signature) [][]byte {
	t.Helper()
	var out [][]byte
	for _, a := range atts {
		raw, err := a.Payload()
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Payload string }
		if err := json.Unmarshal(raw, &env); err != nil {
			t.Fatal(err)
		}
		st, err := base64.StdEncoding.DecodeString(env.Payload)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
	}
	return out
}

// planChange is one resource change of `relctl plan --json`.
type planChange struct {
	Address string            `json:"address"`
	Actions []string          `json:"actions"`
	Reason  string            `json:"reason"`
	After   map[string]string `json:"after"`
	Payload json.RawMessage   `json:"payload"`
}

func planChanges(t *testing.T, h *harness, args ...string) map[string]planChange {
	t.Helper()
	out := h.mustRelctl(exitOK, append([]string{"plan", "--json"}, args...)...)
	var p struct {
		Changes []planChange `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, out)
	}
	m := map[string]planChange{}
	for _, c := range p.Changes {
		m[c.Address] = c
	}
	return m
}

func TestE2E_provenanceIsAttestedOnceVerifiedAndAttestedAgainWhenAnInputChanges(t *testing.T) {
	h := newHarness(t)
	pub := h.withKey()
	actionsRun(h, "1001")
	h.chart("alpha", "1.0.0")
	h.full("", "", provenanceSigning())

	// Two plans of the same inputs carry the same statement, byte for byte.
	first := planChanges(t, h)["oci_attestation.alpha"]
	second := planChanges(t, h)["oci_attestation.alpha"]
	if len(first.Actions) != 1 || first.Actions[0] != "create" || !bytes.Equal(first.Payload, second.Payload) {
		t.Fatalf("oci_attestation.alpha: %v, payloads equal %t; want create, equal", first.Actions, bytes.Equal(first.Payload, second.Payload))
	}
	var planned struct{ Statement []byte }
	if err := json.Unmarshal(first.Payload, &planned); err != nil {
		t.Fatal(err)
	}

	// Every view shows it; a saved plan applies it.
	saved := filepath.Join(t.TempDir(), "plan.json")
	for _, args := range [][]string{{"plan", "--out", saved}, {"plan", "--markdown"}, {"show", saved}} {
		if out := h.mustRelctl(exitOK, args...); !strings.Contains(out, "oci_attestation.alpha") {
			t.Errorf("relctl %s does not show oci_attestation.alpha:\n%s", strings.Join(args, " "), out)
		}
	}
	h.mustRelctl(exitOK, "apply", saved)

	// cosign verify-attestation, with the public key, finds that very
	// statement: an SLSA v1 provenance of the chart's manifest.
	ctx := context.Background()
	verifier, err := sigs.PublicKeyFromKeyRef(ctx, pub)
	if err != nil {
		t.Fatal(err)
	}
	ref := chartDigest(t, h, "alpha", "1.0.0")
	got := attestations(t, ref, &cosignpkg.CheckOpts{SigVerifier: verifier, IgnoreTlog: true})
	if len(got) != 1 || !bytes.Equal(got[0], planned.Statement) {
		t.Fatalf("registry holds %d attestations; want the planned statement:\n%s", len(got), got)
	}
	for _, want := range []string{`"predicateType":"https://slsa.dev/provenance/v1"`, `"invocationId":"https://github.com/acme/charts/actions/runs/1001/attempts/1"`, `"gitCommit":"5e5e`, `"path":"charts/alpha"`} {
		if !strings.Contains(string(got[0]), want) {
			t.Errorf("statement lacks %s:\n%s", want, got[0])
		}
	}
	// The lineage file says where the provenance is.
	rel := h.releasesFor("alpha-v1.0.0")[0]
	for _, a := range rel.Assets {
		if a.Name == "alpha-attestation-lineage.json" && !strings.Contains(string(a.Data), `"reference": "`+ref.Context().String()+":"+strings.Replace(ref.DigestStr(), ":", "-", 1)+`.att"`) {
			t.Errorf("lineage file does not list the attestation:\n%s", a.Data)
		}
	}

	// Another workflow run of the same inputs adds nothing.
	actionsRun(h, "1002")
	if c := planChanges(t, h)["oci_attestation.alpha"]; c.Actions[0] != "no-op" || c.Reason != "provenance attested (legacy)" {
		t.Errorf("second run: %v %q, want no-op", c.Actions, c.Reason)
	}
	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("second apply wrote %d times to the registry", w)
	}
	out := h.mustRelctl(exitOK, "verify")
	if !strings.Contains(out, "SLSA v1 provenance of sha256:") {
		t.Errorf("verify does not check the provenance:\n%s", out)
	}

	// An input changes while the chart does not (the spec is edited): the
	// provenance attested is still true of the same bytes, and stays alone.
	h.full("", "", provenanceSigning()+"\n# edited\n")
	c := planChanges(t, h)["oci_attestation.alpha"]
	if c.Actions[0] != "no-op" || !strings.Contains(c.Reason, "earlier build of the same bytes (its externalParameters differ") {
		t.Fatalf("after editing the spec: %v %q, want a no-op naming the earlier build", c.Actions, c.Reason)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if got := attestations(t, ref, &cosignpkg.CheckOpts{SigVerifier: verifier, IgnoreTlog: true}); len(got) != 1 {
		t.Errorf("registry holds %d attestations, want 1", len(got))
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	h.mustRelctl(exitOK, "verify")
}

func TestE2E_provenanceByAnotherKeyIsNotCounted(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	h.chart("alpha", "1.0.0")
	spec := fmt.Sprintf("registry {\n  repository = %q\n}\n\ncharts {\n  dir = \"charts\"\n}\n", h.reg.Host+"/acme/charts")
	h.write("relctl.hcl", spec+signingSpec("fail"))
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	ref := chartDigest(t, h, "alpha", "1.0.0")

	// Someone else's key attests the chart with relctl's statement.
	otherDir := t.TempDir()
	priv, _, err := cosign.GenerateKeyPair(otherDir, []byte("other"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := cosign.New(context.Background(), cosign.Options{
		Signing:           config.Signing{Mode: config.SigningKey, Key: priv},
		Getenv:            func(k string) string { return map[string]string{"COSIGN_PASSWORD": "other"}[k] },
		AllowHTTPRegistry: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := provenance.Statement(provenance.Inputs{Repository: ref.Context().String(), Manifest: ref.DigestStr(), Chart: "alpha", Version: "1.0.0", Path: "charts/alpha", SpecPath: "relctl.hcl"})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.AttestManifest(context.Background(), ref.Context().String(), ref.DigestStr(), provenance.PredicateType, st); err != nil {
		t.Fatal(err)
	}

	h.write("relctl.hcl", spec+provenanceSigning())
	c := planChanges(t, h)["oci_attestation.alpha"]
	if c.Actions[0] != "create" || c.Reason != "1 attestation, not valid for the configured key" {
		t.Fatalf("oci_attestation.alpha: %v %q, want create: not valid for the configured key", c.Actions, c.Reason)
	}
	code, out, _ := h.relctl("verify")
	if code != exitError || !strings.Contains(out, "no valid SLSA v1 provenance") {
		t.Errorf("verify exited %d:\n%s\nwant a failed provenance check", code, out)
	}
	out = h.mustRelctl(exitChanges, "drift")
	if !strings.Contains(out, "UNATTESTED: alpha is published WITHOUT a valid provenance attestation.") {
		t.Errorf("drift does not say the chart is unattested:\n%s", out)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.mustRelctl(exitOK, "verify")
	if c := planChanges(t, h)["oci_attestation.alpha"]; c.Actions[0] != "no-op" {
		t.Errorf("after apply: %v %q", c.Actions, c.Reason)
	}
}

func TestE2E_provenanceKeylessWithAPrivateSigstore(t *testing.T) {
	for _, tlog := range []bool{true, false} {
		t.Run(fmt.Sprintf("tlog_upload=%t", tlog), func(t *testing.T) {
			h := newHarness(t)
			sg, actions := h.withSigstore(releaseWorkflow)
			h.chart("alpha", "1.0.0")
			h.full("", "", strings.Replace(keylessSpec(sg, tlog, chartsIdentity), "  tlog_upload  =", "  provenance   = true\n  tlog_upload  =", 1))
			h.mustRelctl(exitOK, "apply", "--auto-approve")

			// Three certificates: the chart's signature, the release's
			// .tgz.sig, the attestation; each logged when asked.
			want := map[bool]int{true: 3, false: 0}[tlog]
			if sg.Certificates() != 3 || sg.Entries() != want {
				t.Fatalf("Fulcio issued %d certificates, Rekor holds %d entries; want 3 and %d", sg.Certificates(), sg.Entries(), want)
			}
			co := sigstoreCheckOpts(t, sg, tlog)
			if got := attestations(t, chartDigest(t, h, "alpha", "1.0.0"), co); len(got) != 1 {
				t.Fatalf("%d attestations verify, want 1", len(got))
			}

			tokens := actions.Requests.Load()
			h.reg.ResetRequests()
			h.mustRelctl(exitOK, "apply", "--auto-approve")
			if h.reg.Writes() != 0 || sg.Certificates() != 3 || actions.Requests.Load() != tokens {
				t.Errorf("second apply: %d registry writes, %d certificates, %d more tokens; want nothing new",
					h.reg.Writes(), sg.Certificates(), actions.Requests.Load()-tokens)
			}
			dropActionsEnv(h)
			out := h.mustRelctl(exitOK, "verify")
			if !strings.Contains(out, "SLSA v1 provenance of sha256:") {
				t.Errorf("verify does not check the provenance:\n%s", out)
			}
		})
	}
}

// Keyless with signing.format = "bundle", logged: the attestation is a
// DSSE bundle signed with a Fulcio certificate and a dsse entry in Rekor,
// written once, and relctl verify finds it with its log evidence.
func TestE2E_provenanceKeylessBundleWithAPrivateSigstore(t *testing.T) {
	h := newHarness(t)
	sg, actions := h.withSigstore(releaseWorkflow)
	h.chart("alpha", "1.0.0")
	spec := strings.Replace(keylessSpec(sg, true, chartsIdentity), "  tlog_upload  =", "  provenance   = true\n  format       = \"bundle\"\n  tlog_upload  =", 1)
	h.full("", "", spec)
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if ref := chartDigest(t, h, "alpha", "1.0.0"); attTagExists(t, ref) {
		t.Errorf("format bundle wrote the legacy .att tag")
	}
	certs, entries := sg.Certificates(), sg.Entries()
	// The chart's signature, the release's .tgz.sigstore.json, the
	// attestation: a certificate and a log entry each.
	if certs != 3 || entries != 3 {
		t.Fatalf("Fulcio issued %d certificates, Rekor holds %d entries; want 3 and 3", certs, entries)
	}

	tokens := actions.Requests.Load()
	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if h.reg.Writes() != 0 || sg.Certificates() != certs || actions.Requests.Load() != tokens {
		t.Errorf("second apply: %d registry writes, %d certificates, %d more tokens; want nothing new",
			h.reg.Writes(), sg.Certificates(), actions.Requests.Load()-tokens)
	}
	dropActionsEnv(h)
	out := h.mustRelctl(exitOK, "verify")
	if !strings.Contains(out, "SLSA v1 provenance of sha256:") || !strings.Contains(out, "(bundle (fallback tag))") {
		t.Errorf("verify does not find the bundle provenance:\n%s", out)
	}
}
