package planner

import (
	"slices"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

func TestPlan_chartWithAnUnresolvableDependencyIsBlockedWithTheReason(t *testing.T) {
	w := newWorld(config.SigningNone, false)
	w.chart().Package = &state.Package{Chart: "podinfo", Version: "1.2.0", FileName: "podinfo-1.2.0.tgz",
		Blocked: "chart podinfo: Chart.lock is out of date with Chart.yaml: run `helm dependency update`"}
	p := w.plan(t)
	c := change(t, p, "oci_chart.podinfo")
	if c.Action != ActionBlocked || c.Reason != w.chart().Package.Blocked || len(p.Changes) != 1 {
		t.Errorf("change %+v, plan %v; want only oci_chart.podinfo blocked with the lock reason", c, actions(p))
	}
}

func TestPlan_listsEachDependencyInTheChartChange(t *testing.T) {
	w := newWorld(config.SigningNone, false)
	w.chart().Package.Dependencies = []state.Dependency{
		{Name: "common", Constraint: "^2.4.0", Version: "2.4.1", Source: state.SourceHTTP, URL: "https://charts.example.com/common-2.4.1.tgz", Digest: d("9")},
		{Name: "redis", Alias: "cache", Version: "17.3.0", Source: state.SourceOCI, URL: "oci://ghcr.io/acme/charts/redis:17.3.0", Digest: d("8")},
	}
	got := change(t, w.plan(t), "oci_chart.podinfo").After["dependencies"]
	want := "common 2.4.1 (http https://charts.example.com/common-2.4.1.tgz, " + d("9") + "); redis as cache 17.3.0 (oci oci://ghcr.io/acme/charts/redis:17.3.0, " + d("8") + ")"
	if got != want {
		t.Errorf("dependencies = %q\nwant           %q", got, want)
	}
}

func TestPlan_aPublishedVersionStaysNoOpWhenOnlyUpstreamMovedOn(t *testing.T) {
	w := newWorld(config.SigningNone, false).published()
	o := &w.chart().OCI
	o.ManifestDigest, o.ContentDigest = d("2"), d("b")
	o.UpstreamOnly, o.NewerUpstream = true, []string{"common 2.4.1"}
	c := change(t, w.plan(t), "oci_chart.podinfo")
	if c.Action != ActionNoOp || !strings.Contains(c.Reason, "bump the chart version to take common 2.4.1") {
		t.Errorf("change %s %q, want a no-op naming common 2.4.1", c.Action, c.Reason)
	}
	o.UpstreamOnly = false
	if c := change(t, w.plan(t), "oci_chart.podinfo"); c.Action != ActionBlocked {
		t.Errorf("other own content: %s, want blocked", c.Action)
	}
}

func siblingSnap(edges map[string][]string) *state.Snapshot {
	snap := &state.Snapshot{}
	for c, deps := range edges {
		cs := state.ChartState{Name: c, Package: &state.Package{Chart: c}}
		for _, d := range deps {
			cs.Package.Dependencies = append(cs.Package.Dependencies, state.Dependency{Name: d, Sibling: true})
		}
		snap.Charts = append(snap.Charts, cs)
	}
	return snap
}

func TestChartOrder_dependenciesComeFirstAndAFailureStopsDependents(t *testing.T) {
	snap := siblingSnap(map[string][]string{"app": {"common", "lib"}, "lib": {"common"}, "common": nil, "zeta": nil})
	o, err := newChartOrder([]string{"app", "common", "lib", "zeta"}, snap)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"common", "lib", "app", "zeta"}; !slices.Equal(o.charts, want) {
		t.Errorf("order %v, want %v", o.charts, want)
	}
	o.finish("common", false)
	if err := o.wait("lib"); err == nil || !strings.Contains(err.Error(), "dependency common failed") {
		t.Errorf("lib after common failed: %v", err)
	}
	if err := o.wait("zeta"); err != nil {
		t.Errorf("an independent chart waits on nothing: %v", err)
	}
}

func TestChartOrder_aCycleIsAnErrorNamingIt(t *testing.T) {
	_, err := newChartOrder([]string{"a", "b"}, siblingSnap(map[string][]string{"a": {"b"}, "b": {"a"}}))
	if err == nil || !strings.Contains(err.Error(), "a → b → a") {
		t.Errorf("error %v, want the cycle a → b → a", err)
	}
}
