package cosign

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

const testPassword = "correct horse battery staple"

type keyFixture struct {
	signer   *Signer
	privPath string
	pubPath  string
}

// newKeySigner generates a key pair in a fresh folder and loads it.
func newKeySigner(t testing.TB) keyFixture {
	t.Helper()
	priv, pub, err := GenerateKeyPair(t.TempDir(), []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(context.Background(), Options{
		Signing:           config.Signing{Mode: config.SigningKey, Key: priv},
		Getenv:            env(map[string]string{"COSIGN_PASSWORD": testPassword}),
		AllowHTTPRegistry: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return keyFixture{signer: s, privPath: priv, pubPath: pub}
}

func verify(t *testing.T, s *Signer, repo, digest string) *state.SignatureState {
	t.Helper()
	st, err := s.VerifySignatures(context.Background(), repo, digest)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSignManifest_keyMode_pushesOneSignatureThatCosignVerifies(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)

	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	if n := len(sigLayers(t, reg, repo, digest)); n != 1 {
		t.Fatalf("signature tag has %d layers, want 1", n)
	}
	st := verify(t, k.signer, repo, digest)
	if !st.Valid || st.Count != 1 || st.Reason != "1 valid signature: legacy" {
		t.Fatalf("VerifySignatures = %+v, want valid, 1 signature", st)
	}

	// cosign itself, given only the public key file, agrees.
	verifier, err := sigs.PublicKeyFromKeyRef(ctx, k.pubPath)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewDigest(repo+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	checked, _, err := cosignpkg.VerifyImageSignatures(ctx, ref, &cosignpkg.CheckOpts{
		SigVerifier:        verifier,
		ClaimVerifier:      cosignpkg.SimpleClaimVerifier,
		IgnoreTlog:         true,
		RegistryClientOpts: []ociremote.Option{},
	})
	if err != nil {
		t.Fatalf("cosign does not verify the signature: %v", err)
	}
	if len(checked) != 1 {
		t.Fatalf("cosign verified %d signatures, want 1", len(checked))
	}
}

func TestSignManifest_signingAgainWritesNothingAndKeepsOneSignature(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	writes := reg.Writes()

	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	if got := reg.Writes(); got != writes {
		t.Errorf("second signing made %d registry writes, want 0", got-writes)
	}
	if n := len(sigLayers(t, reg, repo, digest)); n != 1 {
		t.Errorf("signature tag has %d layers after signing twice, want 1", n)
	}
}

func TestVerifySignatures_signatureOfAnotherKeyIsNotValid(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	ours, theirs := newKeySigner(t), newKeySigner(t)
	if err := theirs.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	st := verify(t, ours.signer, repo, digest)
	if st.Valid || st.Count != 1 || st.Reason != "1 signature, not valid for the configured key" {
		t.Fatalf("VerifySignatures = %+v, want 1 signature, not valid", st)
	}

	// Our signature is added beside theirs, not in place of it.
	if err := ours.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	st = verify(t, ours.signer, repo, digest)
	if !st.Valid || st.Count != 2 || st.Reason != "2 signatures, 1 valid: legacy" {
		t.Fatalf("after signing: VerifySignatures = %+v, want 2 signatures, 1 valid", st)
	}
}

func TestVerifySignatures_tamperedSignatureIsNotValid(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	tamperSignature(t, reg, repo, digest)

	st := verify(t, k.signer, repo, digest)
	if st.Valid || st.Count != 1 {
		t.Fatalf("VerifySignatures = %+v, want 1 signature, not valid", st)
	}
}

func TestVerifySignatures_signatureCopiedFromAnotherManifestIsNotValid(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, signed := pushChart(t, reg, "podinfo", "1.0.0")
	_, other := pushChart(t, reg, "podinfo", "1.0.1")
	k := newKeySigner(t)
	if err := k.signer.SignManifest(ctx, repo, signed); err != nil {
		t.Fatal(err)
	}

	// The signature is genuine, but its payload names the other digest.
	copySignatures(t, reg, repo, signed, other)

	st := verify(t, k.signer, repo, other)
	if st.Valid || st.Count != 1 {
		t.Fatalf("VerifySignatures = %+v, want 1 signature, not valid", st)
	}
}

func TestVerifySignatures_absentSignatureTagIsNoSignatureNotAnError(t *testing.T) {
	isolate(t)
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)

	st := verify(t, k.signer, repo, digest)
	if st.Valid || st.Count != 0 || st.Reason != "no signature" {
		t.Fatalf("VerifySignatures = %+v, want no signature", st)
	}
}

func TestSignManifest_absentManifestIsNotFound(t *testing.T) {
	isolate(t)
	reg := startRegistry(t)
	repo, _ := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	absent := "sha256:" + string(bytes.Repeat([]byte("ab"), 32))

	err := k.signer.SignManifest(context.Background(), repo, absent)
	if !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("SignManifest of an absent manifest = %v, want ErrNotFound", err)
	}
}

func TestNew_keyFromEnvironmentVariableSignsLikeTheFile(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	keyPEM, err := os.ReadFile(k.privPath)
	if err != nil {
		t.Fatal(err)
	}
	fromEnv, err := New(ctx, Options{
		Signing:           config.Signing{Mode: config.SigningKey, Key: "env://RELCTL_SIGNING_KEY"},
		Getenv:            env(map[string]string{"COSIGN_PASSWORD": testPassword, "RELCTL_SIGNING_KEY": string(keyPEM)}),
		AllowHTTPRegistry: true,
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := fromEnv.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	if st := verify(t, k.signer, repo, digest); !st.Valid {
		t.Fatalf("signature made with the env:// key does not verify with the file's: %+v", st)
	}
}

func TestPublicKeyPEM_isTheGeneratedPublicKey(t *testing.T) {
	isolate(t)
	k := newKeySigner(t)
	want, err := os.ReadFile(k.pubPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.signer.PublicKeyPEM(); !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatalf("PublicKeyPEM =\n%s\nwant\n%s", got, want)
	}
}

func TestGenerateKeyPair_refusesToOverwriteAKey(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := GenerateKeyPair(dir, []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := GenerateKeyPair(dir, []byte(testPassword)); !errors.Is(err, os.ErrExist) {
		t.Fatalf("second GenerateKeyPair in the same folder = %v, want ErrExist", err)
	}
}
