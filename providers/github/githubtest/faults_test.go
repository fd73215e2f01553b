package githubtest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

func TestInject_nthMatchingRequestFailsWith502AndLeavesStateUnchanged(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	remove := s.Inject(Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/releases", Nth: 2, Status: http.StatusBadGateway})
	defer remove()

	create := func(tag string) error {
		_, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String(tag), Draft: github.Bool(true)})
		return err
	}
	if err := create("a"); err != nil {
		t.Fatalf("1st: %v", err)
	}
	err := create("b")
	var er *github.ErrorResponse
	if !asErr(err, &er) || er.Response.StatusCode != http.StatusBadGateway {
		t.Fatalf("2nd: %v; want 502", err)
	}
	if err := create("c"); err != nil {
		t.Fatalf("3rd: %v", err)
	}
	if rs := s.Releases("acme", "charts"); len(rs) != 2 || rs[0].TagName != "a" || rs[1].TagName != "c" {
		t.Fatalf("releases = %+v; want a and c only", rs)
	}
	log := s.Log()
	if log[1].Status != http.StatusBadGateway || log[1].Route != "POST /repos/{owner}/{repo}/releases" {
		t.Errorf("log[1] = %+v", log[1])
	}
}

func TestInject_processThenDropStoresTheAssetWhileTheClientSeesAnError(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	rel := s.SeedRelease("acme", "charts", Release{TagName: "v1", Draft: true})
	remove := s.Inject(Fault{PathPattern: "POST /repos/{owner}/{repo}/releases/{release_id}/assets", ProcessThenDrop: true})

	_, resp, err := upload(ctx, t, gh, rel.ID, "podinfo-1.0.0.tgz", []byte("chart"))
	if err == nil || statusOf(resp) != 0 {
		t.Fatalf("client saw %v (status %d); want a transport error", err, statusOf(resp))
	}
	remove()

	assets := s.Releases("acme", "charts")[0].Assets
	if len(assets) != 1 || assets[0].State != "uploaded" || string(assets[0].Data) != "chart" {
		t.Fatalf("assets = %+v; want the upload stored", assets)
	}
	// Retrying blindly now collides; re-observing first shows it is done.
	_, _, err = upload(ctx, t, gh, rel.ID, "podinfo-1.0.0.tgz", []byte("chart"))
	if status, code := errorCode(err); status != http.StatusUnprocessableEntity || code != "already_exists" {
		t.Errorf("blind retry: %v; want 422 already_exists", err)
	}
}

func TestInject_retryAfterOn403IsASecondaryRateLimitError(t *testing.T) {
	s, gh := startServer(t, Options{})
	s.Inject(Fault{Method: "GET", Nth: 1, Status: http.StatusForbidden, RetryAfter: "7"})
	_, _, err := gh.Repositories.ListReleases(context.Background(), "acme", "charts", nil)
	var abuse *github.AbuseRateLimitError
	if !errorsAs(err, &abuse) || abuse.RetryAfter == nil || *abuse.RetryAfter != 7*time.Second {
		t.Fatalf("err = %v; want *github.AbuseRateLimitError with RetryAfter 7s", err)
	}
}

func TestInject_delayHonoursTheClientsDeadlineAndHasNoEffect(t *testing.T) {
	s, gh := startServer(t, Options{})
	s.Inject(Fault{Method: "POST", Delay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the request has reached the emulator and is waiting.
		for s.waiting() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v1")})
	if err == nil {
		t.Fatal("want an error from the cancelled request")
	}
	waitFor(t, func() bool { return len(s.Log()) == 1 })
	if rs := s.Releases("acme", "charts"); len(rs) != 0 {
		t.Errorf("releases = %+v; want none", rs)
	}
	if lr := s.Log()[0]; lr.Status != 0 {
		t.Errorf("log = %+v; want status 0", lr)
	}
}

func TestLog_countsByRouteAndMutations(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	r, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v1"), Draft: github.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		_, _, _ = gh.Repositories.GetRelease(ctx, "acme", "charts", r.GetID())
	}
	_, _, _ = gh.Repositories.GetReleaseByTag(ctx, "acme", "charts", "v1")
	if got := s.Count("GET /repos/{owner}/{repo}/releases/{release_id}"); got != 2 {
		t.Errorf("get count = %d", got)
	}
	if got := s.Count("GET /repos/{owner}/{repo}/releases/tags/{tag}"); got != 1 {
		t.Errorf("by-tag count = %d", got)
	}
	if s.Mutations() != 1 {
		t.Errorf("mutations = %d, want 1", s.Mutations())
	}
	s.ResetLog()
	if len(s.Log()) != 0 || s.Mutations() != 0 {
		t.Error("ResetLog left entries")
	}
}

// waitFor polls cond; it bounds the wait by iterations, not by a clock
// assertion, and fails only if cond never holds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 5000; i++ {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition never held")
}
