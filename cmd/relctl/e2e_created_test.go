package main

import (
	"os"
	"os/exec"
	"testing"
)

// The index entry's created is the released commit's committer time (the
// checkout's HEAD here), not the package time (SOURCE_DATE_EPOCH or the
// chart folder's last commit).
func TestE2E_indexEntryCreatedIsTheReleasedCommitsTime(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	h := newHarness(t)
	h.withIndex()
	git := func(date string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = h.dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("", "init", "-q")
	git("2024-01-01T00:00:00Z", "add", ".")
	git("2024-01-01T00:00:00Z", "commit", "-q", "-m", "charts")
	h.write("NOTES.txt", "not a chart")
	git("2026-11-30T12:00:00Z", "add", ".")
	git("2026-11-30T12:00:00Z", "commit", "-q", "-m", "later")

	h.mustRelctl(exitOK, "apply", "--auto-approve")
	for _, name := range []string{"alpha", "beta"} {
		if e := h.pagesIndex()[name]; len(e) != 1 || e[0].Created != "2026-11-30T12:00:00Z" {
			t.Errorf("%s entries = %+v, want created 2026-11-30T12:00:00Z (HEAD's time, not the package time)", name, e)
		}
	}
}
