package helm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relctl/relctl/config"
)

// isolateGit keeps git from finding a repository above dir and from reading
// the machine's git configuration.
func isolateGit(t *testing.T, dir string) {
	t.Helper()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("HOME", dir)
}

func git(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func entryTimes(t *testing.T, archive []byte) map[time.Time]int {
	t.Helper()
	_, entries := readArchive(t, archive)
	times := map[time.Time]int{}
	for _, e := range entries {
		times[e.Header.ModTime.UTC()]++
	}
	return times
}

func TestPackage_datesEveryEntryAtSourceDateEpoch(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{vendored: true})
	pkg, err := New(Options{SourceDateEpoch: "1234567890"}).Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Unix(1234567890, 0).UTC()
	if !pkg.Created.Equal(want) {
		t.Errorf("created %s, want %s", pkg.Created, want)
	}
	times := entryTimes(t, pkg.Archive)
	if len(times) != 1 || times[want] == 0 {
		t.Errorf("entry mtimes %v, want every entry at %s", times, want)
	}
}

func TestPackage_datesEntriesAtTheLastCommitTouchingTheChart(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	repo := t.TempDir()
	isolateGit(t, repo)
	dir := writeChart(t, filepath.Join(repo, "charts", "podinfo"), fixture{})
	git(t, repo, nil, "init", "-q")
	git(t, repo, nil, "add", ".")
	git(t, repo, []string{"GIT_COMMITTER_DATE=@1600000000 +0000", "GIT_AUTHOR_DATE=@1500000000 +0000"}, "commit", "-q", "-m", "podinfo")
	// A later commit elsewhere in the repository does not date the chart.
	writeFile(t, filepath.Join(repo, "other", "file.txt"), "x\n", 0o644)
	git(t, repo, nil, "add", ".")
	git(t, repo, []string{"GIT_COMMITTER_DATE=@1700000000 +0000"}, "commit", "-q", "-m", "other")

	pkg, err := New(Options{}).Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Unix(1600000000, 0).UTC()
	if !pkg.Created.Equal(want) {
		t.Errorf("created %s, want the chart's last committer time %s", pkg.Created, want)
	}
	if times := entryTimes(t, pkg.Archive); len(times) != 1 || times[want] == 0 {
		t.Errorf("entry mtimes %v, want every entry at %s", times, want)
	}
}

func TestPackage_datesEntriesAtTheEpochOutsideGit(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	isolateGit(t, dir)
	pkg, err := New(Options{}).Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(0, 0).UTC(); !pkg.Created.Equal(want) {
		t.Errorf("created %s, want %s", pkg.Created, want)
	}
}

func TestPackage_datesEntriesAtTheEpochInARepositoryWithoutCommits(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	dir := writeChart(t, t.TempDir(), fixture{})
	isolateGit(t, dir)
	git(t, dir, nil, "init", "-q")
	pkg, err := New(Options{}).Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(0, 0).UTC(); !pkg.Created.Equal(want) {
		t.Errorf("created %s, want %s", pkg.Created, want)
	}
}

func TestPackage_failsWhenGitFailsInsideARepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	// Falling back to the epoch here would give another digest than on a
	// machine where git works.
	dir := writeChart(t, t.TempDir(), fixture{})
	isolateGit(t, dir)
	writeFile(t, filepath.Join(dir, ".git"), "not a gitdir line\n", 0o644)
	_, err := New(Options{}).Package(context.Background(), chartConfig(dir))
	if err == nil || !strings.Contains(err.Error(), "last commit time") {
		t.Errorf("error %v, want one about reading the last commit time", err)
	}
}

func TestPackage_refusesAMalformedSourceDateEpoch(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	_, err := New(Options{SourceDateEpoch: "2024-01-01"}).Package(context.Background(), chartConfig(dir))
	if err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
		t.Errorf("error %v, want one naming SOURCE_DATE_EPOCH", err)
	}
}

// The package time of every chart folder comes from one walk over the
// history when it can (batchedCommitTime), and agrees with git log of the
// folder alone; a folder whose last change lies behind a merge is asked
// about alone, and agrees too.
func TestPackageTime_oneWalkForEveryChartAgreesWithGitLogOfEach(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	repo := t.TempDir()
	isolateGit(t, repo)
	at := func(secs int) []string {
		d := "GIT_COMMITTER_DATE=@" + strconv.Itoa(secs) + " +0000"
		return []string{d, "GIT_AUTHOR_DATE=@1500000000 +0000"}
	}
	for _, c := range []string{"a", "b", "merged"} {
		writeFile(t, filepath.Join(repo, "charts", c, "Chart.yaml"), "name: "+c+"\n", 0o644)
	}
	git(t, repo, nil, "init", "-q", "-b", "main")
	git(t, repo, nil, "add", ".")
	git(t, repo, at(1600000000), "commit", "-q", "-m", "all")
	git(t, repo, nil, "checkout", "-q", "-b", "side")
	writeFile(t, filepath.Join(repo, "charts", "merged", "values.yaml"), "x: 1\n", 0o644)
	git(t, repo, nil, "add", ".")
	git(t, repo, at(1610000000), "commit", "-q", "-m", "side")
	git(t, repo, nil, "checkout", "-q", "main")
	writeFile(t, filepath.Join(repo, "charts", "b", "values.yaml"), "x: 1\n", 0o644)
	git(t, repo, nil, "add", ".")
	git(t, repo, at(1620000000), "commit", "-q", "-m", "b")
	git(t, repo, at(1630000000), "merge", "-q", "--no-ff", "-m", "merge", "side")
	writeFile(t, filepath.Join(repo, "charts", "a", "values.yaml"), "x: 1\n", 0o644)
	git(t, repo, nil, "add", ".")
	git(t, repo, at(1640000000), "commit", "-q", "-m", "a")

	var sibs []config.Chart
	for _, c := range []string{"a", "b", "merged"} {
		sibs = append(sibs, config.Chart{Name: c, Version: "1.0.0", Dir: filepath.Join(repo, "charts", c)})
	}
	p := New(Options{Siblings: sibs})
	ctx := context.Background()
	for _, c := range sibs {
		got, err := p.packageTime(ctx, c.Dir)
		if err != nil {
			t.Fatal(err)
		}
		want, ok, err := gitCommitTime(ctx, c.Dir)
		if err != nil || !ok {
			t.Fatalf("%s: git log: %v, %t", c.Name, err, ok)
		}
		if !got.Equal(want) {
			t.Errorf("%s: package time %v, git log of the folder says %v", c.Name, got, want)
		}
		// a is answered before the walk meets the merge; the others lie
		// behind it.
		if _, batched := p.batchedCommitTime(ctx, c.Dir); batched != (c.Name == "a") {
			t.Errorf("%s: answered by the walk = %t", c.Name, batched)
		}
	}
}
