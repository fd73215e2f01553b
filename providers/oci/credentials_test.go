package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relctl/relctl/state"
)

// writeHelper puts a docker credential helper named docker-credential-<name>
// on PATH: "get" reads the server on stdin and answers with body.
func writeHelper(t *testing.T, name, script string) {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-"+name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// TestCredentials_followTheDocumentedOrder is the order README's
// environment paragraph states: both registry variables, the docker store
// (config auths or a credential helper), a GitHub token for ghcr.io only,
// anonymous.
func TestCredentials_followTheDocumentedOrder(t *testing.T) {
	writeHelper(t, "ordertest", `read server; printf '{"ServerURL":"%s","Username":"h","Secret":"helper-secret"}' "$server"`+"\n")
	authsDir := t.TempDir()
	writeDockerConfig(t, authsDir, `{"auths":{"ghcr.io":{"auth":"dTpw"}}}`) // u:p
	helperDir := t.TempDir()
	writeDockerConfig(t, helperDir, `{"credHelpers":{"ghcr.io":"ordertest"}}`)
	hubDir := t.TempDir()
	writeDockerConfig(t, hubDir, `{"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"}}}`)
	otherDir := t.TempDir()
	writeDockerConfig(t, otherDir, `{"auths":{"registry.example.com":{"auth":"dTpw"}}}`)
	home := t.TempDir()
	writeDockerConfig(t, mkdir(t, filepath.Join(home, ".docker")), `{"auths":{"ghcr.io":{"auth":"dTpw"}}}`)
	vars := []string{EnvRegistryUsername, "ru", EnvRegistryPassword, "rp"}
	token := []string{envGitHubToken, "ghs_x"}
	tests := []struct {
		name     string
		env      []string
		host     string
		want     string // source
		wantUser string
	}{
		{"registry variables before everything", cat(vars, token, []string{envDockerConfig, authsDir}), "ghcr.io", sourceEnv, "ru"},
		{"docker config auths before the github token", cat(token, []string{envDockerConfig, authsDir}), "ghcr.io", "docker config (" + filepath.Join(authsDir, "config.json") + ")", "u"},
		{"docker credential helper before the github token", cat(token, []string{envDockerConfig, helperDir}), "ghcr.io", `docker credential helper "ordertest"`, "h"},
		{"HOME's docker config when DOCKER_CONFIG is unset", cat(token, []string{envDockerConfig, "", "HOME", home}), "ghcr.io", "docker config (" + filepath.Join(home, ".docker", "config.json") + ")", "u"},
		{"docker config without this host falls through to the github token", cat(token, []string{envDockerConfig, otherDir}), "ghcr.io", "GITHUB_TOKEN", ghcrUsername},
		{"github token for ghcr.io", token, "ghcr.io", "GITHUB_TOKEN", ghcrUsername},
		{"GH_TOKEN when GITHUB_TOKEN is unset", []string{envGHToken, "ghs_y"}, "ghcr.io", "GH_TOKEN", ghcrUsername},
		{"github token never sent to a loopback host", token, "127.0.0.1:5000", sourceAnonymous, ""},
		{"github token never sent to another registry", token, "registry.example.com", sourceAnonymous, ""},
		{"docker config without this host, not ghcr.io: anonymous", []string{envDockerConfig, authsDir}, "quay.io", sourceAnonymous, ""},
		{"nothing configured", nil, "ghcr.io", sourceAnonymous, ""},
		{"Docker Hub as oras-go names it", []string{envDockerConfig, hubDir}, "registry-1.docker.io", "docker config (" + filepath.Join(hubDir, "config.json") + ")", "u"},
		{"Docker Hub as go-containerregistry names it", []string{envDockerConfig, hubDir}, "index.docker.io", "docker config (" + filepath.Join(hubDir, "config.json") + ")", "u"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewCredentials(env(t, tt.env...)).Find(context.Background(), tt.host)
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != tt.want || got.Username != tt.wantUser {
				t.Errorf("Find(%q) = source %q, user %q; want %q, %q", tt.host, got.Source, got.Username, tt.want, tt.wantUser)
			}
			if got.Anonymous() != (tt.want == sourceAnonymous) {
				t.Errorf("Anonymous() = %v for source %q", got.Anonymous(), got.Source)
			}
		})
	}
}

func TestCredentials_oneRegistryVariableWithoutTheOtherIsAnErrorNamingTheMissingOne(t *testing.T) {
	for _, tt := range []struct{ set, missing string }{
		{EnvRegistryUsername, EnvRegistryPassword},
		{EnvRegistryPassword, EnvRegistryUsername},
	} {
		getenv := env(t, tt.set, "half-set-secret", envGitHubToken, "ghs_x")
		_, newErr := New(Options{Getenv: getenv})
		_, findErr := NewCredentials(getenv).Find(context.Background(), "ghcr.io")
		for name, err := range map[string]error{"New": newErr, "Find": findErr} {
			if err == nil {
				t.Fatalf("%s with only %s set: no error (it would fall back silently)", name, tt.set)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.missing+" is not") || strings.Contains(msg, "half-set-secret") {
				t.Errorf("%s error %q should name the missing %s and no value", name, msg, tt.missing)
			}
		}
	}
}

func TestCredentials_credentialHelperRunsUnderTheCallersContext(t *testing.T) {
	// A helper that hangs (a locked keychain waiting for a prompt) must not
	// hang relctl past a cancelled command.
	writeHelper(t, "hangs", "exec sleep 60\n")
	dir := t.TempDir()
	writeDockerConfig(t, dir, `{"credHelpers":{"registry.example.com":"hangs"}}`)
	creds := NewCredentials(env(t, envDockerConfig, dir))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()

	start := time.Now()
	got, err := creds.Find(ctx, "registry.example.com")

	if err == nil {
		t.Fatalf("Find with a hanging helper = %+v, want an error once the context ends", got)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("Find returned after %s: the helper was not stopped with the context", elapsed)
	}
	if !strings.Contains(err.Error(), `docker credential helper "hangs"`) {
		t.Errorf("error %q does not name the helper", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "killed") {
		t.Logf("error does not wrap the context's: %v", err)
	}
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func cat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestAuth_refusalWithoutChallengeNamesTheHelperWithoutRunningIt(t *testing.T) {
	// A registry that answers 403 at once, with no 401 challenge: oras-go
	// never asked the chain, and the error message must not start a helper
	// (outside any context) just to name it.
	writeHelper(t, "hangs", "exec sleep 60\n")
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"errors":[{"code":"DENIED","message":"denied"}]}`)
	}))
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")
	dir := t.TempDir()
	writeDockerConfig(t, dir, fmt.Sprintf(`{"credHelpers":{%q:"hangs"}}`, host))
	c := newClient(t, Options{Getenv: env(t, envDockerConfig, dir), HTTPClient: &http.Client{}})

	start := time.Now()
	_, err := c.Resolve(context.Background(), host+"/acme/charts/podinfo", "1.2.0")

	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("Resolve took %s: describing the refusal ran the helper", elapsed)
	}
	if !errors.Is(err, state.ErrUnauthorized) || !strings.Contains(err.Error(), `docker credential helper "hangs"`) {
		t.Errorf("err = %v, want ErrUnauthorized naming the helper", err)
	}
}
