package oci

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/oci/ocitest"
	"github.com/relctl/relctl/state"
)

func TestResolve_absentTagIsNotFound(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	repository := s.Host + "/acme/podinfo"
	mustPush(t, c, repository, testPackage(t, "podinfo", "1.2.0"))

	_, err := c.Resolve(context.Background(), repository, "9.9.9")

	if !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("Resolve of an absent tag: err = %v, want state.ErrNotFound", err)
	}
	if want := "resolve " + repository + ":9.9.9"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

func TestResolve_absentRepositoryIsNotFound(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})

	_, err := c.Resolve(context.Background(), s.Host+"/acme/never-pushed", "1.0.0")

	if !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("Resolve in an absent repository: err = %v, want state.ErrNotFound", err)
	}
}

func TestResolve_makesExactlyOneRequestPerCall(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	repository := s.Host + "/acme/podinfo"
	mustPush(t, c, repository, testPackage(t, "podinfo", "1.2.0"))
	s.ResetRequests()

	const calls = 5
	for i := 0; i < calls; i++ {
		if _, err := c.Resolve(context.Background(), repository, "1.2.0"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Resolve(context.Background(), repository, "0.0.1"); !errors.Is(err, state.ErrNotFound) {
		t.Fatal(err)
	}

	// Requests() includes any /v2/ ping: there must be none.
	reqs := s.Requests()
	if len(reqs) != calls+1 {
		t.Fatalf("%d Resolve calls made %d requests, want %d: %v", calls+1, len(reqs), calls+1, reqs)
	}
	for _, r := range reqs {
		if r.Method != http.MethodHead || !strings.Contains(r.Path, "/manifests/") {
			t.Errorf("request %s %s, want only HEAD on a manifest", r.Method, r.Path)
		}
	}
}

func TestResolve_withBasicAuthAuthenticatesOnceThenMakesOneRequestPerCall(t *testing.T) {
	s := startRegistry(t, ocitest.Options{Username: "ci", Password: "s3cret"})
	c := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, "s3cret")})
	repository := s.Host + "/acme/podinfo"
	mustPush(t, c, repository, testPackage(t, "podinfo", "1.2.0"))
	s.ResetRequests()

	for i := 0; i < 3; i++ {
		if _, err := c.Resolve(context.Background(), repository, "1.2.0"); err != nil {
			t.Fatal(err)
		}
	}

	// The push already taught the client that this host takes basic auth,
	// so every Resolve sends credentials up front.
	if n := len(s.Requests()); n != 3 {
		t.Errorf("3 authenticated Resolve calls made %d requests, want 3: %v", n, s.Requests())
	}
}

func TestResolve_unreachableRegistryNamesTheHost(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	ln.Close() // nothing listens there any more
	// No retries: a refused connection would otherwise be retried with
	// backoff, which proves nothing here.
	c := newClient(t, Options{HTTPClient: &http.Client{}})

	_, err = c.Resolve(context.Background(), host+"/acme/podinfo", "1.0.0")

	if err == nil {
		t.Fatal("Resolve against a closed port succeeded")
	}
	if want := "registry " + host + " unreachable"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if errors.Is(err, state.ErrNotFound) {
		t.Errorf("an unreachable registry must not read as an absent tag: %v", err)
	}
}

func TestResolve_rejectsAnInvalidTagWithoutARequest(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})

	_, err := c.Resolve(context.Background(), s.Host+"/acme/podinfo", "sha256:0000")

	if err == nil || !strings.Contains(err.Error(), "invalid tag") {
		t.Fatalf("err = %v, want invalid tag", err)
	}
	if len(s.Requests()) != 0 {
		t.Errorf("%d requests, want none", len(s.Requests()))
	}
}
