package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"google.golang.org/protobuf/encoding/protojson"
)

// signLikeCosignV3 signs ref in the Sigstore bundle format with the key at
// keyPath, the way `cosign sign --key --tlog-upload=false` of cosign v3
// does: a DSSE envelope over an in-toto statement naming the digest, stored
// as a referrer, which lands under the fallback tag on a registry without
// the referrers API.
func signLikeCosignV3(t *testing.T, keyPath, password, ref string) {
	t.Helper()
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := cosignpkg.LoadPrivateKey(keyPEM, []byte(password), nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := name.NewDigest(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	alg, hex, _ := strings.Cut(d.DigestStr(), ":")
	statement, _ := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"digest": map[string]string{alg: hex}}},
		"predicateType": "https://sigstore.dev/cosign/sign/v1",
		"predicate":     map[string]any{},
	})
	const payloadType = "application/vnd.in-toto+json"
	sig, err := sv.SignMessage(strings.NewReader(fmt.Sprintf("DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(statement), statement)))
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := protojson.Marshal(&protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: base64.StdEncoding.EncodeToString([]byte("hint"))}},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: statement, PayloadType: payloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ociremote.WriteAttestationNewBundleFormat(d, bundle, "https://sigstore.dev/cosign/sign/v1",
		ociremote.WithRemoteOptions(remote.WithContext(context.Background()))); err != nil {
		t.Fatal(err)
	}
}

// A chart someone signed with cosign v3 (bundle format, under the fallback
// tag) is signed in relctl's eyes: the plan has nothing to sign and says in
// which format the signature is, apply writes nothing, verify passes and
// names the format.
func TestE2E_chartSignedByCosignV3InBundleFormatIsRecognisedAndNotSignedAgain(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	h.chart("alpha", "1.0.0")
	spec := fmt.Sprintf("registry {\n  repository = %q\n}\n\ncharts {\n  dir = \"charts\"\n}\n", h.reg.Host+"/acme/charts")
	h.write("relctl.hcl", spec)
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	ref, err := name.ParseReference(h.reg.Host+"/acme/charts/alpha:1.0.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(ref)
	if err != nil {
		t.Fatal(err)
	}
	signLikeCosignV3(t, filepath.Join(h.dir, "cosign.key"), "test-password", h.reg.Host+"/acme/charts/alpha@"+desc.Digest.String())

	h.write("relctl.hcl", spec+signingSpec("fail"))
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
	found := false
	for _, c := range plan.Changes {
		if c.Address == "oci_signature.alpha" {
			found = true
			if len(c.Actions) != 1 || c.Actions[0] != "no-op" || !strings.Contains(c.Reason, "bundle (fallback tag)") || c.Before["formats"] != "bundle (fallback tag)" {
				t.Errorf("oci_signature.alpha: %v %q %v, want no-op naming the bundle format", c.Actions, c.Reason, c.Before)
			}
		}
	}
	if !found {
		t.Fatalf("plan has no oci_signature.alpha:\n%s", out)
	}

	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("apply wrote %d times to the registry: the chart was signed again", w)
	}
	out = h.mustRelctl(exitOK, "verify")
	if !strings.Contains(out, "1 valid signature: bundle (fallback tag)") {
		t.Errorf("verify does not name the format:\n%s", out)
	}
	out = h.mustRelctl(exitOK, "drift")
	if !strings.Contains(out, "No drift.") || !strings.Contains(out, "Signed: alpha (bundle (fallback tag))") {
		t.Errorf("drift does not name the format:\n%s", out)
	}
}
