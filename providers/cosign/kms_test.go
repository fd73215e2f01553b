package cosign

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	// The binary links the KMS providers in cmd/relctl; this test links the
	// one it exercises.
	_ "github.com/sigstore/sigstore/pkg/signature/kms/hashivault"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// fakeTransit stands in for HashiCorp Vault's transit secrets engine: the
// two calls a signer makes (read the key, sign a digest) on one ECDSA key
// that never leaves it.
type fakeTransit struct {
	key   *ecdsa.PrivateKey
	token string
	mu    sync.Mutex
	signs int
}

func (f *fakeTransit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Vault-Token") != f.token {
		http.Error(w, `{"errors":["permission denied"]}`, http.StatusForbidden)
		return
	}
	reply := func(data any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": data})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/transit/keys/relctl":
		pub, _ := cryptoutils.MarshalPublicKeyToPEM(f.key.Public())
		reply(map[string]any{"latest_version": 1, "keys": map[string]any{"1": map[string]any{"name": "ecdsa-p256", "public_key": string(pub)}}})
	case (r.Method == http.MethodPost || r.Method == http.MethodPut) && r.URL.Path == "/v1/transit/sign/relctl/sha2-256":
		var in struct {
			Input     string `json:"input"`
			Prehashed bool   `json:"prehashed"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || !in.Prehashed {
			http.Error(w, `{"errors":["bad request"]}`, http.StatusBadRequest)
			return
		}
		digest, _ := base64.StdEncoding.DecodeString(in.Input)
		sig, err := ecdsa.SignASN1(rand.Reader, f.key, digest)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		f.mu.Lock()
		f.signs++
		f.mu.Unlock()
		reply(map[string]any{"signature": "vault:v1:" + base64.StdEncoding.EncodeToString(sig)})
	default:
		http.NotFound(w, r)
	}
}

func TestNew_kmsReferenceIsPassedToCosignsProviderAndSignsAndVerifies(t *testing.T) {
	isolate(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	transit := &fakeTransit{key: key, token: "vault-token"}
	srv := httptest.NewServer(transit)
	defer srv.Close()
	// sigstore's Vault client reads its address and token from the
	// process environment only.
	t.Setenv("VAULT_ADDR", srv.URL)
	t.Setenv("VAULT_TOKEN", "vault-token")

	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	s, err := New(ctx, Options{
		Signing:           config.Signing{Mode: config.SigningKey, Key: "hashivault://relctl"},
		Getenv:            env(nil),
		AllowHTTPRegistry: true,
	})
	if err != nil {
		t.Fatalf("New with a hashivault:// key: %v", err)
	}
	if !strings.Contains(string(s.PublicKeyPEM()), "PUBLIC KEY") {
		t.Fatalf("PublicKeyPEM = %q", s.PublicKeyPEM())
	}
	if err := s.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	if st := verify(t, s, repo, digest); !st.Valid || st.Count != 1 {
		t.Fatalf("VerifySignatures = %+v, want 1 valid", st)
	}
	blobSig, err := s.SignBlob(ctx, []byte("chart bytes"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyBlob(ctx, []byte("chart bytes"), blobSig); err != nil {
		t.Fatalf("VerifyBlob: %v", err)
	}
	if err := s.VerifyBlob(ctx, []byte("other bytes"), &state.BlobSignature{Signature: blobSig.Signature}); err == nil {
		t.Fatal("a KMS blob signature verifies other bytes")
	}
	if transit.signs != 2 {
		t.Fatalf("the KMS signed %d times, want 2 (the manifest and the blob)", transit.signs)
	}
}
