package cosign

import (
	"context"
	"testing"

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"

	"github.com/relctl/relctl/state"
)

func TestSignBlob_keyMode_roundTripsAndCosignVerifiesTheBytes(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	k := newKeySigner(t)
	blob := []byte("podinfo-1.0.0.tgz bytes")

	sig, err := k.signer.SignBlob(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}

	if sig.Certificate != nil {
		t.Errorf("key mode Certificate = %q, want nil", sig.Certificate)
	}
	if err := k.signer.VerifyBlob(ctx, blob, sig); err != nil {
		t.Fatalf("VerifyBlob: %v", err)
	}
	// cosign itself, given only the public key file, agrees (what `cosign
	// verify-blob --key cosign.pub --signature x.sig` does).
	verifier, err := sigs.PublicKeyFromKeyRef(ctx, k.pubPath)
	if err != nil {
		t.Fatal(err)
	}
	ociSig, err := static.NewSignature(blob, string(sig.Signature))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cosignpkg.VerifyBlobSignature(ctx, ociSig, &cosignpkg.CheckOpts{SigVerifier: verifier, IgnoreTlog: true}); err != nil {
		t.Fatalf("cosign does not verify the blob signature: %v", err)
	}
}

func TestVerifyBlob_keyMode_rejectsModifiedBytesAnotherKeyAndNoSignature(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	ours, theirs := newKeySigner(t), newKeySigner(t)
	blob := []byte("podinfo-1.0.0.tgz bytes")
	sig, err := ours.signer.SignBlob(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}

	if err := ours.signer.VerifyBlob(ctx, []byte("podinfo-1.0.0.tgz bytez"), sig); err == nil {
		t.Error("VerifyBlob accepted modified bytes")
	}
	if err := theirs.signer.VerifyBlob(ctx, blob, sig); err == nil {
		t.Error("VerifyBlob accepted a signature of another key")
	}
	if err := ours.signer.VerifyBlob(ctx, blob, &state.BlobSignature{}); err == nil {
		t.Error("VerifyBlob accepted an empty signature")
	}
	// A trailing newline, as a .sig file downloaded from a release has, is
	// not a different signature.
	withNewline := &state.BlobSignature{Signature: append(append([]byte(nil), sig.Signature...), '\n')}
	if err := ours.signer.VerifyBlob(ctx, blob, withNewline); err != nil {
		t.Errorf("VerifyBlob of the signature with a trailing newline: %v", err)
	}
}
