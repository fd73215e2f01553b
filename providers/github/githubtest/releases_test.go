package githubtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestReleaseLifecycle_draftIsListedButHiddenFromTagUntilPublished(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})

	draft, resp, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{
		TagName: github.String("podinfo-6.5.0"), Name: github.String("podinfo 6.5.0"), Draft: github.Bool(true),
	})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create draft: %v (status %d)", err, statusOf(resp))
	}
	if draft.PublishedAt != nil {
		t.Errorf("draft published_at = %v, want null", draft.PublishedAt)
	}
	if !strings.Contains(draft.GetHTMLURL(), "/releases/tag/untagged-") {
		t.Errorf("draft html_url = %q, want an untagged-<hex> URL", draft.GetHTMLURL())
	}
	if want := s.URL() + "api/uploads/repos/acme/charts/releases/" + fmt.Sprint(draft.GetID()) + "/assets{?name,label}"; draft.GetUploadURL() != want {
		t.Errorf("upload_url = %q, want %q", draft.GetUploadURL(), want)
	}

	list, _, err := gh.Repositories.ListReleases(ctx, "acme", "charts", nil)
	if err != nil || len(list) != 1 || list[0].GetID() != draft.GetID() || !list[0].GetDraft() {
		t.Fatalf("list = %v, %v; want the draft", list, err)
	}
	if _, resp, err := gh.Repositories.GetReleaseByTag(ctx, "acme", "charts", "podinfo-6.5.0"); statusOf(resp) != http.StatusNotFound {
		t.Fatalf("get draft by tag: status %d, err %v; want 404", statusOf(resp), err)
	}

	asset, resp, err := upload(ctx, t, gh, draft.GetID(), "podinfo-6.5.0.tgz", []byte("chart bytes"))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %v (status %d)", err, statusOf(resp))
	}
	if asset.GetState() != "uploaded" || asset.GetSize() != 11 || asset.GetContentType() != "application/gzip" {
		t.Errorf("asset = state %q size %d type %q", asset.GetState(), asset.GetSize(), asset.GetContentType())
	}
	_, _, err = upload(ctx, t, gh, draft.GetID(), "podinfo-6.5.0.tgz", []byte("other bytes"))
	if status, code := errorCode(err); status != http.StatusUnprocessableEntity || code != "already_exists" {
		t.Fatalf("duplicate upload: %v; want 422 already_exists", err)
	}

	pub, _, err := gh.Repositories.EditRelease(ctx, "acme", "charts", draft.GetID(), &github.RepositoryRelease{Draft: github.Bool(false)})
	if err != nil || pub.GetDraft() || pub.PublishedAt == nil {
		t.Fatalf("publish: %v, draft=%v published_at=%v", err, pub.GetDraft(), pub.PublishedAt)
	}
	got, _, err := gh.Repositories.GetReleaseByTag(ctx, "acme", "charts", "podinfo-6.5.0")
	if err != nil || got.GetID() != draft.GetID() || len(got.Assets) != 1 {
		t.Fatalf("get by tag after publish: %v, %v", got, err)
	}
	if want := s.URL() + "acme/charts/releases/download/podinfo-6.5.0/podinfo-6.5.0.tgz"; got.Assets[0].GetBrowserDownloadURL() != want {
		t.Errorf("browser_download_url = %q, want %q", got.Assets[0].GetBrowserDownloadURL(), want)
	}

	state := s.Releases("acme", "charts")
	if len(state) != 1 || state[0].Draft || len(state[0].Assets) != 1 || string(state[0].Assets[0].Data) != "chart bytes" {
		t.Fatalf("stored state = %+v", state)
	}
	if d := state[0].Assets[0].Digest; !strings.HasPrefix(d, "sha256:") || len(d) != len("sha256:")+64 {
		t.Errorf("digest = %q", d)
	}
}

func TestCreateRelease_allowsSeveralDraftsForOneTag(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	for i := 0; i < 2; i++ {
		if _, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{
			TagName: github.String("v1.0.0"), Draft: github.Bool(true),
		}); err != nil {
			t.Fatalf("draft %d: %v", i, err)
		}
	}
	if n := len(s.Releases("acme", "charts")); n != 2 {
		t.Fatalf("releases = %d, want 2 drafts", n)
	}
}

func TestCreateRelease_secondPublishedReleaseForTagIs422AlreadyExists(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	if _, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v1.0.0")}); err != nil {
		t.Fatal(err)
	}
	_, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v1.0.0")})
	if status, code := errorCode(err); status != http.StatusUnprocessableEntity || code != "already_exists" {
		t.Fatalf("second publish: %v; want 422 already_exists", err)
	}
	var er *github.ErrorResponse
	_ = asErr(err, &er)
	if er.Errors[0].Resource != "Release" || er.Errors[0].Field != "tag_name" || er.Message != "Validation Failed" {
		t.Errorf("error = %+v", er)
	}

	// Publishing a draft for the taken tag fails the same way.
	d, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v1.0.0"), Draft: github.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = gh.Repositories.EditRelease(ctx, "acme", "charts", d.GetID(), &github.RepositoryRelease{Draft: github.Bool(false)})
	if status, code := errorCode(err); status != http.StatusUnprocessableEntity || code != "already_exists" {
		t.Fatalf("publishing draft for taken tag: %v; want 422 already_exists", err)
	}
	if rs := s.Releases("acme", "charts"); !rs[1].Draft {
		t.Errorf("refused publish changed the draft: %+v", rs[1])
	}
}

