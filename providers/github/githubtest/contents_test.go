package githubtest

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-github/v62/github"
)

// pagesCommit puts files on gh-pages through the Git Data API.
func pagesCommit(t *testing.T, gh *github.Client, files map[string]string) string {
	t.Helper()
	ctx := context.Background()
	var entries []*github.TreeEntry
	for p, content := range files {
		entries = append(entries, &github.TreeEntry{Path: github.String(p), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String(content)})
	}
	tree, _, err := gh.Git.CreateTree(ctx, "acme", "charts", "", entries)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := gh.Git.CreateCommit(ctx, "acme", "charts", &github.Commit{Message: github.String("pages"), Tree: tree}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Git.CreateRef(ctx, "acme", "charts", &github.Reference{Ref: github.String("refs/heads/gh-pages"), Object: &github.GitObject{SHA: c.SHA}}); err != nil {
		t.Fatal(err)
	}
	return c.GetSHA()
}

func TestContents_fileAtBranchOrCommitAsJSONOrRaw(t *testing.T) {
	s, gh := startServer(t, Options{})
	commit := pagesCommit(t, gh, map[string]string{"index.yaml": "apiVersion: v1\n", "sub/x.txt": "x"})
	ctx := context.Background()
	for _, ref := range []string{"gh-pages", commit} {
		fc, _, _, err := gh.Repositories.GetContents(ctx, "acme", "charts", "index.yaml", &github.RepositoryContentGetOptions{Ref: ref})
		if err != nil {
			t.Fatalf("ref %s: %v", ref, err)
		}
		if got, _ := fc.GetContent(); got != "apiVersion: v1\n" || fc.GetType() != "file" || fc.GetPath() != "index.yaml" {
			t.Errorf("ref %s: content %q type %s", ref, got, fc.GetType())
		}
	}
	raw := rawGet(t, s.URL()+"repos/acme/charts/contents/sub/x.txt?ref=gh-pages", map[string]string{"Accept": "application/vnd.github.raw+json"})
	if b, _ := io.ReadAll(raw.Body); raw.StatusCode != 200 || string(b) != "x" {
		t.Errorf("raw = %d %q", raw.StatusCode, b)
	}
}

func TestContents_missingRefOrFileIs404AsGitHubSaysIt(t *testing.T) {
	_, gh := startServer(t, Options{})
	ctx := context.Background()
	_, _, resp, err := gh.Repositories.GetContents(ctx, "acme", "charts", "index.yaml", &github.RepositoryContentGetOptions{Ref: "gh-pages"})
	if code, msg := errorMessage(err); code != 404 || msg != "No commit found for the ref gh-pages" {
		t.Errorf("missing branch: %d %q (status %d)", code, msg, statusOf(resp))
	}
	pagesCommit(t, gh, map[string]string{"a.txt": "a"})
	_, _, _, err = gh.Repositories.GetContents(ctx, "acme", "charts", "index.yaml", &github.RepositoryContentGetOptions{Ref: "gh-pages"})
	if code, msg := errorMessage(err); code != 404 || msg != "Not Found" {
		t.Errorf("missing file: %d %q", code, msg)
	}
}

func TestPages_servesThePagesBranchHeadAnonymously(t *testing.T) {
	s, gh := startServer(t, Options{})
	pagesCommit(t, gh, map[string]string{"index.yaml": "apiVersion: v1\n", "index.html": "<p>charts</p>"})
	for p, want := range map[string]string{"index.yaml": "apiVersion: v1\n", "": "<p>charts</p>"} {
		resp, err := http.Get(s.PagesURL("acme", "charts") + p) // no token
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != want {
			t.Errorf("GET pages %q = %d %q, want %q", p, resp.StatusCode, b, want)
		}
	}
	resp, err := http.Get(s.PagesURL("acme", "charts") + "nope.yaml")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("missing page = %d, want 404", resp.StatusCode)
	}
}

func errorMessage(err error) (int, string) {
	var er *github.ErrorResponse
	if !asErr(err, &er) {
		return 0, ""
	}
	return er.Response.StatusCode, er.Message
}
