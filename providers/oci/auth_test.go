package oci

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/oci/ocitest"
	"github.com/relctl/relctl/state"
)

func TestAuth_registryVariablesPushAndResolve(t *testing.T) {
	s := startRegistry(t, ocitest.Options{Username: "ci", Password: "s3cret"})
	c := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, "s3cret")})
	repository := s.Host + "/acme/podinfo"

	pushed := mustPush(t, c, repository, testPackage(t, "podinfo", "1.2.0"))
	got, err := c.Resolve(context.Background(), repository, "1.2.0")

	if err != nil || got != pushed {
		t.Fatalf("Resolve = %s, %v; want %s", got, err, pushed)
	}
	if src := c.CredentialSource(s.Host); src != "RELCTL_REGISTRY_USERNAME/RELCTL_REGISTRY_PASSWORD" {
		t.Errorf("CredentialSource = %q", src)
	}
}

func TestAuth_wrongPasswordIsUnauthorizedNamingHostAndSourceButNotThePassword(t *testing.T) {
	s := startRegistry(t, ocitest.Options{Username: "ci", Password: "s3cret"})
	const wrong = "hunter2-wrong"
	c := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, wrong)})

	for name, call := range map[string]func() error{
		"resolve": func() error {
			_, err := c.Resolve(context.Background(), s.Host+"/acme/podinfo", "1.2.0")
			return err
		},
		"push": func() error {
			_, err := c.Push(context.Background(), s.Host+"/acme/podinfo", "1.2.0", testPackage(t, "podinfo", "1.2.0"))
			return err
		},
	} {
		err := call()
		if !errors.Is(err, state.ErrUnauthorized) {
			t.Fatalf("%s with a wrong password: err = %v, want state.ErrUnauthorized", name, err)
		}
		msg := err.Error()
		for _, want := range []string{s.Host, "RELCTL_REGISTRY_USERNAME"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s error %q does not name %q", name, msg, want)
			}
		}
		if strings.Contains(msg, wrong) || strings.Contains(msg, base64.StdEncoding.EncodeToString([]byte("ci:"+wrong))) {
			t.Errorf("%s error leaks the password: %q", name, msg)
		}
	}
	if s.Writes() != 0 {
		t.Errorf("registry accepted %d writes with a wrong password", s.Writes())
	}
}

func TestAuth_anonymousAccessToAPrivateRegistrySaysHowToLogIn(t *testing.T) {
	s := startRegistry(t, ocitest.Options{Username: "ci", Password: "s3cret"})
	c := newClient(t, Options{})

	_, err := c.Resolve(context.Background(), s.Host+"/acme/podinfo", "1.2.0")

	if !errors.Is(err, state.ErrUnauthorized) {
		t.Fatalf("err = %v, want state.ErrUnauthorized", err)
	}
	if !strings.Contains(err.Error(), "anonymous") || !strings.Contains(err.Error(), EnvRegistryUsername) {
		t.Errorf("error %q should say access was anonymous and how to give credentials", err)
	}
}

func TestAuth_dockerConfigAuthsAreUsedAndNamed(t *testing.T) {
	s := startRegistry(t, ocitest.Options{Username: "ci", Password: "s3cret"})
	dir := t.TempDir()
	writeDockerConfig(t, dir, fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, s.Host, base64.StdEncoding.EncodeToString([]byte("ci:s3cret"))))
	c := newClient(t, Options{Getenv: env(t, envDockerConfig, dir)})
	repository := s.Host + "/acme/podinfo"

	pushed := mustPush(t, c, repository, testPackage(t, "podinfo", "1.2.0"))
	got, err := c.Resolve(context.Background(), repository, "1.2.0")

	if err != nil || got != pushed {
		t.Fatalf("Resolve = %s, %v; want %s", got, err, pushed)
	}
	want := "docker config (" + filepath.Join(dir, "config.json") + ")"
	if src := c.CredentialSource(s.Host); src != want {
		t.Errorf("CredentialSource = %q, want %q", src, want)
	}
}

func TestAuth_dockerCredentialHelperIsUsedAndNamed(t *testing.T) {
	s := startRegistry(t, ocitest.Options{Username: "ci", Password: "s3cret"})
	// A credential helper is a program on PATH speaking the
	// docker-credential-helpers protocol: "get" reads the server on stdin
	// and prints the credential as JSON.
	bin := t.TempDir()
	script := "#!/bin/sh\nread server\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"ci\",\"Secret\":\"s3cret\"}' \"$server\"\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-relctltest"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	writeDockerConfig(t, dir, fmt.Sprintf(`{"credHelpers":{%q:"relctltest"}}`, s.Host))
	c := newClient(t, Options{Getenv: env(t, envDockerConfig, dir)})
	repository := s.Host + "/acme/podinfo"

	pushed := mustPush(t, c, repository, testPackage(t, "podinfo", "1.2.0"))

	if got, err := c.Resolve(context.Background(), repository, "1.2.0"); err != nil || got != pushed {
		t.Fatalf("Resolve = %s, %v; want %s", got, err, pushed)
	}
	if src := c.CredentialSource(s.Host); src != `docker credential helper "relctltest"` {
		t.Errorf("CredentialSource = %q", src)
	}
}

func TestAuth_ghcrWriteDenialHintsAtPackagesWrite(t *testing.T) {
	// GHCR answers a token that may read but not write a package with this
	// body on the upload request.
	ghcr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}`)
	}))
	defer ghcr.Close()
	host := strings.TrimPrefix(ghcr.URL, "http://")
	c := newClient(t, Options{HTTPClient: &http.Client{}})

	_, err := c.Push(context.Background(), host+"/acme/charts/podinfo", "1.2.0", testPackage(t, "podinfo", "1.2.0"))

	if !errors.Is(err, state.ErrUnauthorized) {
		t.Fatalf("err = %v, want state.ErrUnauthorized", err)
	}
	for _, want := range []string{"push " + host + "/acme/charts/podinfo:1.2.0", "write_package", "packages: write"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func writeDockerConfig(t *testing.T, dir, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
