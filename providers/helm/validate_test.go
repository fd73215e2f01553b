package helm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
)

func TestCheckDependencies_findsEachOfflineProblemNamingChartAndDependency(t *testing.T) {
	root := t.TempDir()
	c := depChart(t, root, "app", "1.0.0",
		"  - name: redis\n    version: \"not a constraint\"\n    repository: oci://ghcr.io/acme\n"+
			"  - name: lib\n    version: 1.0.0\n    repository: file://../lib\n"+
			"  - name: stable\n    version: 1.0.0\n    repository: stable\n"+
			"  - name: local\n    version: 1.0.0\n")
	errs := New(Options{}).CheckDependencies(c)
	got := fmt.Sprint(errs)
	for _, want := range []string{
		`dependency "redis": version "not a constraint" is not a valid constraint`,
		`dependency "lib": file://../lib holds no Chart.yaml`,
		`dependency "stable": repository "stable" is neither a URL`,
		`dependency "local" has no repository and is not vendored`,
	} {
		if !strings.Contains(got, "chart app: "+want) {
			t.Errorf("problems lack %q:\n%s", want, strings.ReplaceAll(got, "] [", "]\n["))
		}
	}
	if len(errs) != 4 {
		t.Errorf("%d problems, want 4: %v", len(errs), errs)
	}
	// Two dependencies under one name: helm's loader refuses the chart.
	dup := depChart(t, root, "dup", "1.0.0", "  - name: common\n    version: 1.0.0\n    repository: https://charts.example.com\n"+
		"  - name: common\n    version: 2.0.0\n    repository: https://charts.example.com\n")
	if errs := New(Options{}).CheckDependencies(dup); len(errs) != 1 || !strings.Contains(errs[0].Error(), `chart dup`) || !strings.Contains(errs[0].Error(), `"common"`) {
		t.Errorf("duplicate names: %v", errs)
	}
	if errs := New(Options{}).CheckDependencies(depChart(t, root, "fine", "1.0.0", "  - name: common\n    version: ^1.0.0\n    repository: https://charts.example.com\n")); len(errs) != 0 {
		t.Errorf("a chart with a plain http dependency and no lock: %v", errs)
	}
}

func TestCheckSiblingCycles_namesTheCycleThroughTheSpecsRegistry(t *testing.T) {
	root := t.TempDir()
	a := depChart(t, root, "a", "1.0.0", "  - name: b\n    version: ^1.0.0\n    repository: oci://ghcr.io/acme/charts\n")
	b := depChart(t, root, "b", "1.2.0", "  - name: a\n    version: 1.0.0\n    repository: oci://ghcr.io/acme/charts/\n")
	if err := CheckSiblingCycles([]config.Chart{a, b}, "ghcr.io/acme/charts"); err == nil || !strings.Contains(err.Error(), "a → b → a") {
		t.Errorf("error %v, want the cycle a → b → a", err)
	}
	// Another registry is no sibling: no cycle.
	if err := CheckSiblingCycles([]config.Chart{a, b}, "ghcr.io/other/charts"); err != nil {
		t.Errorf("charts of another registry form a cycle: %v", err)
	}
}
