package helm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/relctl/relctl/providers/helm/helmtest"
)

// The grafana charts' Chart.lock files were written by a real `helm
// dependency update`: helm's digest rule must find them in sync.
func TestLockInSync_realGrafanaLocksAreInSyncByHelmsRule(t *testing.T) {
	p := New(Options{})
	for _, name := range []string{"tempo-distributed", "grafana-sampling"} {
		ok, err := p.LockInSync(filepath.Join("testdata", "grafana-helm-charts", "charts", name))
		if err != nil || !ok {
			t.Errorf("%s: in sync = %t (%v), want true", name, ok, err)
		}
	}
}

func TestLockInSync_anEditedConstraintPutsTheRealLockOutOfSync(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tempo-distributed")
	copyDir(t, filepath.Join("testdata", "grafana-helm-charts", "charts", "tempo-distributed"), dir)
	y := readFileT(t, filepath.Join(dir, "Chart.yaml"))
	writeFile(t, filepath.Join(dir, "Chart.yaml"), strings.Replace(y, "version: 0.40.0", "version: 0.41.0", 1), 0o644)
	ok, err := New(Options{}).LockInSync(dir)
	if err != nil || ok {
		t.Errorf("in sync = %t (%v) after editing a constraint, want false", ok, err)
	}
}

// writeLock writes the Chart.lock helm would for these requirement and
// locked versions (the digest by helm's rule).
func writeLock(t testing.TB, dir string, lockYAML func(digest string) string) {
	t.Helper()
	ch, err := loader.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	probe := lockYAML("")
	writeFile(t, filepath.Join(dir, "Chart.lock"), probe, 0o644)
	locked, err := loader.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := hashReq(ch.Metadata.Dependencies, locked.Lock.Dependencies)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "Chart.lock"), lockYAML(sum), 0o644)
}

func TestResolve_lockInSyncPinsItsVersionsAndIsKeptInThePackage(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.0.0", "common@1.4.0")
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: ^1.0.0\n    repository: "+repo.URL()+"\n")
	lock := func(d string) string {
		return "dependencies:\n- name: common\n  repository: " + repo.URL() + "\n  version: 1.0.0\ndigest: " + d + "\ngenerated: \"2024-01-02T03:04:05Z\"\n"
	}
	writeLock(t, c.Dir, lock)
	pkg := mustPackage(t, newTestPackager(Options{}), c)
	if pkg.Dependencies[0].Version != "1.0.0" || !pkg.LockCommitted {
		t.Errorf("resolved %+v (lock committed %t), want the locked 1.0.0 although 1.4.0 satisfies ^1.0.0", pkg.Dependencies, pkg.LockCommitted)
	}
	if got := archiveFiles(t, pkg.Archive)["app/Chart.lock"]; !strings.Contains(got, "2024-01-02T03:04:05Z") || !strings.Contains(got, "version: 1.0.0") {
		t.Errorf("packaged Chart.lock is not the committed one:\n%s", got)
	}
}

func TestResolve_lockOutOfSyncBlocksTheChart(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.0.0", "common@2.0.0")
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: ^1.0.0\n    repository: "+repo.URL()+"\n")
	writeLock(t, c.Dir, func(d string) string {
		return "dependencies:\n- name: common\n  repository: " + repo.URL() + "\n  version: 1.0.0\ndigest: " + d + "\ngenerated: \"2024-01-02T03:04:05Z\"\n"
	})
	// The constraint moves on; the lock does not.
	writeFile(t, filepath.Join(c.Dir, "Chart.yaml"), strings.Replace(readFileT(t, filepath.Join(c.Dir, "Chart.yaml")), "^1.0.0", "^2.0.0", 1), 0o644)
	why := mustBlock(t, newTestPackager(Options{}), c)
	if want := "chart app: Chart.lock is out of date with Chart.yaml: run `helm dependency update`"; why != want {
		t.Errorf("blocked %q, want %q", why, want)
	}
	if n := len(repo.Requests()); n != 0 {
		t.Errorf("an out-of-date lock still caused %d requests", n)
	}
}

func TestResolve_withoutLockThePackageCarriesTheLockOfWhatItHolds(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.0.0", "common@1.4.0")
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: ^1.0.0\n    repository: "+repo.URL()+"\n")
	pkg := mustPackage(t, newTestPackager(Options{}), c)
	lock := archiveFiles(t, pkg.Archive)["app/Chart.lock"]
	for _, want := range []string{"version: 1.4.0", "repository: " + repo.URL(), "digest: sha256:", "generated: \"2023-11-14T22:13:20Z\""} {
		if !strings.Contains(lock, want) {
			t.Errorf("packaged Chart.lock lacks %q:\n%s", want, lock)
		}
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "Chart.lock")); err == nil {
		t.Errorf("relctl wrote a Chart.lock into the chart folder")
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "charts")); err == nil {
		t.Errorf("relctl wrote into the chart's charts/ folder")
	}
}
