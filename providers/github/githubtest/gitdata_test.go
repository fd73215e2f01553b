package githubtest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// The expected shas below were made with git 2.39 from the same content
// (git hash-object, git write-tree, git commit-tree with fixed dates): the
// emulator names objects exactly as git does.
const (
	helloBlob  = "ce013625030ba8dba906f756967f9e9ca394464a" // "hello\n"
	readmeBlob = "17c6700eda410ba05cd29baae0a6ed3bcb8cf3a5" // "# lock\n"
	docsTree   = "8a184972e76c2d769c06d9a8262b8ac2eb22ccdc" // README.md
	rootTree   = "7c62eeb619750268985fe3dfd51b987883a6063b" // docs/, hello.txt
	firstSHA   = "11276243ed46a8265f8f01979f23f23e64dfebca" // rootTree, "first\n"
	secondSHA  = "5960f921aaac94d5f61e14dd922bd71453113a0e" // rootTree, parent firstSHA, "second"
)

var gitAuthor = &github.CommitAuthor{
	Name: github.String("a"), Email: github.String("a@example.com"),
	Date: &github.Timestamp{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
}

func TestGitData_objectsAreNamedAsGitNamesThem(t *testing.T) {
	ctx := context.Background()
	_, gh := startServer(t, Options{})

	blob, resp, err := gh.Git.CreateBlob(ctx, "acme", "charts", &github.Blob{Content: github.String("hello\n"), Encoding: github.String("utf-8")})
	if err != nil || resp.StatusCode != http.StatusCreated || blob.GetSHA() != helloBlob {
		t.Fatalf("create blob = %s, %v (status %d), want %s", blob.GetSHA(), err, statusOf(resp), helloBlob)
	}
	// The same bytes as base64 are the same object.
	again, _, err := gh.Git.CreateBlob(ctx, "acme", "charts", &github.Blob{Content: github.String("aGVsbG8K"), Encoding: github.String("base64")})
	if err != nil || again.GetSHA() != helloBlob {
		t.Fatalf("base64 blob = %s, %v", again.GetSHA(), err)
	}
	raw, _, err := gh.Git.GetBlobRaw(ctx, "acme", "charts", helloBlob)
	if err != nil || string(raw) != "hello\n" {
		t.Fatalf("raw blob = %q, %v", raw, err)
	}

	tree, _, err := gh.Git.CreateTree(ctx, "acme", "charts", "", []*github.TreeEntry{
		{Path: github.String("hello.txt"), Mode: github.String("100644"), Type: github.String("blob"), SHA: github.String(helloBlob)},
		{Path: github.String("docs/README.md"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("# lock\n")},
	})
	if err != nil || tree.GetSHA() != rootTree {
		t.Fatalf("create tree = %s, %v, want %s", tree.GetSHA(), err, rootTree)
	}
	var top []string
	for _, e := range tree.Entries {
		top = append(top, e.GetType()+" "+e.GetPath()+" "+e.GetSHA())
	}
	if got, want := strings.Join(top, ","), "tree docs "+docsTree+",blob hello.txt "+helloBlob; got != want {
		t.Errorf("tree entries = %s, want %s", got, want)
	}
	full, _, err := gh.Git.GetTree(ctx, "acme", "charts", rootTree, true)
	if err != nil || len(full.Entries) != 3 || full.Entries[1].GetPath() != "docs/README.md" || full.Entries[1].GetSHA() != readmeBlob {
		t.Fatalf("recursive tree = %v, %v", full, err)
	}

	first, _, err := gh.Git.CreateCommit(ctx, "acme", "charts", &github.Commit{
		Message: github.String("first\n"), Tree: &github.Tree{SHA: github.String(rootTree)}, Author: gitAuthor, Committer: gitAuthor,
	}, nil)
	if err != nil || first.GetSHA() != firstSHA {
		t.Fatalf("create commit = %s, %v, want %s", first.GetSHA(), err, firstSHA)
	}
	second, _, err := gh.Git.CreateCommit(ctx, "acme", "charts", &github.Commit{
		Message: github.String("second"), Tree: &github.Tree{SHA: github.String(rootTree)},
		Parents: []*github.Commit{{SHA: github.String(firstSHA)}}, Author: gitAuthor, Committer: gitAuthor,
	}, nil)
	if err != nil || second.GetSHA() != secondSHA {
		t.Fatalf("create child commit = %s, %v, want %s", second.GetSHA(), err, secondSHA)
	}
	got, _, err := gh.Git.GetCommit(ctx, "acme", "charts", secondSHA)
	if err != nil || got.GetMessage() != "second" || len(got.Parents) != 1 || got.Parents[0].GetSHA() != firstSHA ||
		got.GetTree().GetSHA() != rootTree || got.GetAuthor().GetEmail() != "a@example.com" {
		t.Fatalf("get commit = %+v, %v", got, err)
	}
}

func TestGitData_treeEditsApplyToBaseTreeAndRefusalsAreGitHubs(t *testing.T) {
	ctx := context.Background()
	_, gh := startServer(t, Options{})
	base, _, err := gh.Git.CreateTree(ctx, "acme", "charts", "", []*github.TreeEntry{
		{Path: github.String("docs/README.md"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("# lock\n")},
	})
	if err != nil || len(base.Entries) != 1 || base.Entries[0].GetSHA() != docsTree {
		t.Fatalf("base tree = %v, %v; want docs/ only", base, err)
	}
	edited, _, err := gh.Git.CreateTree(ctx, "acme", "charts", base.GetSHA(), []*github.TreeEntry{
		{Path: github.String("hello.txt"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("hello\n")},
	})
	if err != nil || edited.GetSHA() != rootTree {
		t.Fatalf("tree on base_tree = %s, %v, want %s (base kept, file added)", edited.GetSHA(), err, rootTree)
	}
	// A null sha deletes; deleting the only file of docs/ drops docs/.
	emptied, _, err := gh.Git.CreateTree(ctx, "acme", "charts", rootTree, []*github.TreeEntry{
		{Path: github.String("docs/README.md"), Mode: github.String("100644"), Type: github.String("blob")},
		{Path: github.String("hello.txt"), Mode: github.String("100644"), Type: github.String("blob")},
	})
	if err != nil || emptied.GetSHA() != emptyTree {
		t.Fatalf("tree with every path deleted = %s, %v, want git's empty tree %s", emptied.GetSHA(), err, emptyTree)
	}

	for name, call := range map[string]func() (*github.Response, error){
		"commit on a tree that does not exist": func() (*github.Response, error) {
			_, r, err := gh.Git.CreateCommit(ctx, "acme", "charts", &github.Commit{Message: github.String("m"), Tree: &github.Tree{SHA: github.String(commitA)}}, nil)
			return r, err
		},
		"commit whose parent is a blob": func() (*github.Response, error) {
			_, r, err := gh.Git.CreateCommit(ctx, "acme", "charts", &github.Commit{
				Message: github.String("m"), Tree: &github.Tree{SHA: github.String(rootTree)}, Parents: []*github.Commit{{SHA: github.String(helloBlob)}},
			}, nil)
			return r, err
		},
		"tree entry naming a blob that does not exist": func() (*github.Response, error) {
			_, r, err := gh.Git.CreateTree(ctx, "acme", "charts", "", []*github.TreeEntry{
				{Path: github.String("x"), Mode: github.String("100644"), Type: github.String("blob"), SHA: github.String(commitB)},
			})
			return r, err
		},
	} {
		resp, err := call()
		if statusOf(resp) != http.StatusUnprocessableEntity || err == nil {
			t.Errorf("%s: status %d, %v; want 422", name, statusOf(resp), err)
		}
	}
	if _, resp, _ := gh.Git.GetCommit(ctx, "acme", "charts", commitC); statusOf(resp) != http.StatusNotFound {
		t.Errorf("get unknown commit: status %d, want 404", statusOf(resp))
	}
}

// commitOn makes a commit with the given parents and message on rootTree.
func commitOn(t *testing.T, gh *github.Client, msg string, parents ...string) string {
	t.Helper()
	c := &github.Commit{Message: github.String(msg), Tree: &github.Tree{SHA: github.String(rootTree)}}
	for _, p := range parents {
		c.Parents = append(c.Parents, &github.Commit{SHA: github.String(p)})
	}
	got, _, err := gh.Git.CreateCommit(context.Background(), "acme", "charts", c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got.GetSHA()
}

func seedRootTree(t *testing.T, gh *github.Client) {
	t.Helper()
	_, _, err := gh.Git.CreateTree(context.Background(), "acme", "charts", "", []*github.TreeEntry{
		{Path: github.String("hello.txt"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("hello\n")},
		{Path: github.String("docs/README.md"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("# lock\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUpdateRef_refusesNonFastForwardUnlessForced(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	seedRootTree(t, gh)
	base := commitOn(t, gh, "base")
	child := commitOn(t, gh, "child", base)
	other := commitOn(t, gh, "other", base)
	if _, _, err := gh.Git.CreateRef(ctx, "acme", "charts", &github.Reference{Ref: github.String("refs/relctl/apply-lock"), Object: &github.GitObject{SHA: github.String(base)}}); err != nil {
		t.Fatal(err)
	}
	update := func(sha string, force bool) (int, string) {
		_, resp, err := gh.Git.UpdateRef(ctx, "acme", "charts", &github.Reference{Ref: github.String("refs/relctl/apply-lock"), Object: &github.GitObject{SHA: github.String(sha)}}, force)
		var er *github.ErrorResponse
		if errors.As(err, &er) {
			return statusOf(resp), er.Message
		}
		return statusOf(resp), ""
	}
	if code, _ := update(child, false); code != http.StatusOK {
		t.Fatalf("fast-forward base→child: status %d, want 200", code)
	}
	if code, msg := update(other, false); code != http.StatusUnprocessableEntity || msg != "Update is not a fast forward" {
		t.Fatalf("child→other (a sibling): %d %q, want 422 \"Update is not a fast forward\"", code, msg)
	}
	if code, msg := update(base, false); code != http.StatusUnprocessableEntity || msg != "Update is not a fast forward" {
		t.Fatalf("child→base (a rewind): %d %q, want 422", code, msg)
	}
	if sha := s.Refs("acme", "charts")["refs/relctl/apply-lock"]; sha != child {
		t.Fatalf("refused updates moved the ref to %s", sha)
	}
	if code, _ := update(other, true); code != http.StatusOK {
		t.Fatalf("forced child→other: status %d, want 200", code)
	}
	if code, _ := update(other, false); code != http.StatusOK {
		t.Fatalf("update to the commit the ref already names: status %d, want 200", code)
	}
}

// Many writers racing to move one ref from the same commit: as on GitHub,
// exactly one update lands and every other one is told it was not a fast
// forward. The same for creating one ref.
func TestRefs_racingWritersSeeExactlyOneWinner(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	seedRootTree(t, gh)
	base := commitOn(t, gh, "base")
	const n = 16
	children := make([]string, n)
	for i := range children {
		children[i] = commitOn(t, gh, "taker "+itoa(int64(i)), base)
	}

	var created, moved [n]int
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, resp, _ := gh.Git.CreateRef(ctx, "acme", "charts", &github.Reference{Ref: github.String("refs/relctl/race"), Object: &github.GitObject{SHA: github.String(base)}})
			created[i] = statusOf(resp)
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, resp, _ := gh.Git.UpdateRef(ctx, "acme", "charts", &github.Reference{Ref: github.String("refs/relctl/race"), Object: &github.GitObject{SHA: github.String(children[i])}}, false)
			moved[i] = statusOf(resp)
		}()
	}
	wg.Wait()
	count := func(codes [n]int, want int) (k int) {
		for _, c := range codes {
			if c == want {
				k++
			}
		}
		return k
	}
	if c, r := count(created, http.StatusCreated), count(created, http.StatusUnprocessableEntity); c != 1 || r != n-1 {
		t.Errorf("create: %d created, %d refused; want 1 and %d", c, r, n-1)
	}
	if c, r := count(moved, http.StatusOK), count(moved, http.StatusUnprocessableEntity); c != 1 || r != n-1 {
		t.Errorf("update: %d moved, %d refused; want 1 and %d", c, r, n-1)
	}
	winner := s.Refs("acme", "charts")["refs/relctl/race"]
	for i, code := range moved {
		if (code == http.StatusOK) != (children[i] == winner) {
			t.Errorf("taker %d got %d but the ref names %s", i, code, winner)
		}
	}
}

func TestFile_readsWhatABranchCommitHolds(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	seedRootTree(t, gh)
	head := commitOn(t, gh, "pages")
	if _, _, err := gh.Git.CreateRef(ctx, "acme", "charts", &github.Reference{Ref: github.String("refs/heads/gh-pages"), Object: &github.GitObject{SHA: github.String(head)}}); err != nil {
		t.Fatal(err)
	}
	if got, ok := s.File("acme", "charts", "refs/heads/gh-pages", "docs/README.md"); !ok || string(got) != "# lock\n" {
		t.Errorf("docs/README.md = %q, %v", got, ok)
	}
	for _, missing := range []string{"docs", "absent.txt", "hello.txt/x"} {
		if _, ok := s.File("acme", "charts", "refs/heads/gh-pages", missing); ok {
			t.Errorf("File(%q) found something", missing)
		}
	}
	if msg, ok := s.CommitMessage("acme", "charts", head); !ok || msg != "pages" {
		t.Errorf("message = %q, %v", msg, ok)
	}
}
