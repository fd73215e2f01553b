package cosign

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"

	"github.com/relctl/relctl/provenance"
	"github.com/relctl/relctl/providers/oci/ocitest"
)

func statementFor(t *testing.T, repo, digest string) []byte {
	t.Helper()
	b, err := provenance.Statement(provenance.Inputs{Repository: repo, Manifest: digest, Chart: "podinfo", Version: "1.0.0", Path: "charts/podinfo", SpecPath: "relctl.hcl"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// attLayers is the `.att` tag's layers.
func attLayers(t *testing.T, reg *ocitest.Server, repoName, digest string) []any {
	t.Helper()
	repo := repository(t, reg, strings.TrimPrefix(repoName, reg.Host+"/"))
	tag := strings.Replace(digest, ":", "-", 1) + ".att"
	_, rc, err := repo.FetchReference(context.Background(), tag)
	if err != nil {
		t.Fatalf("fetch %s: %v", tag, err)
	}
	defer rc.Close()
	var m struct {
		Layers []any `json:"layers"`
	}
	if err := json.NewDecoder(rc).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m.Layers
}

func TestAttestManifest_keyMode_writesCosignsLegacyAttestationThatCosignVerifies(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	statement := statementFor(t, repo, digest)

	if err := k.signer.AttestManifest(ctx, repo, digest, provenance.PredicateType, statement); err != nil {
		t.Fatal(err)
	}

	// The layout `cosign attest` writes: one DSSE layer, annotated with
	// the predicate type, under sha256-<hex>.att.
	layers := attLayers(t, reg, repo, digest)
	if len(layers) != 1 {
		t.Fatalf(".att tag has %d layers, want 1", len(layers))
	}
	layer := layers[0].(map[string]any)
	ann, _ := layer["annotations"].(map[string]any)
	if layer["mediaType"] != "application/vnd.dsse.envelope.v1+json" || ann["predicateType"] != provenance.PredicateType {
		t.Errorf("attestation layer %v, want a DSSE envelope annotated with the predicate type", layer)
	}

	// cosign itself, given the public key, verifies it.
	verifier, err := sigs.PublicKeyFromKeyRef(ctx, k.pubPath)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewDigest(repo+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	co := &cosignpkg.CheckOpts{SigVerifier: verifier, IgnoreTlog: true, ClaimVerifier: cosignpkg.IntotoSubjectClaimVerifier}
	if found, _, err := cosignpkg.VerifyImageAttestations(ctx, ref, co); err != nil || len(found) != 1 {
		t.Fatalf("cosign verify-attestation: %d attestations, %v", len(found), err)
	}

	// relctl reads back the very statement it signed.
	st, err := k.signer.VerifyAttestations(ctx, repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	if st.Count != 1 || len(st.Verified) != 1 || st.Reason != "1 valid attestation" {
		t.Fatalf("VerifyAttestations = %+v, want one valid", st)
	}
	v := st.Verified[0]
	if v.Format != "legacy" || v.PredicateType != provenance.PredicateType || !bytes.Equal(v.Statement, statement) {
		t.Errorf("verified attestation %s %s %s, want the statement signed", v.Format, v.PredicateType, v.Statement)
	}
}

func TestVerifyAttestations_anotherKeysOrAnotherManifestsAttestationIsNotValid(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	_, other := pushChart(t, reg, "podinfo", "2.0.0")
	ours, theirs := newKeySigner(t), newKeySigner(t)

	if err := theirs.signer.AttestManifest(ctx, repo, digest, provenance.PredicateType, statementFor(t, repo, digest)); err != nil {
		t.Fatal(err)
	}
	// Signed by our key, but about another manifest: replayed here.
	if err := ours.signer.AttestManifest(ctx, repo, digest, provenance.PredicateType, statementFor(t, repo, other)); err != nil {
		t.Fatal(err)
	}
	st, err := ours.signer.VerifyAttestations(ctx, repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	if st.Count != 2 || len(st.Verified) != 0 || st.Reason != "2 attestations, none valid for the configured key" {
		t.Errorf("VerifyAttestations = %+v, want 2 found, none valid", st)
	}

	none, err := ours.signer.VerifyAttestations(ctx, repo, other)
	if err != nil {
		t.Fatal(err)
	}
	if none.Count != 0 || none.Reason != "no attestation" {
		t.Errorf("VerifyAttestations of an unattested manifest = %+v", none)
	}
}
