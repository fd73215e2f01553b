package github

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/state"
)

func TestClient_retries502ThenSucceeds(t *testing.T) {
	srv, c, sl := emulated(t)
	srv.Inject(githubtest.Fault{Method: "GET", PathPattern: "/repos/{owner}/{repo}/releases", Nth: 1, Status: 502})
	if _, err := c.ListReleases(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("GET /repos/{owner}/{repo}/releases"); n != 2 {
		t.Errorf("emulator saw %d list requests, want 2", n)
	}
	if len(sl.got()) != 1 {
		t.Errorf("waited %v, want one backoff", sl.got())
	}
}

func TestClient_secondaryRateLimitRetryAfterIsHonoured(t *testing.T) {
	srv, c, sl := emulated(t)
	srv.Inject(githubtest.Fault{Method: "GET", PathPattern: "/repos/{owner}/{repo}/releases", Nth: 1, Status: 403, RetryAfter: "17"})
	if _, err := c.ListReleases(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{17 * time.Second}, sl.got()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestCreateRelease_notRepeatedAfterProcessedThenDropped(t *testing.T) {
	srv, c, sl := emulated(t)
	srv.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/releases", Nth: 1, ProcessThenDrop: true})
	_, err := c.CreateRelease(context.Background(), state.ReleaseSpec{TagName: "a-v1", Name: "a", Draft: true})
	if !errors.Is(err, state.ErrOutcomeUnknown) || !strings.Contains(err.Error(), "the outcome is unknown: GitHub may have applied it anyway") {
		t.Fatalf("got %v, want the dropped connection reported as an unknown outcome", err)
	}
	if n := srv.Count("POST /repos/{owner}/{repo}/releases"); n != 1 || len(sl.got()) != 0 {
		t.Errorf("sent %d creates and waited %v; want exactly one create, no retry", n, sl.got())
	}
	// The caller re-observes: the release GitHub made is there, once.
	rels, err := c.ListReleases(context.Background())
	if err != nil || len(rels) != 1 || rels[0].TagName != "a-v1" {
		t.Errorf("after the drop the repository lists %+v, %v; want the one draft", rels, err)
	}
}

func TestUploadAsset_503IsRetriedWithTheWholeBody(t *testing.T) {
	srv, c, _ := emulated(t)
	rel := srv.SeedRelease("acme", "charts", githubtest.Release{TagName: "a-v1", Draft: true})
	srv.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/releases/{release_id}/assets", Nth: 1, Status: 503})
	data := strings.Repeat("0123456789", 10_000)
	a, err := c.UploadAsset(context.Background(), rel.ID, "big.tgz", strings.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != sha(data) {
		t.Errorf("stored digest %s, want %s", a.Digest, sha(data))
	}
	if n := srv.Count("POST /repos/{owner}/{repo}/releases/{release_id}/assets"); n != 2 {
		t.Errorf("emulator saw %d uploads, want 2", n)
	}
}

func TestClient_badTokenErrorNamesVariableNotToken(t *testing.T) {
	srv, _, _ := emulated(t)
	bad := "ghp_wrongSecretValue987"
	c, err := New(Options{APIURL: srv.URL(), Token: bad, Owner: "acme", Repo: "charts", Sleep: (&sleeps{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListReleases(context.Background())
	if !errors.Is(err, state.ErrUnauthorized) {
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "GITHUB_TOKEN") || !strings.Contains(msg, "acme/charts") || strings.Contains(msg, bad) {
		t.Errorf("message %q must name GITHUB_TOKEN and acme/charts, and never the token", msg)
	}
}

func TestListReleases_unknownRepositoryIsNotFound(t *testing.T) {
	srv, _, _ := emulated(t)
	c, err := New(Options{APIURL: srv.URL(), Token: testToken, Owner: "acme", Repo: "missing"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListReleases(context.Background())
	if !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if want := "repository acme/missing not found or the token cannot see it"; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
}

func TestNew_withoutTokenAsksForGitHubToken(t *testing.T) {
	_, err := New(Options{Owner: "acme", Repo: "charts"})
	if err == nil || !strings.Contains(err.Error(), "GITHUB_TOKEN") || !strings.Contains(err.Error(), "GH_TOKEN") {
		t.Errorf("got %v, want an error naming GITHUB_TOKEN and GH_TOKEN", err)
	}
}
