package git

import (
	"context"
	"path/filepath"
	"testing"
)

func TestParseRemote_readsEveryURLFormGitAccepts(t *testing.T) {
	for raw, want := range map[string]Remote{
		"https://github.com/Acme/charts.git":       {Host: "github.com", Owner: "Acme", Name: "charts"},
		"https://github.com/acme/charts":           {Host: "github.com", Owner: "acme", Name: "charts"},
		"https://x-access-token@github.com/a/b/":   {Host: "github.com", Owner: "a", Name: "b"},
		"git@github.com:acme/charts.git":           {Host: "github.com", Owner: "acme", Name: "charts"},
		"ssh://git@ghe.example.com:2222/o/r.git":   {Host: "ghe.example.com", Owner: "o", Name: "r"},
		"GHE.example.com:platform/helm-charts.git": {Host: "ghe.example.com", Owner: "platform", Name: "helm-charts"},
	} {
		got, err := ParseRemote(raw)
		if err != nil || got != want {
			t.Errorf("ParseRemote(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"/srv/git/charts.git", "https://github.com/acme", "https://github.com/a/b/c"} {
		if got, err := ParseRemote(raw); err == nil {
			t.Errorf("ParseRemote(%q) = %+v, want an error", raw, got)
		}
	}
}

func TestRemoteBranchAndPagesIndex_readFromTheRepository(t *testing.T) {
	ctx := context.Background()
	dir := gitInit(t)
	write(t, filepath.Join(dir, "README.md"), "x\n")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-qm", "first")
	gitRun(t, dir, "remote", "add", "origin", "git@github.com:acme/charts.git")
	if u, err := RemoteURL(ctx, dir, "origin"); err != nil || u != "git@github.com:acme/charts.git" {
		t.Errorf("RemoteURL = %q, %v", u, err)
	}
	if b := DefaultBranch(ctx, dir); b != "main" {
		t.Errorf("DefaultBranch = %q, want main (checked out)", b)
	}
	if BranchHasFile(ctx, dir, "gh-pages", "index.yaml") {
		t.Error("index.yaml found on a gh-pages branch that does not exist")
	}
	gitRun(t, dir, "checkout", "-q", "--orphan", "gh-pages")
	gitRun(t, dir, "rm", "-rfq", ".")
	write(t, filepath.Join(dir, "index.yaml"), "apiVersion: v1\nentries: {}\n")
	gitRun(t, dir, "add", "index.yaml")
	gitRun(t, dir, "commit", "-qm", "index")
	gitRun(t, dir, "checkout", "-q", "main")
	if !BranchHasFile(ctx, dir, "gh-pages", "index.yaml") {
		t.Error("index.yaml on gh-pages not found")
	}
	if BranchHasFile(ctx, dir, "main", "index.yaml") {
		t.Error("index.yaml found on main, which has none")
	}
}
