package cosign

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
)

// TestNew_keyProviderNotInThisBuildSaysWhichBuildHasIt: a key reference
// whose provider this binary lacks is refused when the Signer is made,
// naming the scheme; a build without the kms tag also says where a build
// with it comes from.
func TestNew_keyProviderNotInThisBuildSaysWhichBuildHasIt(t *testing.T) {
	isolate(t)
	keys := []string{"awskms:///alias/charts", "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k"}
	if !kmsBuild {
		keys = append(keys, "k8s://ci/cosign")
	}
	for _, key := range keys {
		scheme := key[:strings.Index(key, "://")]
		for _, signing := range []config.Signing{
			{Mode: config.SigningKey, Key: key},
			{Mode: config.SigningKey, Key: "cosign.key", PublicKey: key},
		} {
			_, err := New(context.Background(), Options{Signing: signing, Getenv: env(nil), VerifyOnly: signing.PublicKey != ""})
			if err == nil {
				t.Fatalf("New with %+v succeeded", signing)
			}
			wants := []string{key, "no " + scheme + " key provider is built into this binary"}
			if !kmsBuild {
				wants = append(wants, "release binaries", "go install -tags kms ./cmd/relctl")
			}
			for _, want := range wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("New with %+v: error %q does not say %q", signing, err, want)
				}
			}
		}
	}
}

// TestNew_verifyOnlyPublicKeyFromFileEnvOrURL: signing.public_key is read
// as cosign reads a --key to verify with: a PEM file, env://VAR, or an
// http(s) URL.
func TestNew_verifyOnlyPublicKeyFromFileEnvOrURL(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	k := newKeySigner(t)
	if err := k.signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(k.pubPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("RELCTL_TEST_COSIGN_PUB", string(pub))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cosign.pub" {
			http.NotFound(w, r)
			return
		}
		w.Write(pub)
	}))
	defer srv.Close()

	other := newKeySigner(t) // a key that did not sign
	for _, c := range []struct {
		ref       string
		wantValid bool
	}{
		{k.pubPath, true},
		{"env://RELCTL_TEST_COSIGN_PUB", true},
		{srv.URL + "/cosign.pub", true},
		{other.pubPath, false},
	} {
		v, err := New(ctx, Options{
			Signing:           config.Signing{Mode: config.SigningKey, PublicKey: c.ref},
			Getenv:            env(nil),
			AllowHTTPRegistry: true,
			VerifyOnly:        true,
		})
		if err != nil {
			t.Fatalf("verify-only signer with public_key %s: %v", c.ref, err)
		}
		if st := verify(t, v, repo, digest); st.Valid != c.wantValid {
			t.Errorf("public_key %s: VerifySignatures = %+v, want valid %v", c.ref, st, c.wantValid)
		}
	}

	_, err = New(ctx, Options{
		Signing:    config.Signing{Mode: config.SigningKey, PublicKey: srv.URL + "/missing.pub"},
		Getenv:     env(nil),
		VerifyOnly: true,
	})
	if err == nil || !strings.Contains(err.Error(), "load public key "+srv.URL+"/missing.pub") {
		t.Errorf("public_key at a URL that is not a key: %v", err)
	}
}
