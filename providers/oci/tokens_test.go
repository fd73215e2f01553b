package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/relctl/relctl/providers/oci/ocitest"
	"github.com/relctl/relctl/state"
)

func startTokenRegistry(t *testing.T) *ocitest.Server {
	t.Helper()
	s, err := ocitest.Start(context.Background(), ocitest.Options{Token: true, Username: "ci", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func unauthorized(s *ocitest.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Status == http.StatusUnauthorized {
			n++
		}
	}
	return n
}

// Charts read at once, each from its own repository: one token per
// repository, and a single 401 for the run (the first request, which
// learns where tokens come from), not one per repository.
func TestTokens_oneTokenPerRepositoryAndOne401PerRun(t *testing.T) {
	const charts = 12
	s := startTokenRegistry(t)
	ctx := context.Background()
	c := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, "pw")})
	for i := range charts {
		repo := fmt.Sprintf("%s/acme/charts/c%02d", s.Host, i)
		if _, err := c.Push(ctx, repo, "1.0.0", testPackage(t, fmt.Sprintf("c%02d", i), "1.0.0")); err != nil {
			t.Fatal(err)
		}
	}

	s.ResetRequests()
	read := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, "pw")})
	var wg sync.WaitGroup
	errs := make(chan error, charts)
	for i := range charts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := read.Resolve(ctx, fmt.Sprintf("%s/acme/charts/c%02d", s.Host, i), "1.0.0")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := s.TokenRequests(); got != charts {
		t.Errorf("token requests = %d, want %d (one per repository)", got, charts)
	}
	if got := unauthorized(s); got != 1 {
		t.Errorf("401 answers = %d, want 1 for the run", got)
	}
}

// go-containerregistry's requests through ScopedTransport use the token
// the chart client got for the repository: no token request, no 401, and
// the ping is answered 200 so it runs no token exchange of its own.
func TestScopedTransport_sharesTheChartClientsTokens(t *testing.T) {
	s := startTokenRegistry(t)
	ctx := context.Background()
	c := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, "pw")})
	repo := s.Host + "/acme/charts/alpha"
	if _, err := c.Push(ctx, repo, "1.0.0", testPackage(t, "alpha", "1.0.0")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(ctx, repo, "1.0.0"); err != nil {
		t.Fatal(err)
	}
	s.ResetRequests()
	hc := &http.Client{Transport: ScopedTransport(c.AuthClient(http.DefaultTransport))}
	for path, want := range map[string]int{
		"/v2/":                                  http.StatusOK,
		"/v2/acme/charts/alpha/manifests/1.0.0": http.StatusOK,
		"/v2/acme/charts/alpha/tags/list":       http.StatusOK,
	} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.Host+path, nil)
		req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	if got := s.TokenRequests(); got != 0 {
		t.Errorf("token requests = %d, want 0: the repository's pull token is cached", got)
	}
	// The ping itself met a 401 (answered 200 above); nothing else did.
	if got := unauthorized(s); got != 1 {
		t.Errorf("401 answers = %d, want only the ping's", got)
	}
}

func TestTokens_wrongPasswordIsUnauthorizedNamingTheRegistry(t *testing.T) {
	s := startTokenRegistry(t)
	c := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, "not-it")})
	_, err := c.Resolve(context.Background(), s.Host+"/acme/charts/alpha", "1.0.0")
	if !errors.Is(err, state.ErrUnauthorized) {
		t.Fatalf("err = %v, want state.ErrUnauthorized", err)
	}
	for _, want := range []string{s.Host, EnvRegistryUsername} {
		if !contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if contains(err.Error(), "not-it") {
		t.Errorf("error %q holds the password", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// resolveAll reads repositories at once, as a plan does.
func resolveAll(t *testing.T, c *Client, repos []string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(repos))
	for _, r := range repos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Resolve(context.Background(), r, "1.0.0")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func pushCharts(t *testing.T, s *ocitest.Server, n int) []string {
	t.Helper()
	c := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, "pw")})
	var repos []string
	for i := range n {
		repo := fmt.Sprintf("%s/acme/charts/c%02d", s.Host, i)
		if _, err := c.Push(context.Background(), repo, "1.0.0", testPackage(t, fmt.Sprintf("c%02d", i), "1.0.0")); err != nil {
			t.Fatal(err)
		}
		repos = append(repos, repo)
	}
	return repos
}

// Prefetched, 30 repositories take two token requests (25 scopes, then 5)
// and their reads meet no 401; only the version check learning the
// challenge does.
func TestPrefetchTokens_severalRepositoriesPerToken(t *testing.T) {
	s := startTokenRegistry(t)
	repos := pushCharts(t, s, 30)
	s.ResetRequests()
	c := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, "pw")})
	c.PrefetchTokens(context.Background(), repos)
	resolveAll(t, c, repos)
	if got := s.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
	for _, r := range s.Requests() {
		if r.Status == http.StatusUnauthorized && r.Path != "/v2/" {
			t.Errorf("%s %s answered 401 after the prefetch", r.Method, r.Path)
		}
	}
}

// A token endpoint that refuses several scopes at once: each repository
// then gets its own token, as without prefetching.
func TestPrefetchTokens_fallsBackToATokenPerRepository(t *testing.T) {
	s, err := ocitest.Start(context.Background(), ocitest.Options{Token: true, Username: "ci", Password: "pw", TokenMaxScopes: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	repos := pushCharts(t, s, 4)
	s.ResetRequests()
	c := newClient(t, Options{Getenv: env(t, EnvRegistryUsername, "ci", EnvRegistryPassword, "pw")})
	c.PrefetchTokens(context.Background(), repos)
	resolveAll(t, c, repos)
	if got := s.TokenRequests(); got != 1+len(repos) {
		t.Errorf("token requests = %d, want %d: the refused one, then one per repository", got, 1+len(repos))
	}
	if got := unauthorized(s); got > 2 {
		t.Errorf("401 answers = %d, want the version check's and at most one probe", got)
	}
}

// An open registry: the version check, and no token request.
func TestPrefetchTokens_openRegistryCostsOneVersionCheck(t *testing.T) {
	s, err := ocitest.Start(context.Background(), ocitest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	repos := pushCharts(t, s, 3)
	s.ResetRequests()
	c := newClient(t, Options{})
	c.PrefetchTokens(context.Background(), repos)
	resolveAll(t, c, repos)
	if got, want := len(s.Requests()), 1+len(repos); got != want {
		t.Errorf("requests = %d, want %d (the version check, one read per chart)", got, want)
	}
}
