package git

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func gitInit(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"config", "user.email", "test@example.com"},
		{"config", "user.name", "test"},
	} {
		gitRun(t, dir, args...)
	}
	return dir
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestChangedSince_listsCommittedAndLocalChangesSinceTheMergeBase(t *testing.T) {
	dir := gitInit(t)
	write(t, filepath.Join(dir, "charts/a/Chart.yaml"), "a")
	write(t, filepath.Join(dir, "charts/b/Chart.yaml"), "b")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "base")
	gitRun(t, dir, "checkout", "-q", "-b", "feature")
	write(t, filepath.Join(dir, "charts/a/values.yaml"), "x: 1")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "change a")
	write(t, filepath.Join(dir, "charts/c/Chart.yaml"), "c") // untracked

	got, err := ChangedSince(context.Background(), dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	top, _ := filepath.EvalSymlinks(dir)
	want := []string{filepath.Join(top, "charts/a/values.yaml"), filepath.Join(top, "charts/c/Chart.yaml")}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("ChangedSince = %v, want %v", got, want)
	}
	head, err := Head(context.Background(), dir)
	if err != nil || len(head) != 40 {
		t.Fatalf("Head = %q, %v; want a 40-hex commit", head, err)
	}
}

func TestHead_outsideARepositoryIsErrNotRepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	_, err := Head(context.Background(), t.TempDir())
	if !errors.Is(err, ErrNotRepository) {
		t.Fatalf("Head outside a repository: %v, want ErrNotRepository", err)
	}
}

func TestChangedSince_inAShallowCloneSaysHowToFetchTheHistory(t *testing.T) {
	up := gitInit(t)
	write(t, filepath.Join(up, "charts/a/Chart.yaml"), "a")
	gitRun(t, up, "add", ".")
	gitRun(t, up, "commit", "-q", "-m", "base")
	write(t, filepath.Join(up, "charts/a/values.yaml"), "x: 1")
	gitRun(t, up, "add", ".")
	gitRun(t, up, "commit", "-q", "-m", "main moves on")
	gitRun(t, up, "checkout", "-q", "-b", "feature", "HEAD~1")
	write(t, filepath.Join(up, "charts/a/values.yaml"), "x: 2")
	gitRun(t, up, "add", ".")
	gitRun(t, up, "commit", "-q", "-m", "change a")

	// As actions/checkout clones a pull request: one commit deep.
	clone := filepath.Join(t.TempDir(), "clone")
	gitRun(t, t.TempDir(), "clone", "-q", "--depth", "1", "--branch", "feature", "file://"+up, clone)
	for _, tc := range []struct {
		name  string
		fetch []string
		want  string
	}{
		{"base not fetched", nil, "Not a valid object name origin/main"},
		// The base fetched one commit deep too: no common commit, and git
		// prints nothing.
		{"base fetched shallow", []string{"fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main"}, "exit status 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fetch != nil {
				gitRun(t, clone, tc.fetch...)
			}
			_, err := ChangedSince(context.Background(), clone, "origin/main")
			if err == nil {
				t.Fatal("ChangedSince in a shallow clone succeeded")
			}
			for _, want := range []string{tc.want, "the clone is shallow", "fetch-depth: 0"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
	// With the history, the same call works.
	gitRun(t, clone, "fetch", "-q", "--unshallow", "origin", "main:refs/remotes/origin/main")
	got, err := ChangedSince(context.Background(), clone, "origin/main")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || filepath.Base(got[0]) != "values.yaml" {
		t.Fatalf("ChangedSince after unshallow = %v, want charts/a/values.yaml", got)
	}
}
