package helm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/helm/helmtest"
	"github.com/relctl/relctl/state"
)

// fastRetry keeps retries of transient failures short in tests.
var fastRetry = config.Retry{Attempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

// depChart writes charts/<name> under root with the given dependencies
// block (YAML list items, already indented) and returns its spec entry.
func depChart(t testing.TB, root, name, version, deps string) config.Chart {
	t.Helper()
	dir := filepath.Join(root, "charts", name)
	chartYAML := fmt.Sprintf("apiVersion: v2\nname: %s\nversion: %s\ndescription: the %s chart\n", name, version, name)
	if deps != "" {
		chartYAML += "dependencies:\n" + deps
	}
	writeFile(t, filepath.Join(dir, "Chart.yaml"), chartYAML, 0o644)
	writeFile(t, filepath.Join(dir, "values.yaml"), "replicas: 1\n", 0o644)
	writeFile(t, filepath.Join(dir, "templates", "configmap.yaml"),
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-"+name+"\n", 0o644)
	return config.Chart{Name: name, Version: version, Dir: dir, RelDir: "charts/" + name}
}

// repoWith starts a chart repository holding the given name@version charts.
func repoWith(t testing.TB, opts helmtest.Options, charts ...string) *helmtest.Server {
	t.Helper()
	s := helmtest.Start(opts)
	t.Cleanup(s.Close)
	for _, c := range charts {
		name, version, _ := strings.Cut(c, "@")
		if err := s.Add(helmtest.Chart(name, version, nil)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// mustPackage packages c and fails the test on an error or a block.
func mustPackage(t testing.TB, p *Packager, c config.Chart) *state.Package {
	t.Helper()
	pkg, err := p.Package(context.Background(), c)
	if err != nil {
		t.Fatalf("package %s: %v", c.Name, err)
	}
	if pkg.Blocked != "" {
		t.Fatalf("package %s blocked: %s", c.Name, pkg.Blocked)
	}
	return pkg
}

// mustBlock packages c and returns why it is blocked.
func mustBlock(t testing.TB, p *Packager, c config.Chart) string {
	t.Helper()
	pkg, err := p.Package(context.Background(), c)
	if err != nil {
		t.Fatalf("package %s: error %v, want a blocked package", c.Name, err)
	}
	if pkg.Blocked == "" || pkg.Archive != nil {
		t.Fatalf("package %s is not blocked (dependencies %v)", c.Name, pkg.Dependencies)
	}
	return pkg.Blocked
}

// archiveFiles maps an archive's entry names to their contents.
func archiveFiles(t testing.TB, archive []byte) map[string]string {
	t.Helper()
	_, entries := readArchive(t, archive)
	out := map[string]string{}
	for _, e := range entries {
		out[e.Header.Name] = e.Data
	}
	return out
}

func newTestPackager(opts Options) *Packager {
	opts.SourceDateEpoch = "1700000000"
	if opts.Retry == (config.Retry{}) {
		opts.Retry = fastRetry
	}
	return New(opts)
}

func readFileT(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
