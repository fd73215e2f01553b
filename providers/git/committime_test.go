package git

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCommitTime_isTheCommittersDateNotTheAuthors(t *testing.T) {
	dir := gitInit(t)
	write(t, filepath.Join(dir, "Chart.yaml"), "a")
	gitRun(t, dir, "add", ".")
	cmd := exec.Command("git", "commit", "-q", "-m", "one")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_DATE=2020-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2021-06-07T08:09:10+02:00")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git commit: %v\n%s", err, out)
	}
	sha, err := Head(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := CommitTime(context.Background(), dir, sha)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2021, 6, 7, 6, 9, 10, 0, time.UTC)
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("CommitTime = %v, want %v in UTC", got, want)
	}
}

func TestCommitTime_unknownCommitIsAnError(t *testing.T) {
	dir := gitInit(t)
	write(t, filepath.Join(dir, "Chart.yaml"), "a")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "one")
	for _, sha := range []string{strings.Repeat("ab", 20), "--help", ""} {
		if got, err := CommitTime(context.Background(), dir, sha); err == nil {
			t.Errorf("CommitTime(%q) = %v, want an error (no such commit)", sha, got)
		}
	}
}
