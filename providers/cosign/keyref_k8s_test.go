//go:build kms

package cosign

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/relctl/relctl/config"
)

// fakeKubernetes serves the one call cosign makes for a k8s:// key: read
// the secret `cosign generate-key-pair k8s://ns/name` writes (cosign.key,
// cosign.password, cosign.pub).
type fakeKubernetes struct {
	namespace, name string
	data            map[string][]byte
	reads           atomic.Int32
}

func (f *fakeKubernetes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/api/v1/namespaces/"+f.namespace+"/secrets/"+f.name {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})
		return
	}
	f.reads.Add(1)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"kind": "Secret", "apiVersion": "v1",
		"metadata": map[string]any{"name": f.name, "namespace": f.namespace},
		"type":     "Opaque",
		"data":     f.data, // []byte values encode as base64, as the API's
	})
}

// useKubeconfig points client-go at srv.
func useKubeconfig(t *testing.T, srv *httptest.Server) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: " + srv.URL +
		"\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: test\ncurrent-context: test\nusers:\n- name: test\n  user:\n    token: test-token\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
}

// TestNew_k8sKeyIsReadFromTheSecretAndSignsAndVerifies: in a kms build, a
// k8s:// key is read from its Kubernetes secret by cosign, signs, and its
// cosign.pub verifies (public_key = k8s://…).
func TestNew_k8sKeyIsReadFromTheSecretAndSignsAndVerifies(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	privPath, pubPath, err := GenerateKeyPair(dir, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := os.ReadFile(privPath)
	pub, _ := os.ReadFile(pubPath)
	kube := &fakeKubernetes{namespace: "ci", name: "cosign", data: map[string][]byte{
		"cosign.key": priv, "cosign.password": []byte(testPassword), "cosign.pub": pub,
	}}
	srv := httptest.NewServer(kube)
	defer srv.Close()
	useKubeconfig(t, srv)

	ctx := context.Background()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	s, err := New(ctx, Options{
		Signing:           config.Signing{Mode: config.SigningKey, Key: "k8s://ci/cosign"},
		Getenv:            env(nil),
		AllowHTTPRegistry: true,
	})
	if err != nil {
		t.Fatalf("New with a k8s:// key: %v", err)
	}
	if err := s.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}
	if kube.reads.Load() == 0 {
		t.Fatal("the key was not read from the Kubernetes secret")
	}

	v, err := New(ctx, Options{
		Signing:           config.Signing{Mode: config.SigningKey, PublicKey: "k8s://ci/cosign"},
		Getenv:            env(nil),
		AllowHTTPRegistry: true,
		VerifyOnly:        true,
	})
	if err != nil {
		t.Fatalf("verify-only signer with public_key = k8s://: %v", err)
	}
	if st := verify(t, v, repo, digest); !st.Valid || st.Count != 1 {
		t.Fatalf("VerifySignatures with the secret's cosign.pub = %+v, want 1 valid", st)
	}

	_, err = New(ctx, Options{
		Signing: config.Signing{Mode: config.SigningKey, Key: "k8s://ci/missing"},
		Getenv:  env(nil),
	})
	if err == nil {
		t.Fatal("New with a k8s:// secret that does not exist succeeded")
	}
}
