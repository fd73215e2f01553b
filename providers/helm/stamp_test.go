package helm

import (
	"context"
	"crypto/sha256"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/relctl/relctl/state"
)

// committedChart writes the podinfo chart into a fresh git repository and
// commits it.
func committedChart(t *testing.T, f fixture, chartYAMLExtra string, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	dir := writeChart(t, filepath.Join(repo, "charts", testName), f)
	if chartYAMLExtra != "" {
		writeFile(t, filepath.Join(dir, "Chart.yaml"), chartYAML+chartYAMLExtra, 0o644)
	}
	for name, body := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), body, 0o644)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "chart"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

func TestSourceStamp_aCommittedChartIsStampedAndItsPackageRecordsTheStamp(t *testing.T) {
	dir := committedChart(t, fixture{}, "dependencies:\n  - name: common\n    version: 0.1.0\n", map[string]string{
		"charts/common/Chart.yaml":           "apiVersion: v2\nname: common\ntype: library\nversion: 0.1.0\n",
		"charts/common/templates/_names.tpl": "{{- define \"common.name\" -}}{{ .Chart.Name }}{{- end -}}\n",
	})
	p := New(Options{SourceDateEpoch: "1700000000"})
	c := chartConfig(dir)
	stamp, cfg, ok, err := p.SourceStamp(context.Background(), c)
	if err != nil || !ok {
		t.Fatalf("SourceStamp = %q, %v, %v; want a stamp", stamp, ok, err)
	}
	pkg, err := p.Package(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	// The config the stamp predicts is the one the package carries: a
	// plan compares the two by digest.
	if sha256.Sum256(cfg) != sha256.Sum256(pkg.Config) {
		t.Fatalf("stamp config %s\n≠ package config %s", cfg, pkg.Config)
	}
	if pkg.Annotations[state.AnnotationSource] != stamp || pkg.Annotations[state.AnnotationContent] != pkg.ContentDigest || pkg.Annotations[state.AnnotationDependencies] == "" {
		t.Fatalf("package annotations %v, want the stamp %s, content and dependencies", pkg.Annotations, stamp)
	}
}

// A dependency from a repository may resolve to another release from one
// run to the next (a range, a re-published version): the tree cannot say,
// so the chart is packaged every time, and its manifest carries no stamp.
func TestSourceStamp_aChartWithARepositoryDependencyIsNotStamped(t *testing.T) {
	dir := committedChart(t, fixture{}, "dependencies:\n  - name: redis\n    version: \"~17.3.0\"\n    repository: https://charts.example.com\n", nil)
	p := New(Options{SourceDateEpoch: "1700000000", Offline: true})
	if stamp, _, ok, err := p.SourceStamp(context.Background(), chartConfig(dir)); err != nil || ok {
		t.Fatalf("SourceStamp = %q, %v, %v; want none", stamp, ok, err)
	}
}

func TestSourceStamp_anUncommittedChartIsNotStamped(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	p := New(Options{SourceDateEpoch: "1700000000"})
	if stamp, _, ok, err := p.SourceStamp(context.Background(), chartConfig(dir)); err != nil || ok {
		t.Fatalf("SourceStamp = %q, %v, %v; want none", stamp, ok, err)
	}
	pkg, err := p.Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pkg.Annotations[state.AnnotationSource]; ok {
		t.Fatalf("an unstamped package's annotations: %v", pkg.Annotations)
	}
}
