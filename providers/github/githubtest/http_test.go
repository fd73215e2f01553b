package githubtest

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

func TestETag_ifNoneMatchGets304WithEmptyBodyAndIsNotCharged(t *testing.T) {
	s, _ := startServer(t, Options{})
	s.SeedRelease("acme", "charts", Release{TagName: "v1"})
	url := s.URL() + "api/v3/repos/acme/charts/releases"

	first := rawGet(t, url, nil)
	etag := first.Header.Get("ETag")
	if first.StatusCode != http.StatusOK || len(etag) < 3 || etag[0] != '"' {
		t.Fatalf("first: %d ETag %q", first.StatusCode, etag)
	}
	remaining := first.Header.Get("X-Ratelimit-Remaining")

	again := rawGet(t, url, map[string]string{"If-None-Match": etag})
	body, _ := io.ReadAll(again.Body)
	if again.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("conditional: %d body %q; want 304 empty", again.StatusCode, body)
	}
	if got := again.Header.Get("X-Ratelimit-Remaining"); got != remaining {
		t.Errorf("remaining after 304 = %s, want unchanged %s", got, remaining)
	}

	s.SeedRelease("acme", "charts", Release{TagName: "v2"})
	changed := rawGet(t, url, map[string]string{"If-None-Match": etag})
	if changed.StatusCode != http.StatusOK || changed.Header.Get("ETag") == etag {
		t.Errorf("after a change: %d ETag %q; want 200 with a new ETag", changed.StatusCode, changed.Header.Get("ETag"))
	}

	log := s.Log()
	if len(log) != 3 || log[1].Status != http.StatusNotModified || s.Mutations() != 0 {
		t.Errorf("log = %+v, mutations %d", log, s.Mutations())
	}
}

func TestRateLimit_headersOnEveryResponseAndRemainingDecrements(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	_, gh := startServer(t, Options{RateLimit: 3, Now: func() time.Time { return now }})

	var remaining []int
	for i := 0; i < 3; i++ {
		_, resp, err := gh.Repositories.ListReleases(ctx, "acme", "charts", nil)
		if err != nil {
			t.Fatal(err)
		}
		h := resp.Header
		if h.Get("X-Ratelimit-Limit") != "3" || h.Get("X-Ratelimit-Resource") != "core" ||
			h.Get("X-Ratelimit-Reset") != strconv.FormatInt(now.Add(time.Hour).Unix(), 10) ||
			h.Get("X-Ratelimit-Used") != strconv.Itoa(i+1) {
			t.Errorf("request %d headers: %v", i, h)
		}
		remaining = append(remaining, resp.Rate.Remaining)
	}
	if remaining[0] != 2 || remaining[1] != 1 || remaining[2] != 0 {
		t.Errorf("remaining = %v, want [2 1 0]", remaining)
	}
	_, _, err := gh.Repositories.ListReleases(ctx, "acme", "charts", nil)
	var rl *github.RateLimitError
	if !errorsAs(err, &rl) {
		t.Fatalf("over the limit: %v; want *github.RateLimitError", err)
	}
}

func TestAuth_wrongTokenIs401BadCredentialsAndTokenSchemeIsAccepted(t *testing.T) {
	s, _ := startServer(t, Options{})
	bad, _ := github.NewClient(nil).WithAuthToken("wrong").WithEnterpriseURLs(s.URL(), s.URL())
	_, _, err := bad.Repositories.ListReleases(context.Background(), "acme", "charts", nil)
	var er *github.ErrorResponse
	if !asErr(err, &er) || er.Response.StatusCode != http.StatusUnauthorized || er.Message != "Bad credentials" {
		t.Fatalf("err = %v; want 401 Bad credentials", err)
	}
	req, _ := http.NewRequest("GET", s.URL()+"repos/acme/charts/releases", nil)
	req.Header.Set("Authorization", "token "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("token scheme: %v %v", res, err)
	}
	res.Body.Close()
}

func TestRoutes_githubComLayoutAndEnterpriseLayoutReachTheSameState(t *testing.T) {
	ctx := context.Background()
	s, ghes := startServer(t, Options{})
	dotcom := github.NewClient(nil).WithAuthToken(testToken)
	dotcom.BaseURL, _ = dotcom.BaseURL.Parse(s.URL())
	dotcom.UploadURL, _ = dotcom.UploadURL.Parse(s.URL())

	r, _, err := dotcom.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if r.GetUploadURL() != s.URL()+"repos/acme/charts/releases/"+strconv.FormatInt(r.GetID(), 10)+"/assets{?name,label}" {
		t.Errorf("github.com-layout upload_url = %q", r.GetUploadURL())
	}
	got, _, err := ghes.Repositories.GetRelease(ctx, "acme", "charts", r.GetID())
	if err != nil || got.GetTagName() != "v1" {
		t.Fatalf("GHES layout: %v %v", got, err)
	}
	if s.Count("/repos/{owner}/{repo}/releases/{release_id}") != 1 || s.Count("POST /repos/{owner}/{repo}/releases") != 1 {
		t.Errorf("log = %+v", s.Log())
	}
}

