package helm

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/internal/chartfile"
	"github.com/relctl/relctl/state"
)

// SiblingGraph maps each chart of the spec to the charts of the same spec
// it depends on (by file:// to its folder, or by oci://<registry> naming it
// with a version that satisfies the constraint), read from Chart.yaml alone:
// offline, for ordering, cycle checks and `relctl validate`.
func SiblingGraph(charts []config.Chart, registry string) map[string][]string {
	byDir := map[string]config.Chart{}
	byName := map[string]config.Chart{}
	for _, c := range charts {
		byDir[realPath(c.Dir)] = c
		byName[c.Name] = c
	}
	registry = strings.TrimSuffix(registry, "/")
	edges := map[string][]string{}
	for _, c := range charts {
		edges[c.Name] = nil
		meta, err := loadChartfile(filepath.Join(c.Dir, chartfileName))
		if err != nil {
			continue // reported where the chart is loaded
		}
		for _, d := range meta.Dependencies {
			if d == nil {
				continue
			}
			switch {
			case strings.HasPrefix(d.Repository, "file://"):
				path := strings.TrimPrefix(d.Repository, "file://")
				if !filepath.IsAbs(path) {
					path = filepath.Join(c.Dir, path)
				}
				if sib, ok := byDir[realPath(path)]; ok {
					edges[c.Name] = append(edges[c.Name], sib.Name)
				}
			case registry != "" && strings.TrimSuffix(strings.TrimPrefix(d.Repository, "oci://"), "/") == registry && strings.HasPrefix(d.Repository, "oci://"):
				sib, ok := byName[d.Name]
				if !ok {
					continue
				}
				cons, err := semver.NewConstraint(orStar(d.Version))
				v, verr := semver.NewVersion(sib.Version)
				if err == nil && verr == nil && cons.Check(v) {
					edges[c.Name] = append(edges[c.Name], sib.Name)
				}
			}
		}
	}
	return edges
}

// inCycle returns the sibling cycle the chart is on, or nil. The graph is
// read once: a cycle must be known before packaging starts, or two charts
// would wait on each other's package.
func (p *Packager) inCycle(chart string) []string {
	p.graphOnce.Do(func() {
		p.cycles = map[string][]string{}
		edges := SiblingGraph(p.opts.Siblings, p.opts.Registry)
		for {
			cycle := state.SiblingCycle(edges)
			if cycle == nil {
				return
			}
			for _, n := range cycle {
				if p.cycles[n] == nil {
					p.cycles[n] = cycle
				}
				delete(edges, n)
			}
			// Charts left may still point at removed ones: drop those
			// edges so each remaining cycle is found on its own.
			for n, to := range edges {
				kept := to[:0]
				for _, m := range to {
					if _, ok := edges[m]; ok {
						kept = append(kept, m)
					}
				}
				edges[n] = kept
			}
		}
	})
	return p.cycles[chart]
}

// loadChartfile reads a Chart.yaml as helm's chartutil.LoadChartfile does
// (chartfile.Parse decodes it the same way), without linking chartutil into
// the binary.
func loadChartfile(filename string) (*chart.Metadata, error) {
	b, err := os.ReadFile(filename)
	if err != nil {
		return nil, err
	}
	// Decoded once per content: the spec loader decoded the same file.
	return chartfile.Parse(b)
}
