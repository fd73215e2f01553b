package cosign

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/state"
)

// TestSigner_signaturePushUsesTheCredentialTheChartPushUsed pushes a chart
// with the oci client and signs it with a Signer, each built on its own from
// the same environment, against a registry that requires a login. For each
// source of the documented order the credential reaches both: the chart
// can no longer push while its signature is refused.
func TestSigner_signaturePushUsesTheCredentialTheChartPushUsed(t *testing.T) {
	isolate(t)
	const user, password = "ci", "registry-pa55word"
	priv, _, err := GenerateKeyPair(t.TempDir(), []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	helperBin := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nread server\nprintf '{\"ServerURL\":\"%%s\",\"Username\":%q,\"Secret\":%q}' \"$server\"\n", user, password)
	if err := os.WriteFile(filepath.Join(helperBin, "docker-credential-relctltest"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", helperBin+string(os.PathListSeparator)+os.Getenv("PATH"))

	tests := []struct {
		name string
		// host is the registry host the spec names; ghcr.io is served
		// by the loopback registry through a dialer.
		host   string
		env    func(dockerDir, host string) map[string]string
		source string
	}{
		{"registry variables", "", func(_, _ string) map[string]string {
			return map[string]string{oci.EnvRegistryUsername: user, oci.EnvRegistryPassword: password}
		}, "RELCTL_REGISTRY_USERNAME/RELCTL_REGISTRY_PASSWORD"},
		{"docker config auths", "", func(dir, host string) map[string]string {
			auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
			writeFile(t, filepath.Join(dir, "config.json"), fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, auth))
			return map[string]string{"DOCKER_CONFIG": dir}
		}, "docker config"},
		{"docker credential helper", "", func(dir, host string) map[string]string {
			writeFile(t, filepath.Join(dir, "config.json"), fmt.Sprintf(`{"credHelpers":{%q:"relctltest"}}`, host))
			return map[string]string{"DOCKER_CONFIG": dir}
		}, `docker credential helper "relctltest"`},
		{"GITHUB_TOKEN for ghcr.io", "ghcr.io", func(dir, _ string) map[string]string {
			return map[string]string{"DOCKER_CONFIG": dir, "GITHUB_TOKEN": password}
		}, "GITHUB_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			login := user
			if tt.host == "ghcr.io" {
				login = "relctl" // GHCR ignores the username; relctl sends this one
			}
			reg := startRegistryWithLogin(t, login, password)
			host, transport := reg.Host, http.RoundTripper(nil)
			if tt.host != "" {
				host, transport = tt.host, dialOnly(reg.Host)
			}
			vars := tt.env(t.TempDir(), host)
			vars["COSIGN_PASSWORD"] = testPassword
			getenv := env(vars)

			var httpClient *http.Client
			if transport != nil {
				httpClient = &http.Client{Transport: transport}
			}
			client, err := oci.New(oci.Options{Getenv: getenv, Insecure: true, HTTPClient: httpClient})
			if err != nil {
				t.Fatal(err)
			}
			signer, err := New(ctx, Options{
				Signing:           config.Signing{Mode: config.SigningKey, Key: priv},
				Getenv:            getenv,
				AllowHTTPRegistry: true,
				Transport:         transport,
			})
			if err != nil {
				t.Fatal(err)
			}
			repo := host + "/acme/charts/podinfo"

			digest, err := client.Push(ctx, repo, "1.0.0", minimalPackage("podinfo", "1.0.0"))
			if err != nil {
				t.Fatalf("chart push: %v", err)
			}
			if err := signer.SignManifest(ctx, repo, digest); err != nil {
				t.Fatalf("signature push after the chart pushed with %s: %v", client.CredentialSource(host), err)
			}
			if st := verify(t, signer, repo, digest); !st.Valid {
				t.Errorf("VerifySignatures = %+v, want the signature just pushed", st)
			}
			if src := client.CredentialSource(host); !strings.Contains(src, tt.source) {
				t.Errorf("chart push used %q, want %q", src, tt.source)
			}
		})
	}
}

// dialOnly is a transport that connects every request, whatever its host,
// to addr: ghcr.io served by a loopback registry.
func dialOnly(addr string) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return t
}

// minimalPackage is a package the oci client pushes as a chart; its bytes
// need not be a loadable chart to be pushed and signed.
func minimalPackage(name, version string) *state.Package {
	archive := []byte("not really a tgz: " + name + " " + version)
	sum := sha256.Sum256(archive)
	return &state.Package{
		Chart:    name,
		Version:  version,
		FileName: name + "-" + version + ".tgz",
		Archive:  archive,
		Digest:   "sha256:" + hex.EncodeToString(sum[:]),
		Config:   []byte(fmt.Sprintf(`{"name":%q,"version":%q,"apiVersion":"v2"}`, name, version)),
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKeychain_credentialHelperStopsWithTheCommand: go-containerregistry's
// default keychain ran helpers without a context; relctl's runs them under
// the one go-containerregistry passes, the command's.
func TestKeychain_credentialHelperStopsWithTheCommand(t *testing.T) {
	isolate(t)
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-hangs"), []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "config.json"), `{"credHelpers":{"registry.example.com":"hangs"}}`)
	k := keychain{creds: oci.NewCredentials(env(map[string]string{"DOCKER_CONFIG": dir}))}
	reg, err := name.NewRegistry("registry.example.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err = authn.Resolve(ctx, k, reg)

	if err == nil {
		t.Fatal("Resolve with a hanging helper succeeded")
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("Resolve returned after %s: the helper outlived the command's context", elapsed)
	}
}

// TestSigner_sharedChainRunsACredentialHelperOncePerHost: given the oci
// client's chain, as relctl's backend does, a chart push and its signature
// push ask the helper once, not once per client.
func TestSigner_sharedChainRunsACredentialHelperOncePerHost(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	const user, password = "ci", "registry-pa55word"
	reg := startRegistryWithLogin(t, user, password)
	calls := filepath.Join(t.TempDir(), "calls")
	bin := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\necho get >> %q\nread server\nprintf '{\"ServerURL\":\"%%s\",\"Username\":%q,\"Secret\":%q}' \"$server\"\n", calls, user, password)
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-counted"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dockerDir := t.TempDir()
	writeFile(t, filepath.Join(dockerDir, "config.json"), fmt.Sprintf(`{"credHelpers":{%q:"counted"}}`, reg.Host))
	getenv := env(map[string]string{"DOCKER_CONFIG": dockerDir, "COSIGN_PASSWORD": testPassword})
	priv, _, err := GenerateKeyPair(t.TempDir(), []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	client, err := oci.New(oci.Options{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := New(ctx, Options{Signing: config.Signing{Mode: config.SigningKey, Key: priv}, Getenv: getenv,
		Credentials: client.Credentials(), AllowHTTPRegistry: true})
	if err != nil {
		t.Fatal(err)
	}
	repo := reg.Host + "/acme/charts/podinfo"

	digest, err := client.Push(ctx, repo, "1.0.0", minimalPackage("podinfo", "1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.SignManifest(ctx, repo, digest); err != nil {
		t.Fatal(err)
	}

	got, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), "get"); n != 1 {
		t.Errorf("the credential helper ran %d times for one host, want 1", n)
	}
}
