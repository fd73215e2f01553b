package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testdata is absolute, taken before any test changes the working
// directory with t.Chdir.
var testdata = func() string {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return dir
}()

// writeTree creates a temporary directory holding files (slash-separated
// path → content) and returns its path.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// chartYAML is a minimal Chart.yaml.
func chartYAML(name, version string) string {
	return "apiVersion: v2\nname: " + name + "\nversion: " + version + "\n"
}

// hermetic completes opts so that the test's own environment cannot leak
// in: env is the whole environment.
func hermetic(opts LoadOptions, env map[string]string) LoadOptions {
	opts.Getenv = func(k string) string { return env[k] }
	opts.Environ = func() []string {
		var out []string
		for k, v := range env {
			out = append(out, k+"="+v)
		}
		return out
	}
	return opts
}

// mustLoad loads a spec that must be valid.
func mustLoad(t *testing.T, opts LoadOptions) *Spec {
	t.Helper()
	p := NewParser()
	spec, diags := p.Load(opts)
	if diags.HasErrors() || spec == nil {
		t.Fatalf("Load failed:\n%s", render(t, p, diags))
	}
	return spec
}

// render writes diagnostics as a user sees them, without colors.
func render(t *testing.T, p *Parser, diags hcl.Diagnostics) string {
	t.Helper()
	var buf bytes.Buffer
	if err := p.WriteDiagnostics(&buf, diags, false); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// checkGolden compares got with testdata/<name>, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdata, filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./config/... -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// minimalSpec is the smallest valid relctl.hcl, for tests that change one
// thing about it.
const minimalSpec = `registry {
  repository = "ghcr.io/acme/charts"
}

chart "podinfo" {
  path = "podinfo"
}
`

// withPodinfo adds a valid podinfo chart to files.
func withPodinfo(files map[string]string) map[string]string {
	if _, ok := files["podinfo/Chart.yaml"]; !ok {
		files["podinfo/Chart.yaml"] = chartYAML("podinfo", "6.5.0")
	}
	return files
}

// noTempPaths fails when text holds an absolute temporary path: goldens
// must be the same on every machine.
func noTempPaths(t *testing.T, text string) {
	t.Helper()
	if tmp := os.TempDir(); strings.Contains(text, tmp) {
		t.Errorf("output contains the temporary directory %s:\n%s", tmp, text)
	}
}