func TestDownloadReleaseAsset_followsRedirectToTheBytes(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	rel := s.SeedRelease("acme", "charts", Release{TagName: "v1", Assets: []Asset{{Name: "index.yaml", Data: []byte("apiVersion: v1\n")}}})

	rc, _, err := gh.Repositories.DownloadReleaseAsset(ctx, "acme", "charts", rel.Assets[0].ID, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	if string(b) != "apiVersion: v1\n" {
		t.Fatalf("downloaded %q", b)
	}
	_, redirect, err := gh.Repositories.DownloadReleaseAsset(ctx, "acme", "charts", rel.Assets[0].ID, nil)
	if err != nil || redirect != s.URL()+"_downloads/"+strconv.FormatInt(rel.Assets[0].ID, 10) {
		t.Errorf("redirect = %q, %v", redirect, err)
	}
	if n := s.Releases("acme", "charts")[0].Assets[0].DownloadCount; n != 1 {
		t.Errorf("download_count = %d, want 1", n)
	}

	res, err := http.Get(s.URL() + "acme/charts/releases/download/v1/index.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if b, _ := io.ReadAll(res.Body); res.StatusCode != http.StatusOK || string(b) != "apiVersion: v1\n" {
		t.Errorf("browser download: %d %q", res.StatusCode, b)
	}
}

func TestAssets_renameThenDeleteAndSeededLegacyAssetHasNullDigest(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	rel := s.SeedRelease("acme", "charts", Release{TagName: "v1", Assets: []Asset{
		{Name: "old.tgz", Data: []byte("x"), NoDigest: true},
		{Name: "stale.tgz", State: "starter"},
	}})

	res := rawGet(t, s.URL()+"repos/acme/charts/releases/assets/"+strconv.FormatInt(rel.Assets[0].ID, 10), nil)
	body, _ := io.ReadAll(res.Body)
	if !contains(body, `"digest":null`) {
		t.Errorf("legacy asset JSON = %s; want digest null", body)
	}

	a, _, err := gh.Repositories.EditReleaseAsset(ctx, "acme", "charts", rel.Assets[0].ID, &github.ReleaseAsset{Name: github.String("new name (1).tgz"), Label: github.String("chart")})
	if err != nil || a.GetName() != "new.name.1.tgz" || a.GetLabel() != "chart" {
		t.Fatalf("rename: %v %v", a, err)
	}
	_, _, err = gh.Repositories.EditReleaseAsset(ctx, "acme", "charts", rel.Assets[0].ID, &github.ReleaseAsset{Name: github.String("stale.tgz")})
	if status, code := errorCode(err); status != http.StatusUnprocessableEntity || code != "already_exists" {
		t.Errorf("rename onto an existing name: %v", err)
	}
	// A "starter" leftover blocks its name until deleted (NOTES.md).
	if _, _, err := upload(ctx, t, gh, rel.ID, "stale.tgz", []byte("y")); err == nil {
		t.Error("upload over a starter asset succeeded; want 422")
	}
	if _, err := gh.Repositories.DeleteReleaseAsset(ctx, "acme", "charts", rel.Assets[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := upload(ctx, t, gh, rel.ID, "stale.tgz", []byte("y")); err != nil {
		t.Fatalf("upload after delete: %v", err)
	}
	assets, _, err := gh.Repositories.ListReleaseAssets(ctx, "acme", "charts", rel.ID, nil)
	if err != nil || len(assets) != 2 || assets[1].GetState() != "uploaded" {
		t.Fatalf("assets = %v, %v", assets, err)
	}
}

func TestUpload_withoutContentTypeIs400(t *testing.T) {
	s, _ := startServer(t, Options{})
	rel := s.SeedRelease("acme", "charts", Release{TagName: "v1", Draft: true})
	req, _ := http.NewRequest("POST", s.URL()+"api/uploads/repos/acme/charts/releases/"+strconv.FormatInt(rel.ID, 10)+"/assets?name=a.tgz", stringsReader("abc"))
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusBadRequest || !contains(body, `Invalid Content-Type`) {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	if len(s.Releases("acme", "charts")[0].Assets) != 0 {
		t.Error("asset stored despite the error")
	}
}
