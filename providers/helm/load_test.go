package helm

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoad_refusesASymlinkLeavingTheChart(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	writeFile(t, outside, "password: hunter2\n", 0o644)
	dir := writeChart(t, t.TempDir(), fixture{})
	if err := os.Symlink(outside, filepath.Join(dir, "templates", "x.yaml")); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{}).Package(context.Background(), chartConfig(dir))
	resolved, _ := filepath.EvalSymlinks(outside)
	want := "chart podinfo: templates/x.yaml is a symlink to " + resolved + ", outside the chart folder"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestLoad_refusesARelativeSymlinkedFolderLeavingTheChart(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "shared", "cm.yaml"), "kind: ConfigMap\n", 0o644)
	dir := writeChart(t, filepath.Join(root, "podinfo"), fixture{})
	if err := os.Symlink("../../shared", filepath.Join(dir, "templates", "shared")); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{}).Load(dir)
	if err == nil || !strings.Contains(err.Error(), "templates/shared is a symlink to") || !strings.Contains(err.Error(), "outside the chart folder") {
		t.Errorf("error %v, want one naming templates/shared as leaving the chart", err)
	}
}

func TestLoad_followsASymlinkInsideTheChart(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	writeFile(t, filepath.Join(dir, "shared", "labels.tpl"), `{{- define "podinfo.labels" -}}app: podinfo{{- end -}}`+"\n", 0o644)
	if err := os.Symlink("../shared/labels.tpl", filepath.Join(dir, "templates", "_labels.tpl")); err != nil {
		t.Fatal(err)
	}
	ch, err := New(Options{}).Load(dir)
	if err != nil {
		t.Fatalf("load a chart with an inner symlink: %v", err)
	}
	var names []string
	for _, f := range ch.Templates {
		names = append(names, f.Name)
	}
	if !slices.Contains(names, "templates/_labels.tpl") {
		t.Errorf("templates %v, want the linked templates/_labels.tpl", names)
	}
}

func TestPackage_blocksADependencyWithoutRepositoryThatIsNotVendored(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{undeclaredRedis: true})
	pkg, err := New(Options{}).Package(context.Background(), chartConfig(dir))
	want := "chart podinfo: dependency \"redis\" (version 17.x) has no repository and is not vendored in charts/"
	if err != nil || pkg.Blocked != want || pkg.Archive != nil {
		t.Errorf("package blocked %q (error %v), want blocked %q and no archive", pkg.Blocked, err, want)
	}
}

func TestLoad_refusesADeclaredDependencyThatIsNotVendored(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{undeclaredRedis: true})
	_, err := New(Options{}).Load(dir)
	if err == nil || !strings.Contains(err.Error(), `dependency "redis" (version 17.x) is not vendored`) {
		t.Errorf("error %v, want one naming the missing dependency", err)
	}
}

func TestLoad_appliesHelmignoreAndLoadsVendoredDependencies(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{vendored: true})
	ch, err := New(Options{}).Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ch.Files {
		if strings.HasSuffix(f.Name, ".bak") || strings.HasPrefix(f.Name, "scratch/") {
			t.Errorf("file %s is listed in .helmignore but was loaded", f.Name)
		}
	}
	var deps []string
	for _, d := range ch.Dependencies() {
		deps = append(deps, d.Name())
	}
	slices.Sort(deps)
	if !slices.Equal(deps, []string{"memcached", "redis"}) {
		t.Errorf("dependencies %v, want memcached and redis", deps)
	}
}

func TestLoad_refusesInvalidChartMetadata(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	writeFile(t, filepath.Join(dir, "Chart.yaml"), "apiVersion: v2\nname: podinfo\n", 0o644)
	_, err := New(Options{}).Load(dir)
	if err == nil || !strings.Contains(err.Error(), "chart "+filepath.Base(dir)) || !strings.Contains(err.Error(), "version") {
		t.Errorf("error %v, want one naming the chart and the missing version", err)
	}
}
