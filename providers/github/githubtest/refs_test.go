package githubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

var (
	commitA = strings.Repeat("a", 40)
	commitB = strings.Repeat("b", 40)
	commitC = strings.Repeat("c", 40)
)

func refNames(refs []*github.Reference) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.GetRef()
	}
	return out
}

func TestRefs_createGetListUpdateDeleteThroughGoGitHub(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})

	all, _, err := gh.Git.ListMatchingRefs(ctx, "acme", "charts", nil)
	if err != nil || len(all) != 1 || all[0].GetRef() != "refs/heads/main" || all[0].Object.GetSHA() != initialCommit {
		t.Fatalf("new repository refs = %v, %v; want main at %s", refNames(all), err, initialCommit)
	}

	created, resp, err := gh.Git.CreateRef(ctx, "acme", "charts", &github.Reference{
		Ref: github.String("refs/heads/feature"), Object: &github.GitObject{SHA: github.String(commitA)},
	})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v (status %d)", err, statusOf(resp))
	}
	wantURL := s.URL() + "api/v3/repos/acme/charts/git/refs/heads/feature"
	if created.GetURL() != wantURL || resp.Header.Get("Location") != wantURL {
		t.Errorf("url = %q, Location = %q, want %q", created.GetURL(), resp.Header.Get("Location"), wantURL)
	}
	if o := created.Object; o.GetType() != "commit" || o.GetSHA() != commitA ||
		o.GetURL() != s.URL()+"api/v3/repos/acme/charts/git/commits/"+commitA {
		t.Errorf("object = %+v", o)
	}

	got, _, err := gh.Git.GetRef(ctx, "acme", "charts", "heads/feature")
	if err != nil || got.Object.GetSHA() != commitA {
		t.Fatalf("get: %v, %v", got, err)
	}
	all, _, err = gh.Git.ListMatchingRefs(ctx, "acme", "charts", nil)
	if names := refNames(all); err != nil || strings.Join(names, ",") != "refs/heads/feature,refs/heads/main" {
		t.Fatalf("list = %v, %v; want feature then main, sorted by name", names, err)
	}

	updated, resp, err := gh.Git.UpdateRef(ctx, "acme", "charts", &github.Reference{
		Ref: github.String("refs/heads/feature"), Object: &github.GitObject{SHA: github.String(commitB)},
	}, false)
	if err != nil || resp.StatusCode != http.StatusOK || updated.Object.GetSHA() != commitB {
		t.Fatalf("update: %v, %v (status %d)", updated, err, statusOf(resp))
	}
	if sha := s.Refs("acme", "charts")["refs/heads/feature"]; sha != commitB {
		t.Errorf("after update the emulator holds %q, want %q", sha, commitB)
	}

	resp, err = gh.Git.DeleteRef(ctx, "acme", "charts", "heads/feature")
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v (status %d)", err, statusOf(resp))
	}
	if _, resp, _ := gh.Git.GetRef(ctx, "acme", "charts", "heads/feature"); statusOf(resp) != http.StatusNotFound {
		t.Errorf("get deleted ref: status %d, want 404", statusOf(resp))
	}
	want := map[string]string{"refs/heads/main": initialCommit}
	if got := s.Refs("acme", "charts"); !maps.Equal(got, want) {
		t.Errorf("refs = %v, want %v", got, want)
	}
	for route, n := range map[string]int{
		"GET /repos/{owner}/{repo}/git/matching-refs/{ref}": 2,
		"POST /repos/{owner}/{repo}/git/refs":               1,
		"GET /repos/{owner}/{repo}/git/ref/{ref}":           2,
		"PATCH /repos/{owner}/{repo}/git/refs/{ref}":        1,
		"DELETE /repos/{owner}/{repo}/git/refs/{ref}":       1,
	} {
		if got := s.Count(route); got != n {
			t.Errorf("Count(%q) = %d, want %d", route, got, n)
		}
	}
}

