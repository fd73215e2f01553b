package git

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// commitAt commits everything staged with the committer time n seconds
// after 2020-01-01.
func commitAt(t *testing.T, dir string, n int, msg string) {
	t.Helper()
	gitRun(t, dir, "add", "-A")
	cmd := exec.Command("git", "commit", "-q", "--allow-empty", "-m", msg)
	cmd.Dir = dir
	at := time.Date(2020, 1, 1, 0, 0, n, 0, time.UTC).Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+at, "GIT_COMMITTER_DATE="+at)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git commit: %v\n%s", err, out)
	}
}

// logTime is what the per-dir question answers: the reference.
func logTime(t *testing.T, dir string) (time.Time, bool) {
	t.Helper()
	cmd := exec.Command("git", "log", "-1", "--format=%ct", "--", ".")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git log in %s: %v", dir, err)
	}
	s := strings.TrimSpace(string(out))
	if s == "" {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return time.Unix(secs, 0).UTC(), true
}

func TestLastCommitTimes_answersAsGitLogOfEachDirOnLinearHistory(t *testing.T) {
	top := gitInit(t)
	dir := func(p string) string { return filepath.Join(top, p) }
	write(t, dir("charts/a/Chart.yaml"), "a")
	write(t, dir("charts/b/Chart.yaml"), "b")
	write(t, dir("charts/c/Chart.yaml"), "c")
	write(t, dir("charts/a/charts/sub/Chart.yaml"), "sub")
	commitAt(t, top, 1, "root")
	write(t, dir("charts/b/values.yaml"), "x")
	commitAt(t, top, 2, "b")
	write(t, dir("charts/a/charts/sub/values.yaml"), "y")
	commitAt(t, top, 3, "sub, and so a")
	// A rename out of b touches b as git log -- . sees it.
	gitRun(t, top, "mv", "charts/b/values.yaml", "charts/c/values.yaml")
	commitAt(t, top, 4, "move")
	write(t, dir("README.md"), "r")
	commitAt(t, top, 5, "elsewhere")
	commitAt(t, top, 6, "empty")

	dirs := []string{dir("charts/a"), dir("charts/b"), dir("charts/c"), dir("charts/a/charts/sub"), dir("charts/none")}
	if err := os.MkdirAll(dir("charts/none"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := LastCommitTimes(context.Background(), dirs)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		want, ok := logTime(t, d)
		have, answered := got[d]
		switch {
		case !ok && answered:
			t.Errorf("%s: answered %v, but git log finds no commit", d, have)
		case ok && !answered:
			t.Errorf("%s: not answered on linear history, git log says %v", d, want)
		case ok && !have.Equal(want):
			t.Errorf("%s: %v, git log says %v", d, have, want)
		}
	}
	if want := time.Date(2020, 1, 1, 0, 0, 4, 0, time.UTC); !got[dir("charts/b")].Equal(want) {
		t.Errorf("charts/b: %v, want the rename's %v", got[dir("charts/b")], want)
	}
}

// Behind a merge, git log of one dir simplifies history per path: the walk
// answers nothing it would have to read past the merge for, and what it
// answers still agrees with git log.
func TestLastCommitTimes_leavesOutWhatLiesBehindAMerge(t *testing.T) {
	top := gitInit(t)
	dir := func(p string) string { return filepath.Join(top, p) }
	write(t, dir("a/f"), "1")
	write(t, dir("b/f"), "1")
	commitAt(t, top, 1, "root")
	gitRun(t, top, "checkout", "-q", "-b", "side")
	write(t, dir("a/f"), "side")
	commitAt(t, top, 2, "side")
	gitRun(t, top, "checkout", "-q", "main")
	write(t, dir("b/f"), "main")
	commitAt(t, top, 3, "main")
	cmd := exec.Command("git", "merge", "-q", "--no-ff", "-m", "merge", "side")
	cmd.Dir = top
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2020-01-01T00:00:04Z", "GIT_COMMITTER_DATE=2020-01-01T00:00:04Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git merge: %v\n%s", err, out)
	}
	write(t, dir("b/g"), "after")
	commitAt(t, top, 5, "after the merge")

	got, err := LastCommitTimes(context.Background(), []string{dir("a"), dir("b")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[dir("a")]; ok {
		t.Errorf("a answered %v: its last change lies behind the merge", got[dir("a")])
	}
	want, _ := logTime(t, dir("b"))
	if have, ok := got[dir("b")]; !ok || !have.Equal(want) {
		t.Errorf("b: %v (answered %t), git log says %v", have, ok, want)
	}
}

func TestLastCommitTimes_outsideARepositoryAnswersNothing(t *testing.T) {
	got, err := LastCommitTimes(context.Background(), []string{t.TempDir()})
	if err != nil || len(got) != 0 {
		t.Errorf("LastCommitTimes = %v, %v; want nothing, no error", got, err)
	}
}
