package cosign

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci/static"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

const (
	actionsRequestToken = "actions-request-token-5ecret"
	chartsSubject       = "^https://github.com/acme/charts/"
)

type keylessFixture struct {
	fulcio *fakeFulcio
	oidc   *fakeActionsOIDC
	token  string
}

func startKeyless(t *testing.T) keylessFixture {
	t.Helper()
	token := newOIDCToken(t)
	return keylessFixture{
		fulcio: startFakeFulcio(t, token),
		oidc:   startFakeActionsOIDC(t, actionsRequestToken, token),
		token:  token,
	}
}

// actionsEnv is the environment of a GitHub Actions job with
// `permissions: id-token: write`.
func (k keylessFixture) actionsEnv() map[string]string {
	return map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":   k.oidc.URL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": actionsRequestToken,
	}
}

func (k keylessFixture) signer(t *testing.T, subjectRegexp string, vars map[string]string) *Signer {
	t.Helper()
	s, err := New(context.Background(), Options{
		Signing: config.Signing{
			Mode:       config.SigningKeyless,
			Identity:   config.Identity{Issuer: githubIssuer, SubjectRegexp: subjectRegexp},
			FulcioURL:  k.fulcio.URL,
			TlogUpload: false,
		},
		Getenv:            env(vars),
		AllowHTTPRegistry: true,
		FulcioRoots:       k.fulcio.Roots,
		SkipSCT:           true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignManifest_keylessInGitHubActions_verifiesAgainstTheWorkflowIdentity(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := startKeyless(t)
	s := k.signer(t, chartsSubject, k.actionsEnv())

	if err := s.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	if k.oidc.Requests.Load() != 1 || k.fulcio.Requests.Load() != 1 {
		t.Errorf("token requests %d, certificate requests %d, want 1 and 1", k.oidc.Requests.Load(), k.fulcio.Requests.Load())
	}
	st := verify(t, s, repo, digest)
	if !st.Valid || st.Count != 1 || st.Reason != "1 valid signature: legacy" {
		t.Fatalf("VerifySignatures = %+v, want valid, 1 signature", st)
	}
	if s.PublicKeyPEM() != nil {
		t.Errorf("keyless PublicKeyPEM = %q, want nil", s.PublicKeyPEM())
	}

	// cosign itself, given only the roots and the identity, agrees.
	ref, err := name.NewDigest(repo+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = cosignpkg.VerifyImageSignatures(ctx, ref, &cosignpkg.CheckOpts{
		RootCerts:     k.fulcio.Roots,
		Identities:    []cosignpkg.Identity{{Issuer: githubIssuer, SubjectRegExp: chartsSubject}},
		ClaimVerifier: cosignpkg.SimpleClaimVerifier,
		IgnoreTlog:    true,
		IgnoreSCT:     true,
	})
	if err != nil {
		t.Fatalf("cosign does not verify the keyless signature: %v", err)
	}
}

func TestSignManifest_keylessSigningAgainAddsNoSecondSignature(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := startKeyless(t)
	s := k.signer(t, chartsSubject, k.actionsEnv())
	if err := s.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	if err := s.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	if n := len(sigLayers(t, reg, repo, digest)); n != 1 {
		t.Errorf("signature tag has %d layers after signing twice, want 1", n)
	}
	if n := k.fulcio.Requests.Load(); n != 1 {
		t.Errorf("Fulcio certified %d keys, want 1: a valid signature needs no new one", n)
	}
}

func TestVerifySignatures_keylessSignatureOfAnotherSubjectIsNotValid(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := startKeyless(t)
	if err := k.signer(t, chartsSubject, k.actionsEnv()).SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	elsewhere := k.signer(t, "^https://github.com/acme/other/", k.actionsEnv())

	st := verify(t, elsewhere, repo, digest)
	if st.Valid || st.Count != 1 || st.Reason != "1 signature, not valid for the configured identity" {
		t.Fatalf("VerifySignatures = %+v, want 1 signature, not valid for the identity", st)
	}
}

func TestSignBlob_keylessWithSigstoreIDToken_certificateVerifiesTheBytes(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	k := startKeyless(t)
	s := k.signer(t, chartsSubject, map[string]string{"SIGSTORE_ID_TOKEN": k.token})
	blob := []byte("podinfo-1.0.0.tgz bytes")

	sig, err := s.SignBlob(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}

	if !bytes.HasPrefix(sig.Certificate, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Fatalf("Certificate = %q, want a PEM certificate", sig.Certificate)
	}
	if err := s.VerifyBlob(ctx, blob, sig); err != nil {
		t.Fatalf("VerifyBlob: %v", err)
	}
	// cosign itself, from the signature and certificate alone, agrees.
	ociSig, err := static.NewSignature(blob, string(sig.Signature), static.WithCertChain(sig.Certificate, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cosignpkg.VerifyBlobSignature(ctx, ociSig, &cosignpkg.CheckOpts{
		RootCerts:  k.fulcio.Roots,
		Identities: []cosignpkg.Identity{{Issuer: githubIssuer, SubjectRegExp: chartsSubject}},
		IgnoreTlog: true,
		IgnoreSCT:  true,
	}); err != nil {
		t.Fatalf("cosign does not verify the blob signature: %v", err)
	}

	if err := s.VerifyBlob(ctx, append(blob, '!'), sig); err == nil {
		t.Error("VerifyBlob accepted modified bytes")
	}
	if err := k.signer(t, "^https://github.com/acme/other/", k.actionsEnv()).VerifyBlob(ctx, blob, sig); err == nil {
		t.Error("VerifyBlob accepted a certificate of another subject")
	}
	if err := s.VerifyBlob(ctx, blob, &state.BlobSignature{Signature: sig.Signature}); err == nil {
		t.Error("VerifyBlob accepted a keyless signature without its certificate")
	}
}

// Each keyless signing has its own ephemeral key and certificate: a .sig and
// a .pem from two signings of the same bytes do not verify together, which
// is what lets relctl find a half-repaired release draft.
func TestVerifyBlob_keylessSigAndPemOfTwoSigningsDoNotVerifyTogether(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	k := startKeyless(t)
	s := k.signer(t, chartsSubject, map[string]string{"SIGSTORE_ID_TOKEN": k.token})
	blob := []byte("podinfo-1.0.0.tgz bytes")
	first, err := s.SignBlob(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.SignBlob(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}

	if err := s.VerifyBlob(ctx, blob, second); err != nil {
		t.Fatalf("a pair from one signing does not verify: %v", err)
	}
	mixed := &state.BlobSignature{Signature: first.Signature, Certificate: second.Certificate}
	if err := s.VerifyBlob(ctx, blob, mixed); err == nil {
		t.Fatal("the .sig of one signing verified with the .pem of another")
	}
}
