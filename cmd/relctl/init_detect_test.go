package main

import (
	"testing"
)

// A chart's vendored dependencies (charts/ inside it) are not charts to
// publish: examples/basic's webapp vendors "common".
func TestFindCharts_skipsVendoredDependencies(t *testing.T) {
	charts, err := findCharts("../../examples/basic")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range charts {
		got = append(got, c.Path+"="+c.Name)
	}
	want := []string{"charts/podinfo=podinfo", "charts/redis-cache=redis-cache", "charts/webapp=webapp"}
	if len(got) != len(want) {
		t.Fatalf("findCharts = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("findCharts[%d] = %s, want %s", i, got[i], want[i])
		}
	}
	dir, rest := chartsDir(append(charts, initChart{Path: "deploy/api", Name: "api"}), "charts")
	if dir != "charts" || len(rest) != 1 || rest[0].Name != "api" {
		t.Errorf("chartsDir = %q, %v; want charts, with api named on its own", dir, rest)
	}
}

func TestCRTemplate_mapsNameAndVersionAndRefusesTheRest(t *testing.T) {
	for in, want := range map[string]string{
		"{{ .Name }}-{{ .Version }}":         "${chart.name}-${chart.version}",
		"{{.Name}}-v{{.Version}}":            "${chart.name}-v${chart.version}",
		"release/{{ .Name }}@{{ .Version }}": "release/${chart.name}@${chart.version}",
	} {
		if got, err := crTemplate(in); err != nil || got != want {
			t.Errorf("crTemplate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"{{ .Name }}-{{ .AppVersion }}", "v{{ .Version }}"} {
		if got, err := crTemplate(in); err == nil {
			t.Errorf("crTemplate(%q) = %q, want an error", in, got)
		}
	}
}
