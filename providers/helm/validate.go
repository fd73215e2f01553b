package helm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// CheckDependencies checks a chart's dependencies offline, as far as that
// goes without fetching: every dependency has a name, a valid constraint
// and a repository relctl can read (an @name must be in repositories.yaml,
// a file:// folder must exist, none at all means vendored); no two share a
// name or alias (helm's loader refuses that first); Chart.lock is in sync
// with Chart.yaml. Each problem names
// the chart and the dependency.
func (p *Packager) CheckDependencies(c config.Chart) []error {
	ch, err := p.load(c.Dir, c.Name)
	if err != nil {
		return []error{err}
	}
	var errs []error
	vendored := map[string]bool{}
	for _, v := range ch.Dependencies() {
		vendored[v.Name()] = true
	}
	seen := map[string]bool{}
	for i, d := range ch.Metadata.Dependencies {
		if d == nil || d.Name == "" {
			errs = append(errs, fmt.Errorf("chart %s: dependency #%d in Chart.yaml has no name", c.Name, i+1))
			continue
		}
		as := d.Name
		if d.Alias != "" {
			as = d.Alias
		}
		if seen[as] {
			errs = append(errs, fmt.Errorf("chart %s: two dependencies are named %q; give one an alias", c.Name, as))
		}
		seen[as] = true
		if _, err := semver.NewConstraint(orStar(d.Version)); err != nil {
			errs = append(errs, fmt.Errorf("chart %s: dependency %q: version %q is not a valid constraint: %v", c.Name, d.Name, d.Version, err))
		}
		switch r := d.Repository; {
		case vendored[d.Name]:
		case r == "":
			errs = append(errs, fmt.Errorf("chart %s: dependency %q has no repository and is not vendored in charts/", c.Name, d.Name))
		case isNamedRepo(r):
			if _, err := p.namedRepository(r); err != nil {
				errs = append(errs, fmt.Errorf("chart %s: dependency %q: %w", c.Name, d.Name, err))
			}
		case strings.HasPrefix(r, "file://"):
			path := strings.TrimPrefix(r, "file://")
			if !filepath.IsAbs(path) {
				path = filepath.Join(c.Dir, path)
			}
			if _, err := os.Stat(filepath.Join(path, "Chart.yaml")); err != nil {
				errs = append(errs, fmt.Errorf("chart %s: dependency %q: %s holds no Chart.yaml", c.Name, d.Name, r))
			}
		case strings.HasPrefix(r, "oci://"), strings.HasPrefix(r, "https://"), strings.HasPrefix(r, "http://"):
		default:
			errs = append(errs, fmt.Errorf("chart %s: dependency %q: repository %q is neither a URL (https://, http://, oci://, file://) nor @name of a helm repository", c.Name, d.Name, r))
		}
	}
	if len(errs) == 0 {
		if ok, err := p.LockInSync(c.Dir); err != nil {
			errs = append(errs, fmt.Errorf("chart %s: %w", c.Name, err))
		} else if !ok && !allVendored(ch.Metadata.Dependencies, vendored) {
			errs = append(errs, fmt.Errorf("chart %s: Chart.lock is out of date with Chart.yaml: run `helm dependency update`", c.Name))
		}
	}
	return errs
}

func allVendored(deps []*chart.Dependency, vendored map[string]bool) bool {
	for _, d := range deps {
		if d != nil && !vendored[d.Name] {
			return false
		}
	}
	return true
}

// CheckSiblingCycles reports a dependency cycle among the spec's charts.
func CheckSiblingCycles(charts []config.Chart, registry string) error {
	if cycle := state.SiblingCycle(SiblingGraph(charts, registry)); cycle != nil {
		return errors.New("charts depend on each other in a cycle: " + state.CycleString(cycle))
	}
	return nil
}
