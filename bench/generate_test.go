package bench

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/helm"
)

// TestGenerate_writesAWorkspaceRelctlLoadsAndPackages proves the generated
// monorepo is one relctl accepts: the spec loads with every chart, key
// signing and releases, and a chart with a vendored dependency packages
// with it inside.
func TestGenerate_writesAWorkspaceRelctlLoadsAndPackages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ws, err := Generate(ctx, dir, DependencyEvery, "127.0.0.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	spec, diags := config.NewParser().Load(config.LoadOptions{Dir: dir, Getenv: func(string) string { return "" }, Environ: func() []string { return nil }})
	if diags.HasErrors() {
		t.Fatalf("the generated relctl.hcl does not load: %s", diags.Error())
	}
	if len(spec.Charts) != DependencyEvery || spec.GitHub == nil || spec.Signing.Mode != config.SigningKey {
		t.Fatalf("spec has %d charts, github %v, signing %q; want %d charts, releases and key signing",
			len(spec.Charts), spec.GitHub, spec.Signing.Mode, DependencyEvery)
	}
	if _, err := os.Stat(filepath.Join(dir, "cosign.key")); err != nil {
		t.Errorf("no cosign key: %v", err)
	}
	withDep := spec.Charts[DependencyEvery-1]
	pkg, err := helm.New(helm.Options{SourceDateEpoch: "1767225600"}).Package(ctx, withDep)
	if err != nil {
		t.Fatalf("package %s: %v", withDep.Name, err)
	}
	if !tarHas(t, pkg.Archive, withDep.Name+"/charts/common/Chart.yaml") {
		t.Errorf("%s was packaged without its vendored dependency", withDep.Name)
	}

	if err := ws.Bump(ctx, 0, "1.0.1"); err != nil {
		t.Fatal(err)
	}
	spec, _ = config.NewParser().Load(config.LoadOptions{Dir: dir, Getenv: func(string) string { return "" }, Environ: func() []string { return nil }})
	if got := spec.Charts[0].Version; got != "1.0.1" {
		t.Errorf("after Bump, %s is at %s, want 1.0.1", spec.Charts[0].Name, got)
	}
}

func tarHas(t *testing.T, archive []byte, name string) bool {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return false
		}
		if h.Name == name {
			return true
		}
	}
}
