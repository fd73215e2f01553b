package helm

import (
	"archive/tar"
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

func TestPackage_matchesHelmSaveExceptModTime(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{vendored: true})
	pkg, err := New(Options{SourceDateEpoch: "1700000000"}).Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	helmArchive := helmSave(t, dir)

	gotGzip, got := readArchive(t, pkg.Archive)
	wantGzip, want := readArchive(t, helmArchive)
	if diff := cmp.Diff(wantGzip, gotGzip); diff != "" {
		t.Errorf("gzip header (-helm +relctl):\n%s", diff)
	}
	if diff := cmp.Diff(entryNames(want), entryNames(got)); diff != "" {
		t.Fatalf("entry names and order (-helm +relctl):\n%s", diff)
	}
	for _, e := range got {
		if !e.Header.ModTime.Equal(pkg.Created) {
			t.Errorf("%s: ModTime %s, want the package time %s", e.Header.Name, e.Header.ModTime, pkg.Created)
		}
	}
	// Everything else, header field by header field, is helm's.
	if diff := cmp.Diff(want, got, cmp.Transformer("noModTime", func(h tar.Header) tar.Header {
		h.ModTime = time.Time{}
		return h
	})); diff != "" {
		t.Errorf("entries other than ModTime (-helm +relctl):\n%s", diff)
	}
}

func TestPackage_layoutHasVendoredDependenciesUnderCharts(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{vendored: true})
	pkg, err := New(Options{SourceDateEpoch: "0"}).Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	_, entries := readArchive(t, pkg.Archive)
	want := []string{
		"podinfo/Chart.yaml",
		"podinfo/Chart.lock",
		"podinfo/values.yaml",
		"podinfo/values.schema.json",
		"podinfo/templates/NOTES.txt",
		"podinfo/templates/_helpers.tpl",
		"podinfo/templates/deployment.yaml",
		"podinfo/.helmignore",
		"podinfo/README.md",
		"podinfo/files/config.txt",
		// The vendored .tgz is unpacked, as helm does.
		"podinfo/charts/memcached/Chart.yaml",
		"podinfo/charts/memcached/templates/cm.yaml",
		"podinfo/charts/redis/Chart.yaml",
		"podinfo/charts/redis/values.yaml",
		"podinfo/charts/redis/templates/service.yaml",
	}
	if diff := cmp.Diff(want, entryNames(entries)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestPackage_archiveLoadsAndRendersWithHelm(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{vendored: true})
	pkg, err := New(Options{SourceDateEpoch: "0"}).Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(pkg.Archive))
	if err != nil {
		t.Fatalf("helm cannot load the package: %v", err)
	}
	if ch.Name() != "podinfo" || ch.Metadata.Version != "1.2.0" || len(ch.Dependencies()) != 2 {
		t.Fatalf("loaded %s %s with %d dependencies, want podinfo 1.2.0 with 2", ch.Name(), ch.Metadata.Version, len(ch.Dependencies()))
	}
	vals, err := chartutil.ToRenderValues(ch, nil, chartutil.ReleaseOptions{Name: "web", Namespace: "default"}, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatalf("render values: %v", err)
	}
	out, err := engine.Render(ch, vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if diff := cmp.Diff(wantDeployment, out["podinfo/templates/deployment.yaml"]); diff != "" {
		t.Errorf("rendered deployment (-want +got):\n%s", diff)
	}
	if got, want := out["podinfo/charts/redis/templates/service.yaml"], "kind: Service\nmetadata:\n  name: web-redis\n"; got != want {
		t.Errorf("rendered redis service = %q, want %q", got, want)
	}
}

func TestPackage_matchesHelmSaveForAV1ChartWithRequirements(t *testing.T) {
	// apiVersion v1 keeps dependencies in requirements.yaml, which Save
	// writes as a file while leaving them out of Chart.yaml.
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Chart.yaml":                      "apiVersion: v1\nname: legacy\nversion: 0.1.0\n",
		"requirements.yaml":               "dependencies:\n  - name: redis\n    version: 17.x\n",
		"requirements.lock":               "dependencies:\n- name: redis\n  version: 17.3.0\ndigest: sha256:00\n",
		"templates/cm.yaml":               "kind: ConfigMap\n",
		"charts/redis/Chart.yaml":         "apiVersion: v2\nname: redis\nversion: 17.3.0\n",
		"charts/redis/templates/svc.yaml": "kind: Service\n",
	} {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), body, 0o644)
	}
	c := chartConfig(dir)
	c.Name, c.Version = "legacy", "0.1.0"
	pkg, err := New(Options{SourceDateEpoch: "0"}).Package(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	_, got := readArchive(t, pkg.Archive)
	_, want := readArchive(t, helmSave(t, dir))
	if diff := cmp.Diff(want, got, cmp.Transformer("noModTime", func(h tar.Header) tar.Header {
		h.ModTime = time.Time{}
		return h
	})); diff != "" {
		t.Errorf("entries other than ModTime (-helm +relctl):\n%s", diff)
	}
	if strings.Contains(got[0].Data, "dependencies") {
		t.Errorf("legacy/Chart.yaml lists dependencies:\n%s", got[0].Data)
	}
}
