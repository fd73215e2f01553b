package planner

import (
	"fmt"
	"sort"
	"sync"

	"github.com/relctl/relctl/state"
)

// chartOrder makes Apply publish a chart's sibling dependencies (charts of
// the same spec it depends on, issue 7) before it, and skip it when one of
// them failed: a dependent's package embeds the dependency, and publishing
// it while the dependency is missing from the registry would publish a
// chart whose dependency nobody can pull.
type chartOrder struct {
	// charts lists the plan's charts, every chart after its dependencies.
	// Apply starts them in this order, so a chart waiting for its
	// dependencies never holds a slot they need: they started before it.
	charts []string
	deps   map[string][]string

	mu     sync.Mutex
	done   map[string]chan struct{}
	failed map[string]bool
}

// newChartOrder reads the sibling dependencies from the snapshot. A cycle
// is an error naming it (observation blocks such charts already; a plan
// holding one was not made by Plan).
func newChartOrder(charts []string, snap *state.Snapshot) (*chartOrder, error) {
	o := &chartOrder{deps: map[string][]string{}, done: map[string]chan struct{}{}, failed: map[string]bool{}}
	inPlan := map[string]bool{}
	for _, c := range charts {
		inPlan[c] = true
		o.done[c] = make(chan struct{})
	}
	for _, c := range charts {
		o.deps[c] = nil
		cs := snap.Chart(c)
		if cs == nil || cs.Package == nil {
			continue
		}
		for _, d := range cs.Package.Dependencies {
			if d.Sibling && inPlan[d.Name] && d.Name != c {
				o.deps[c] = append(o.deps[c], d.Name)
			}
		}
	}
	if cycle := state.SiblingCycle(o.deps); cycle != nil {
		return nil, fmt.Errorf("charts depend on each other in a cycle: %s", state.CycleString(cycle))
	}
	// Depth-first, names sorted: a stable order, dependencies first.
	names := append([]string(nil), charts...)
	sort.Strings(names)
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		next := append([]string(nil), o.deps[n]...)
		sort.Strings(next)
		for _, m := range next {
			visit(m)
		}
		o.charts = append(o.charts, n)
	}
	for _, n := range names {
		visit(n)
	}
	return o, nil
}

// wait blocks until every sibling dependency of chart is finished, and
// says which failed.
func (o *chartOrder) wait(chart string) error {
	for _, d := range o.deps[chart] {
		<-o.done[d]
		o.mu.Lock()
		failed := o.failed[d]
		o.mu.Unlock()
		if failed {
			return fmt.Errorf("chart %s: not published: its dependency %s failed in this run", chart, d)
		}
	}
	return nil
}

// finish records the outcome of chart and releases its dependents.
func (o *chartOrder) finish(chart string, ok bool) {
	o.mu.Lock()
	o.failed[chart] = !ok
	o.mu.Unlock()
	close(o.done[chart])
}
