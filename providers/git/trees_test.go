package git

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCleanTrees_onlyFoldersExactlyAsCommittedHaveATree(t *testing.T) {
	dir := gitInit(t)
	for _, c := range []string{"clean", "modified", "staged", "untracked", "ignored", "linked", "outer", "outer/inner"} {
		write(t, filepath.Join(dir, "charts", c, "Chart.yaml"), "name: "+c+"\n")
	}
	write(t, filepath.Join(dir, ".gitignore"), "*.local\n")
	if err := os.Symlink("Chart.yaml", filepath.Join(dir, "charts", "linked", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "charts")
	write(t, filepath.Join(dir, "charts", "modified", "Chart.yaml"), "name: changed\n")
	write(t, filepath.Join(dir, "charts", "staged", "values.yaml"), "a: 1\n")
	gitRun(t, dir, "add", "charts/staged/values.yaml")
	write(t, filepath.Join(dir, "charts", "untracked", "new.yaml"), "a: 1\n")
	write(t, filepath.Join(dir, "charts", "ignored", "secret.local"), "a: 1\n")
	write(t, filepath.Join(dir, "charts", "outer", "inner", "values.yaml"), "a: 1\n")
	write(t, filepath.Join(dir, "charts", "new", "Chart.yaml"), "name: new\n")
	// Beside the charts, in the folder that holds them: no chart's business.
	write(t, filepath.Join(dir, "charts", "notes.txt"), "x\n")
	write(t, filepath.Join(dir, "charts", "drafts", "values.yaml"), "a: 1\n")
	write(t, filepath.Join(dir, "charts", "scratch.local"), "x\n")

	var dirs []string
	for _, c := range []string{"clean", "modified", "staged", "untracked", "ignored", "linked", "outer", "outer/inner", "new"} {
		dirs = append(dirs, filepath.Join(dir, "charts", filepath.FromSlash(c)))
	}
	got, err := CleanTrees(context.Background(), dirs)
	if err != nil {
		t.Fatal(err)
	}
	clean := filepath.Join(dir, "charts", "clean")
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD:charts/clean").Output()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[clean] != strings.TrimSpace(string(out)) {
		t.Fatalf("CleanTrees = %v, want only %s at %s (an untracked file in outer/inner makes both unclean)", got, clean, out)
	}
}

func TestCleanTrees_outsideARepositoryNothingIsClean(t *testing.T) {
	dir := t.TempDir()
	got, err := CleanTrees(context.Background(), []string{dir})
	if err != nil || len(got) != 0 {
		t.Fatalf("CleanTrees = %v, %v; want nothing, no error", got, err)
	}
}

// BenchmarkCleanTrees500 stamps 500 chart folders: two git commands,
// whatever the count (a plan of unchanged charts runs it once).
func BenchmarkCleanTrees500(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git not installed")
	}
	dir := b.TempDir()
	var dirs []string
	for i := range 500 {
		d := filepath.Join(dir, "charts", fmt.Sprintf("chart-%03d", i))
		for _, f := range []string{"Chart.yaml", "values.yaml", "templates/cm.yaml"} {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(d, f)), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, f), []byte(d+f), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		dirs = append(dirs, d)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "charts"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	b.ResetTimer()
	for range b.N {
		got, err := CleanTrees(context.Background(), dirs)
		if err != nil || len(got) != len(dirs) {
			b.Fatalf("CleanTrees: %d clean, %v", len(got), err)
		}
	}
}
