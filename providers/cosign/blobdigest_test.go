package cosign

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

func digestOf(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }

// VerifyBlobDigest decides as VerifyBlob does, from the digest alone, for
// every format in key mode: the signature of these bytes verifies, other
// bytes, another key, a missing or mismatched file do not.
func TestVerifyBlobDigest_keyMode_decidesAsVerifyBlobFromTheDigest(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	ours, theirs := newKeySigner(t), newKeySigner(t)
	blob := []byte("podinfo-1.0.0.tgz bytes")
	other := []byte("podinfo-1.0.0.tgz bytez")
	for _, f := range []config.SignatureFormat{config.FormatLegacy, config.FormatBundle, config.FormatBoth} {
		t.Run(string(f), func(t *testing.T) {
			s := withFormat(t, ours, f)
			sig, err := s.SignBlob(ctx, blob)
			if err != nil {
				t.Fatal(err)
			}
			otherSig, err := s.SignBlob(ctx, other)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, v *Signer, digest string, sig *state.BlobSignature, wantOK bool) {
				t.Helper()
				decided, err := v.VerifyBlobDigest(ctx, digest, sig)
				if !decided {
					t.Fatalf("%s: undecided in key mode", what)
				}
				if (err == nil) != wantOK {
					t.Errorf("%s: VerifyBlobDigest = %v, want ok %v", what, err, wantOK)
				}
			}
			check("the signed bytes", s, digestOf(blob), sig, true)
			check("other bytes", s, digestOf(other), sig, false)
			check("another key", withFormat(t, theirs, f), digestOf(blob), sig, false)
			check("no signature", s, digestOf(blob), &state.BlobSignature{}, false)
			check("not a digest", s, "sha256:00", sig, false)
			if f == config.FormatBoth {
				mixed := &state.BlobSignature{Signature: sig.Signature, Bundle: otherSig.Bundle}
				check("a .sig and a bundle of two signings", s, digestOf(blob), mixed, false)
			}
		})
	}
}

// Keyless signatures are left to VerifyBlob: their verification (the
// certificate's time, a Rekor lookup) is cosign's, from the bytes.
func TestVerifyBlobDigest_keylessIsUndecided(t *testing.T) {
	isolate(t)
	s, err := New(context.Background(), Options{
		Signing:           config.Signing{Mode: config.SigningKeyless, Identity: chartsIdentity},
		Getenv:            env(nil),
		AllowHTTPRegistry: true,
		VerifyOnly:        true,
	})
	if err != nil {
		t.Fatal(err)
	}
	decided, err := s.VerifyBlobDigest(context.Background(), digestOf([]byte("x")), &state.BlobSignature{Signature: []byte("c2ln")})
	if decided || err != nil {
		t.Fatalf("keyless: decided %v, %v; want undecided", decided, err)
	}
}
