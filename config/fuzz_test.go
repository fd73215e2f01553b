package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
)

// The fuzz targets below run their seeds (f.Add and testdata/fuzz/<name>)
// with every `go test`, and explore with `go test -fuzz '^FuzzLoad$'`.
// Each asserts more than "no panic": what a loaded Spec promises.

// fuzzDir is a spec folder with a valid podinfo chart, made once per fuzz
// worker: iterations only rewrite the files they fuzz.
func fuzzDir(f *testing.F) string {
	dir := f.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "podinfo"), 0o755); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "podinfo", chartFile), []byte(chartYAML("podinfo", "6.5.0")), 0o644); err != nil {
		f.Fatal(err)
	}
	return dir
}

func fuzzWrite(t *testing.T, dir, rel, content string) {
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fuzzLoad loads dir hermetically and checks the promises of a Spec.
func fuzzLoad(t *testing.T, dir string) *Spec {
	p := NewParser()
	spec, diags := p.Load(hermetic(LoadOptions{Dir: dir}, map[string]string{"FUZZ": "value-from-env"}))
	if diags.HasErrors() != (spec == nil) {
		t.Fatalf("Load returned spec=%v with errors=%v", spec != nil, diags.HasErrors())
	}
	// Rendering must not fail or panic on whatever ranges came out.
	if err := p.WriteDiagnostics(discard{}, diags, true); err != nil {
		t.Fatal(err)
	}
	_ = p.DiagnosticsJSON(diags)
	if spec == nil {
		return nil
	}
	tags := map[string]bool{}
	for _, c := range spec.Charts {
		if err := CheckTagName(c.Tag); err != nil {
			t.Fatalf("chart %s loaded with tag %q: %v", c.Name, c.Tag, err)
		}
		if tags[c.Tag] {
			t.Fatalf("two charts loaded with tag %q", c.Tag)
		}
		tags[c.Tag] = true
		if _, err := semver.StrictNewVersion(c.Version); err != nil {
			t.Fatalf("chart %s loaded with version %q: %v", c.Name, c.Version, err)
		}
		if !chartNameRe.MatchString(c.Name) {
			t.Fatalf("chart loaded with name %q", c.Name)
		}
	}
	return spec
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

// FuzzLoad: any relctl.hcl either loads into a Spec that keeps its
// promises or gives errors; never a panic.
func FuzzLoad(f *testing.F) {
	f.Add(minimalSpec)
	f.Add(fullSpec)
	f.Add(minimalSpec + "release {\n  tag = \"${chart.name}/v${chart.version}\"\n}\n")
	f.Add(minimalSpec + "variable \"t\" {\n  sensitive = true\n  default = \"x\"\n}\nlocals {\n  a = local.b\n  b = local.a\n}\n")
	dir := fuzzDir(f)
	f.Fuzz(func(t *testing.T, spec string) {
		fuzzWrite(t, dir, FileName, spec)
		fuzzLoad(t, dir)
	})
}

// FuzzChartYAML: whatever Chart.yaml holds, a chart that loads has a name
// usable in an OCI reference and a strict semver version.
func FuzzChartYAML(f *testing.F) {
	f.Add(chartYAML("podinfo", "6.5.0"))
	f.Add(chartYAML("podinfo", "1.0.0-rc.1+build.5"))
	f.Add("apiVersion: v2\nname: podinfo\nversion: 1.0\n")
	f.Add("name: [podinfo]\nversion: {a: 1}\n")
	dir := fuzzDir(f)
	f.Fuzz(func(t *testing.T, chart string) {
		fuzzWrite(t, dir, FileName, minimalSpec)
		fuzzWrite(t, dir, "podinfo/"+chartFile, chart)
		fuzzLoad(t, dir)
	})
}

// FuzzReleaseTagTemplate: whatever release.tag evaluates to for a chart of
// whatever version, a spec that loads has tags git and GitHub accept.
func FuzzReleaseTagTemplate(f *testing.F) {
	f.Add("${chart.name}-v${chart.version}", "6.5.0")
	f.Add("-${chart.name}-v${chart.version}", "6.5.0")
	f.Add("refs/heads/${chart.name}", "1.0.0")
	f.Add("${chart.name}/${chart.version}.lock", "1.0.0-a..b")
	f.Add("%{ if chart.version != \"\" }${upper(chart.name)}%{ endif }@{${env(\"FUZZ\")}}", "1.2.3+x")
	dir := fuzzDir(f)
	f.Fuzz(func(t *testing.T, tag, version string) {
		fuzzWrite(t, dir, FileName, minimalSpec+"release {\n  tag = \""+tag+"\"\n}\n")
		fuzzWrite(t, dir, "podinfo/"+chartFile, "apiVersion: v2\nname: podinfo\nversion: '"+version+"'\n")
		fuzzLoad(t, dir)
	})
}

// FuzzCheckTagName: the rule never panics and never accepts a name with a
// character git forbids anywhere in a ref.
func FuzzCheckTagName(f *testing.F) {
	for _, s := range []string{"podinfo-v1.2.0", "a..b", "-x", "refs/tags/x", "a/.b", "x.lock", "@", "a@{b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckTagName(name) != nil {
			return
		}
		for _, bad := range []string{"..", "@{", "//", " ", "~", "^", ":", "?", "*", "[", `\`} {
			if strings.Contains(name, bad) {
				t.Fatalf("CheckTagName accepted %q, which holds %q", name, bad)
			}
		}
	})
}
