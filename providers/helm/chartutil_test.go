package helm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chartutil"
)

// The package keeps its own copies of what it used from chartutil, so that
// chartutil (and Kubernetes' API types with it) stays out of the binary.
// These tests hold the copies to helm's when helm is upgraded.

func TestChartFileNames_areChartutils(t *testing.T) {
	for _, c := range []struct{ ours, helms string }{
		{chartfileName, chartutil.ChartfileName},
		{valuesfileName, chartutil.ValuesfileName},
		{schemafileName, chartutil.SchemafileName},
		{chartsDir, chartutil.ChartsDir},
	} {
		if c.ours != c.helms {
			t.Errorf("file name %q, helm's chartutil says %q", c.ours, c.helms)
		}
	}
	if got, want := (errInvalidChartName{name: "../x"}).Error(), (chartutil.ErrInvalidChartName{Name: "../x"}).Error(); got != want {
		t.Errorf("invalid chart name error %q, helm's %q", got, want)
	}
}

func TestLoadChartfile_readsWhatChartutilReads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Chart.yaml")
	yaml := "apiVersion: v2\nname: web\nversion: 1.2.3\nannotations:\n  a: b\ndependencies:\n  - name: redis\n    version: ~17.0\n    repository: oci://ghcr.io/acme/charts\n    alias: cache\n"
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := loadChartfile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := chartutil.LoadChartfile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Chart.yaml read differently from chartutil (-helm +ours):\n%s", diff)
	}
	if got.Dependencies[0].Alias != "cache" {
		t.Errorf("dependency alias %q, want cache", got.Dependencies[0].Alias)
	}

	if _, err := loadChartfile(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a missing Chart.yaml loads")
	}
	if err := os.WriteFile(path, []byte("name: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadChartfile(path); err == nil {
		t.Error("a malformed Chart.yaml loads")
	}
}