func TestCreateRelease_withoutTagNameIs422MissingField(t *testing.T) {
	_, gh := startServer(t, Options{})
	_, _, err := gh.Repositories.CreateRelease(context.Background(), "acme", "charts", &github.RepositoryRelease{Name: github.String("x")})
	if status, code := errorCode(err); status != http.StatusUnprocessableEntity || code != "missing_field" {
		t.Fatalf("err = %v; want 422 missing_field", err)
	}
}

func TestListReleases_paginates250ReleasesNewestFirstWithGitHubLinks(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	for i := 1; i <= 250; i++ {
		s.SeedRelease("acme", "charts", Release{TagName: fmt.Sprintf("v0.0.%d", i)})
	}
	var tags []string
	opts := &github.ListOptions{PerPage: 100}
	for pages := 0; ; pages++ {
		if pages == 3 {
			t.Fatal("more than 3 pages")
		}
		rs, resp, err := gh.Repositories.ListReleases(ctx, "acme", "charts", opts)
		if err != nil {
			t.Fatal(err)
		}
		if resp.LastPage != 0 && resp.LastPage != 3 {
			t.Errorf("page %d: LastPage = %d, want 3", opts.Page, resp.LastPage)
		}
		if opts.Page == 2 && (resp.PrevPage != 1 || resp.FirstPage != 1) {
			t.Errorf("page 2: prev %d first %d", resp.PrevPage, resp.FirstPage)
		}
		for _, r := range rs {
			tags = append(tags, r.GetTagName())
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(tags) != 250 || tags[0] != "v0.0.250" || tags[249] != "v0.0.1" {
		t.Fatalf("got %d tags, first %q last %q; want 250 newest first", len(tags), tags[0], tags[len(tags)-1])
	}
	if n := s.Count("GET /repos/{owner}/{repo}/releases"); n != 3 {
		t.Errorf("list requests = %d, want 3", n)
	}
}

func TestListReleases_linkHeaderNamesRepositoryByIDAndIsFollowable(t *testing.T) {
	s, _ := startServer(t, Options{})
	for i := 0; i < 5; i++ {
		s.SeedRelease("acme", "charts", Release{TagName: fmt.Sprintf("v%d", i)})
	}
	res := rawGet(t, s.URL()+"repos/acme/charts/releases?per_page=2", nil)
	want := fmt.Sprintf(`<%[1]srepositories/1000/releases?per_page=2&page=2>; rel="next", <%[1]srepositories/1000/releases?per_page=2&page=3>; rel="last"`, s.URL())
	if got := res.Header.Get("Link"); got != want {
		t.Fatalf("Link = %s\nwant %s", got, want)
	}
	next := rawGet(t, parseLink(res.Header.Get("Link"))["next"], nil)
	body, _ := io.ReadAll(next.Body)
	if next.StatusCode != http.StatusOK || !strings.Contains(string(body), `"tag_name":"v2"`) {
		t.Fatalf("following next: %d %s", next.StatusCode, body)
	}
	want = fmt.Sprintf(`<%[1]srepositories/1000/releases?per_page=2&page=1>; rel="prev", <%[1]srepositories/1000/releases?per_page=2&page=3>; rel="next", <%[1]srepositories/1000/releases?per_page=2&page=3>; rel="last", <%[1]srepositories/1000/releases?per_page=2&page=1>; rel="first"`, s.URL())
	if got := next.Header.Get("Link"); got != want {
		t.Errorf("page 2 Link = %s\nwant %s", got, want)
	}
}

func TestGetLatestRelease_skipsDraftsPrereleasesAndMakeLatestFalse(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	s.SeedRelease("acme", "charts", Release{TagName: "v1"})
	for _, r := range []*github.RepositoryRelease{
		{TagName: github.String("v2"), Draft: github.Bool(true)},
		{TagName: github.String("v3-rc"), Prerelease: github.Bool(true)},
		{TagName: github.String("v0.9"), MakeLatest: github.String("false")},
	} {
		if _, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", r); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := gh.Repositories.GetLatestRelease(ctx, "acme", "charts")
	if err != nil || got.GetTagName() != "v1" {
		t.Fatalf("latest = %q, %v; want v1", got.GetTagName(), err)
	}
}

func TestDeleteRelease_removesItAndFreesTheTag(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	r := s.SeedRelease("acme", "charts", Release{TagName: "v1"})
	if resp, err := gh.Repositories.DeleteRelease(ctx, "acme", "charts", r.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if _, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v1")}); err != nil {
		t.Fatalf("recreate after delete: %v", err)
	}
	if _, err := gh.Repositories.DeleteRelease(ctx, "acme", "charts", r.ID); statusOf(errResp(err)) != http.StatusNotFound {
		t.Errorf("second delete: %v; want 404", err)
	}
}

func TestUnknownRepository_is404NotFound(t *testing.T) {
	_, gh := startServer(t, Options{})
	_, _, err := gh.Repositories.ListReleases(context.Background(), "acme", "nope", nil)
	var er *github.ErrorResponse
	if !asErr(err, &er) || er.Response.StatusCode != http.StatusNotFound || er.Message != "Not Found" ||
		!strings.HasPrefix(er.DocumentationURL, "https://docs.github.com/rest") {
		t.Fatalf("err = %v; want GitHub's 404", err)
	}
}