func TestMatchingRefs_listsRefsStartingWithPrefixAndEmptyWhenNone(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	s.SeedRef("acme", "charts", "refs/tags/podinfo-v1.1.0", commitB)
	s.SeedRef("acme", "charts", "refs/tags/podinfo-v1.0.0", commitA)
	s.SeedRef("acme", "charts", "refs/tags/nginx-v1.0.0", commitC)

	refs, _, err := gh.Git.ListMatchingRefs(ctx, "acme", "charts", &github.ReferenceListOptions{Ref: "tags/podinfo-v"})
	if names := refNames(refs); err != nil || strings.Join(names, ",") != "refs/tags/podinfo-v1.0.0,refs/tags/podinfo-v1.1.0" {
		t.Fatalf("tags/podinfo-v = %v, %v", names, err)
	}
	refs, _, err = gh.Git.ListMatchingRefs(ctx, "acme", "charts", &github.ReferenceListOptions{Ref: "tags/"})
	if err != nil || len(refs) != 3 {
		t.Fatalf("tags/ = %v, %v; want 3", refNames(refs), err)
	}
	refs, resp, err := gh.Git.ListMatchingRefs(ctx, "acme", "charts", &github.ReferenceListOptions{Ref: "tags/absent"})
	if err != nil || resp.StatusCode != http.StatusOK || refs == nil || len(refs) != 0 {
		t.Fatalf("tags/absent = %v, %v (status %d); want 200 []", refNames(refs), err, statusOf(resp))
	}

	// Pages are linked through /repositories/{id}, as GitHub writes them.
	refs, resp, err = gh.Git.ListMatchingRefs(ctx, "acme", "charts", &github.ReferenceListOptions{
		Ref: "tags/", ListOptions: github.ListOptions{PerPage: 2},
	})
	if err != nil || len(refs) != 2 || resp.NextPage != 2 {
		t.Fatalf("page 1 = %v, %v, next %d", refNames(refs), err, resp.NextPage)
	}
	next := parseLink(resp.Header.Get("Link"))["next"]
	res := rawGet(t, next, nil)
	var last []refJSON
	if err := json.NewDecoder(res.Body).Decode(&last); err != nil || res.StatusCode != http.StatusOK ||
		len(last) != 1 || last[0].Ref != "refs/tags/podinfo-v1.1.0" {
		t.Fatalf("GET %s: status %d, %v, %v", next, res.StatusCode, last, err)
	}
}

// postJSON sends a raw request, for bodies go-github would correct first.
func postJSON(t *testing.T, s *Server, method, path string, body any) (int, string) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, s.URL()+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var e struct{ Message string }
	_ = json.NewDecoder(res.Body).Decode(&e)
	return res.StatusCode, e.Message
}

func TestCreateRef_refusesWhatGitHubRefusesWith422(t *testing.T) {
	s, _ := startServer(t, Options{})
	tagSHA := s.SeedAnnotatedTag("acme", "charts", "v1", initialCommit)
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"no refs/ prefix", map[string]any{"ref": "heads/x", "sha": commitA}, "Reference name must start with 'refs/'."},
		{"two components", map[string]any{"ref": "refs/x", "sha": commitA}, "Reference name must contain at least three slash-separated components."},
		{"invalid name", map[string]any{"ref": "refs/heads/a..b", "sha": commitA}, "refs/heads/a..b is not a valid ref name."},
		{"existing", map[string]any{"ref": "refs/heads/main", "sha": commitA}, "Reference already exists"},
		{"not a sha", map[string]any{"ref": "refs/heads/x", "sha": "main"}, "Object does not exist"},
		{"no sha", map[string]any{"ref": "refs/heads/x"}, "Invalid request.\n\n\"sha\" wasn't supplied."},
		{"branch at a tag object", map[string]any{"ref": "refs/heads/x", "sha": tagSHA}, "Reference update failed"},
		{"name under an existing ref", map[string]any{"ref": "refs/heads/main/x", "sha": commitA}, "Reference update failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, msg := postJSON(t, s, "POST", "repos/acme/charts/git/refs", tc.body)
			if status != http.StatusUnprocessableEntity || msg != tc.want {
				t.Errorf("status %d %q, want 422 %q", status, msg, tc.want)
			}
		})
	}
	want := map[string]string{"refs/heads/main": initialCommit, "refs/tags/v1": tagSHA}
	if got := s.Refs("acme", "charts"); !maps.Equal(got, want) {
		t.Errorf("refs = %v, want them unchanged: %v", got, want)
	}
}

