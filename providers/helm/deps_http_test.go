package helm

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"sigs.k8s.io/yaml"

	"github.com/relctl/relctl/providers/helm/helmtest"
	"github.com/relctl/relctl/state"
)

func TestResolve_httpConstraintPicksTheVersionHelmWould(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.2.3", "common@1.3.0", "common@1.10.1", "common@2.0.0",
		"common@2.1.0-rc.1", "common@0.9.0")
	for _, tc := range []struct{ constraint, want string }{
		{"1.2.3", "1.2.3"},
		{"^1.2.0", "1.10.1"},
		{"~1.2.0", "1.2.3"},
		{"1.x", "1.10.1"},
		{"*", "2.0.0"},
		{">=1.3.0 <2.0.0", "1.10.1"},
		{">= 2.1.0-0", "2.1.0-rc.1"}, // a pre-release only when the constraint names one
		{"~0.9", "0.9.0"},
	} {
		t.Run(tc.constraint, func(t *testing.T) {
			root := t.TempDir()
			c := depChart(t, root, "app", "1.0.0", "  - name: common\n    version: \""+tc.constraint+"\"\n    repository: "+repo.URL()+"\n")
			pkg := mustPackage(t, newTestPackager(Options{}), c)
			if len(pkg.Dependencies) != 1 || pkg.Dependencies[0].Version != tc.want {
				t.Fatalf("constraint %q resolved to %+v, want common %s", tc.constraint, pkg.Dependencies, tc.want)
			}
			d := pkg.Dependencies[0]
			if d.Source != state.SourceHTTP || !strings.HasPrefix(d.URL, repo.URL()+"/charts/common-"+tc.want) || !strings.HasPrefix(d.Digest, "sha256:") {
				t.Errorf("dependency recorded as %+v", d)
			}
			files := archiveFiles(t, pkg.Archive)
			if !strings.Contains(files["app/charts/common/Chart.yaml"], "version: "+tc.want) {
				t.Errorf("package lacks app/charts/common at %s: %v", tc.want, files["app/charts/common/Chart.yaml"])
			}
		})
	}
}

func TestResolve_httpAbsoluteEntryURLs(t *testing.T) {
	repo := repoWith(t, helmtest.Options{AbsoluteURLs: true}, "common@1.0.0")
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: 1.0.0\n    repository: "+repo.URL()+"/\n")
	pkg := mustPackage(t, newTestPackager(Options{}), c)
	if got := pkg.Dependencies[0].URL; got != repo.URL()+"/charts/common-1.0.0.tgz" {
		t.Errorf("archive URL %s", got)
	}
}

