package cosign

import (
	"context"
	"errors"
	"testing"

	"github.com/relctl/relctl/config"
)

func TestNew_verifyOnlyKeyModeUsesThePublicKeyWithoutAPassword(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	// A pull request's plan has no COSIGN_PASSWORD.
	v, err := New(ctx, Options{
		Signing:           config.Signing{Mode: config.SigningKey, Key: k.privPath},
		Getenv:            env(nil),
		AllowHTTPRegistry: true,
		VerifyOnly:        true,
	})
	if err != nil {
		t.Fatalf("verify-only signer without a password: %v", err)
	}
	if st := verify(t, v, repo, digest); !st.Valid || st.Count != 1 {
		t.Fatalf("verify-only VerifySignatures = %+v, want 1 valid", st)
	}
	if err := v.SignManifest(ctx, repo, digest); !errors.Is(err, ErrVerifyOnly) {
		t.Fatalf("SignManifest on a verify-only signer = %v, want ErrVerifyOnly", err)
	}
	if _, err := v.SignBlob(ctx, []byte("x")); !errors.Is(err, ErrVerifyOnly) {
		t.Fatalf("SignBlob on a verify-only signer = %v, want ErrVerifyOnly", err)
	}
}

func TestNew_verifyOnlyKeylessNeedsNoToken(t *testing.T) {
	isolate(t)
	k := startKeyless(t)
	_, err := New(context.Background(), Options{
		Signing: config.Signing{
			Mode:     config.SigningKeyless,
			Identity: config.Identity{Issuer: githubIssuer, SubjectRegexp: "^https://github.com/acme/"},
		},
		Getenv:      env(nil),
		FulcioRoots: k.fulcio.Roots,
		VerifyOnly:  true,
	})
	if err != nil {
		t.Fatalf("verify-only keyless signer without a token: %v", err)
	}
}