func TestUpdateAndDeleteRef_absentRefIs422ReferenceDoesNotExist(t *testing.T) {
	ctx := context.Background()
	_, gh := startServer(t, Options{})
	_, _, err := gh.Git.UpdateRef(ctx, "acme", "charts", &github.Reference{
		Ref: github.String("refs/tags/absent"), Object: &github.GitObject{SHA: github.String(commitA)},
	}, true)
	var er *github.ErrorResponse
	if !asErr(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity || er.Message != "Reference does not exist" {
		t.Errorf("update absent: %v; want 422 Reference does not exist", err)
	}
	_, err = gh.Git.DeleteRef(ctx, "acme", "charts", "tags/absent")
	if !asErr(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity || er.Message != "Reference does not exist" {
		t.Errorf("delete absent: %v; want 422 Reference does not exist", err)
	}
}

func TestGetTag_readsAnnotatedTagObjectBehindTagRef(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	tagSHA := s.SeedAnnotatedTag("acme", "charts", "podinfo-v1.0.0", commitA)
	if again := s.SeedAnnotatedTag("acme", "charts", "podinfo-v1.0.0", commitA); again != tagSHA || !isSHA(tagSHA) || tagSHA == commitA {
		t.Fatalf("tag sha %q, again %q; want one stable sha of its own", tagSHA, again)
	}

	ref, _, err := gh.Git.GetRef(ctx, "acme", "charts", "tags/podinfo-v1.0.0")
	if err != nil || ref.Object.GetType() != "tag" || ref.Object.GetSHA() != tagSHA ||
		ref.Object.GetURL() != s.URL()+"api/v3/repos/acme/charts/git/tags/"+tagSHA {
		t.Fatalf("ref = %+v, %v; want the tag object", ref.GetObject(), err)
	}
	tag, _, err := gh.Git.GetTag(ctx, "acme", "charts", tagSHA)
	if err != nil {
		t.Fatal(err)
	}
	if tag.GetSHA() != tagSHA || tag.GetTag() != "podinfo-v1.0.0" || tag.GetMessage() != "podinfo-v1.0.0\n" ||
		tag.Object.GetType() != "commit" || tag.Object.GetSHA() != commitA ||
		tag.GetTagger().GetName() != "github-actions[bot]" {
		t.Errorf("tag = %+v, object %+v", tag, tag.GetObject())
	}
	if _, resp, _ := gh.Git.GetTag(ctx, "acme", "charts", commitA); statusOf(resp) != http.StatusNotFound {
		t.Errorf("GetTag of a commit: status %d, want 404", statusOf(resp))
	}
}

func TestPublish_draftGetsItsTagAtTargetCommitOnlyWhenPublished(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	draft, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{
		TagName: github.String("podinfo-v1.0.0"), TargetCommitish: github.String(commitA), Draft: github.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Refs("acme", "charts")["refs/tags/podinfo-v1.0.0"]; ok {
		t.Fatal("a draft's tag exists before publishing")
	}
	if _, _, err := gh.Repositories.EditRelease(ctx, "acme", "charts", draft.GetID(), &github.RepositoryRelease{Draft: github.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	ref, _, err := gh.Git.GetRef(ctx, "acme", "charts", "tags/podinfo-v1.0.0")
	if err != nil || ref.Object.GetSHA() != commitA || ref.Object.GetType() != "commit" {
		t.Fatalf("tag after publish = %+v, %v; want commit %s", ref.GetObject(), err, commitA)
	}

	// Deleting the release leaves its tag, as on GitHub.
	if _, err := gh.Repositories.DeleteRelease(ctx, "acme", "charts", draft.GetID()); err != nil {
		t.Fatal(err)
	}
	if sha := s.Refs("acme", "charts")["refs/tags/podinfo-v1.0.0"]; sha != commitA {
		t.Errorf("tag after deleting the release = %q, want %q", sha, commitA)
	}
}

func TestPublish_branchTargetTagsTheBranchTip(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	s.SeedRef("acme", "charts", "refs/heads/release", commitB)
	for tag, target := range map[string]*string{"on-release": github.String("release"), "on-default": nil} {
		if _, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{
			TagName: github.String(tag), TargetCommitish: target,
		}); err != nil {
			t.Fatal(err)
		}
	}
	s.SeedRelease("acme", "charts", Release{TagName: "seeded", TargetCommitish: commitC})
	refs := s.Refs("acme", "charts")
	for tag, want := range map[string]string{"on-release": commitB, "on-default": initialCommit, "seeded": commitC} {
		if got := refs["refs/tags/"+tag]; got != want {
			t.Errorf("refs/tags/%s = %q, want %q", tag, got, want)
		}
	}
}

func TestPublish_existingTagIsLeftWhereItPoints(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	s.SeedRef("acme", "charts", "refs/tags/podinfo-v1.0.0", commitA)
	annotated := s.SeedAnnotatedTag("acme", "charts", "podinfo-v1.1.0", commitA)
	for _, tag := range []string{"podinfo-v1.0.0", "podinfo-v1.1.0"} {
		if _, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{
			TagName: github.String(tag), TargetCommitish: github.String(commitB),
		}); err != nil {
			t.Fatal(err)
		}
	}
	refs := s.Refs("acme", "charts")
	if refs["refs/tags/podinfo-v1.0.0"] != commitA || refs["refs/tags/podinfo-v1.1.0"] != annotated {
		t.Errorf("tags = %v; want them unmoved by target_commitish", refs)
	}
}

func TestLegacyGetRefs_returnsTheRefOrTheRefsStartingWithIt(t *testing.T) {
	s, _ := startServer(t, Options{})
	s.SeedRef("acme", "charts", "refs/tags/v1", commitA)
	s.SeedRef("acme", "charts", "refs/tags/v2", commitB)

	res := rawGet(t, s.URL()+"repos/acme/charts/git/refs/tags/v1", nil)
	var one refJSON
	if err := json.NewDecoder(res.Body).Decode(&one); err != nil || one.Ref != "refs/tags/v1" || one.Object.SHA != commitA {
		t.Errorf("exact: %+v, %v", one, err)
	}
	res = rawGet(t, s.URL()+"repos/acme/charts/git/refs/tags/v", nil)
	var many []refJSON
	if err := json.NewDecoder(res.Body).Decode(&many); err != nil || len(many) != 2 {
		t.Errorf("prefix: %+v, %v; want both tags", many, err)
	}
	if res := rawGet(t, s.URL()+"repos/acme/charts/git/refs/tags/x", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("no match: status %d, want 404", res.StatusCode)
	}
}