// TestPackage_dependenciesLaidOutAsHelmDependencyUpdateThenPackage builds
// what `helm dependency update && helm package` would: the downloaded
// archive in charts/, the lock beside Chart.yaml, packaged by helm's own
// chartutil.Save. relctl's package must hold the same entries, byte for byte.
func TestPackage_dependenciesLaidOutAsHelmDependencyUpdateThenPackage(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.0.0", "common@1.1.0", "redis@17.3.0")
	root := t.TempDir()
	c := depChart(t, root, "app", "1.0.0", "  - name: common\n    version: ~1.0.0\n    repository: "+repo.URL()+"\n"+
		"  - name: redis\n    alias: cache\n    version: 17.x\n    repository: "+repo.URL()+"\n    condition: cache.enabled\n")
	pkg := mustPackage(t, newTestPackager(Options{}), c)

	// The lock relctl wrote is helm's: the same digest rule.
	got, err := loader.LoadArchive(strings.NewReader(string(pkg.Archive)))
	if err != nil {
		t.Fatalf("helm cannot load the package: %v", err)
	}
	if got.Lock == nil || len(got.Lock.Dependencies) != 2 || got.Lock.Dependencies[0].Version != "1.0.0" || got.Lock.Dependencies[1].Version != "17.3.0" {
		t.Fatalf("package Chart.lock = %+v", got.Lock)
	}
	if sum, _ := hashReq(got.Metadata.Dependencies, got.Lock.Dependencies); sum != got.Lock.Digest {
		t.Errorf("lock digest %s, helm's rule gives %s", got.Lock.Digest, sum)
	}

	// What helm would have in the folder after `helm dependency update`.
	helmDir := filepath.Join(t.TempDir(), "app")
	copyDir(t, c.Dir, helmDir)
	for _, f := range []string{"common-1.0.0.tgz", "redis-17.3.0.tgz"} {
		writeFile(t, filepath.Join(helmDir, "charts", f), string(helmtest.Chart(strings.Split(f, "-")[0], strings.TrimSuffix(strings.Split(f, "-")[1], ".tgz"), nil)), 0o644)
	}
	lock, _ := yaml.Marshal(got.Lock)
	writeFile(t, filepath.Join(helmDir, "Chart.lock"), string(lock), 0o644)

	_, want := readArchive(t, helmSave(t, helmDir))
	_, ours := readArchive(t, pkg.Archive)
	if len(want) != len(ours) {
		t.Fatalf("entries: relctl %v, helm %v", entryNames(ours), entryNames(want))
	}
	for i := range want {
		if want[i].Header.Name != ours[i].Header.Name || want[i].Data != ours[i].Data {
			t.Errorf("entry %d: relctl %s, helm %s (or contents differ)", i, ours[i].Header.Name, want[i].Header.Name)
		}
	}
	// And helm loads both dependencies from it (in no set order: helm's
	// loader gathers subcharts in a map).
	var names []string
	for _, d := range got.Dependencies() {
		names = append(names, d.Name())
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "common,redis" {
		t.Errorf("helm sees dependencies %v, want common and redis", names)
	}
}

func TestPackage_twoAliasesOfOneChartEmbedItOnce(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "alloy@1.4.0")
	c := depChart(t, t.TempDir(), "sampling", "1.0.0",
		"  - name: alloy\n    alias: alloy-deployment\n    version: 1.4.0\n    repository: "+repo.URL()+"\n"+
			"  - name: alloy\n    alias: alloy-statefulset\n    version: 1.4.0\n    repository: "+repo.URL()+"\n")
	pkg := mustPackage(t, newTestPackager(Options{}), c)
	n := 0
	for name := range archiveFiles(t, pkg.Archive) {
		if name == "sampling/charts/alloy/Chart.yaml" {
			n++
		}
	}
	if n != 1 || len(pkg.Dependencies) != 2 || repo.Count("/charts/alloy-1.4.0.tgz", 200) != 1 {
		t.Errorf("alloy embedded %d times, %d dependencies recorded, %d downloads", n, len(pkg.Dependencies), repo.Count("/charts/alloy-1.4.0.tgz", 200))
	}
}

func TestPackage_vendoredDependencyIsUsedAsItIsAndNeverDownloaded(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.0.0", "common@1.5.0")
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: 1.x\n    repository: "+repo.URL()+"\n")
	writeFile(t, filepath.Join(c.Dir, "charts", "common-1.0.0.tgz"), string(helmtest.Chart("common", "1.0.0", nil)), 0o644)
	pkg := mustPackage(t, newTestPackager(Options{}), c)
	if d := pkg.Dependencies[0]; d.Source != state.SourceVendored || d.Version != "1.0.0" {
		t.Errorf("dependency %+v, want the vendored common 1.0.0", d)
	}
	if n := len(repo.Requests()); n != 0 {
		t.Errorf("a vendored dependency caused %d requests: %v", n, repo.Requests())
	}
	if _, ok := archiveFiles(t, pkg.Archive)["app/Chart.lock"]; ok {
		t.Errorf("a chart whose dependencies are all vendored got a Chart.lock, unlike `helm package`")
	}
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		writeFile(t, filepath.Join(to, rel), readFileT(t, p), 0o644)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
