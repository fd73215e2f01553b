package helm

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// Load loads the chart in dir as helm does (applying .helmignore, loading
// the dependencies vendored under charts/) and checks what relctl requires
// before publishing: no symlink leads outside the chart folder, the chart
// metadata is valid, and every dependency Chart.yaml declares is vendored.
// (Package resolves the dependencies that are not; Load is for callers
// that need the chart as committed.) Errors name the chart by its folder's
// base name.
func (p *Packager) Load(dir string) (*chart.Chart, error) {
	ch, err := p.load(dir, filepath.Base(dir))
	if err != nil {
		return nil, err
	}
	if err := checkVendored(ch, filepath.Base(dir)); err != nil {
		return nil, err
	}
	return ch, nil
}

// load is Load with the name errors give the chart: Package knows it from
// the spec, Load only from the folder.
func (p *Packager) load(dir, name string) (*chart.Chart, error) {
	// Symlinks are checked before helm reads anything: helm follows them,
	// and a link to a file outside the chart would publish that file.
	if err := checkSymlinks(dir); err != nil {
		return nil, fmt.Errorf("chart %s: %w", name, err)
	}
	ch, err := loader.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("chart %s: load %s: %w", name, dir, err)
	}
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("chart %s: validate %s/Chart.yaml: %w", name, dir, err)
	}
	return ch, nil
}

// checkSymlinks refuses any symlink under dir whose target, fully resolved,
// is not inside dir. .helmignore is deliberately not applied: an ignored
// link is harmless today, but the check stays simple and conservative.
// Links to directories are not descended into; the directory they point to
// is inside dir and is walked in its own place.
func checkSymlinks(dir string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("resolve chart folder %s: %w", dir, err)
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolve chart folder %s: %w", dir, err)
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk chart folder %s: %w", dir, err)
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return fmt.Errorf("walk chart folder %s: %w", dir, err)
		}
		rel = filepath.ToSlash(rel)
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return fmt.Errorf("%s is a symlink that does not resolve: %w", rel, err)
		}
		if !within(root, target) {
			return fmt.Errorf("%s is a symlink to %s, outside the chart folder", rel, target)
		}
		return nil
	})
}

// within reports whether path is root or below it. Both are absolute and
// free of symlinks.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// checkVendored reports every dependency that Chart.yaml (or a v1 chart's
// requirements.yaml) declares but charts/ does not hold. `helm package`
// refuses such a chart too (action.CheckDependencies); this says which one
// and what to run. A dependency is matched by name, as helm matches it;
// whether its version satisfies the constraint is Chart.lock's business.
func checkVendored(ch *chart.Chart, name string) error {
	present := map[string]bool{}
	for _, d := range ch.Dependencies() {
		present[d.Name()] = true
	}
	var errs []error
	for _, d := range ch.Metadata.Dependencies {
		if d == nil || present[d.Name] {
			continue
		}
		version := ""
		if d.Version != "" {
			version = fmt.Sprintf(" (version %s)", d.Version)
		}
		errs = append(errs, fmt.Errorf("chart %s: dependency %q%s is not vendored in charts/; run `helm dependency build`",
			name, d.Name, version))
	}
	return errors.Join(errs...)
}
