package helm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// resolveFile packages a file:// dependency from its folder, with its own
// dependencies resolved in turn. A folder that is a chart of the spec is a
// sibling: its package is the very one relctl publishes.
func (p *Packager) resolveFile(ctx context.Context, dir, name string, d *chart.Dependency, constraint *semver.Constraints, base state.Dependency, created time.Time, stack []string) (*resolved, error) {
	path := strings.TrimPrefix(d.Repository, "file://")
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, blockedf("chart %s: dependency %q: %s: folder %s not found", name, d.Name, d.Repository, path)
	}
	if sib, ok := p.siblingAt(path); ok {
		v, err := semver.NewVersion(sib.Version)
		if err != nil || !constraint.Check(v) {
			return nil, blockedf("chart %s: dependency %q: sibling chart %s is version %s, which does not satisfy %q", name, d.Name, sib.Name, sib.Version, constraint.String())
		}
		return p.sibling(ctx, name, d, sib, base, stack)
	}
	abs, _ := filepath.Abs(path)
	if slices.Contains(stack, abs) {
		return nil, blockedf("chart %s: dependency %q: file:// dependency cycle: %s", name, d.Name, strings.Join(append(slices.Clone(stack), abs), " → "))
	}
	ch, err := p.load(path, d.Name)
	if err != nil {
		return nil, blockedf("chart %s: dependency %q: %v", name, d.Name, err)
	}
	if ch.Name() != d.Name {
		return nil, blockedf("chart %s: dependency %q: %s holds chart %q, not %q", name, d.Name, d.Repository, ch.Name(), d.Name)
	}
	v, err := semver.NewVersion(ch.Metadata.Version)
	if err != nil || !constraint.Check(v) {
		return nil, blockedf("chart %s: dependency %q: %s is version %s, which does not satisfy %q", name, d.Name, d.Repository, ch.Metadata.Version, constraint.String())
	}
	if _, err := p.resolve(ctx, path, ch, d.Name, created, append(slices.Clone(stack), abs)); err != nil {
		return nil, err
	}
	archive, err := writeArchive(ch, created)
	if err != nil {
		return nil, fmt.Errorf("chart %s: package dependency %q from %s: %w", name, d.Name, path, err)
	}
	// The chart embedded is the archive read back, as helm embeds the
	// .tgz that `helm dependency update` wrote into charts/.
	packed, err := loadArchive(archive)
	if err != nil {
		return nil, fmt.Errorf("chart %s: read back dependency %q: %w", name, d.Name, err)
	}
	dep := base
	// The URL is the repository as written (relative to the dependent):
	// the same on every machine, unlike the resolved folder.
	dep.Version, dep.Source, dep.URL, dep.Digest = ch.Metadata.Version, state.SourceFile, d.Repository, sha(archive)
	return &resolved{dep: dep, chart: packed}, nil
}

// sibling embeds the package of a chart of this spec: the same bytes relctl
// pushes for it in this run, so the plan knows every digest up front.
func (p *Packager) sibling(ctx context.Context, name string, d *chart.Dependency, sib config.Chart, base state.Dependency, stack []string) (*resolved, error) {
	if slices.Contains(stack, sib.Dir) || p.inCycle(sib.Name) != nil {
		cycle := p.inCycle(sib.Name)
		return nil, blockedf("chart %s: dependency %q: dependency cycle among the spec's charts: %s", name, d.Name, state.CycleString(cycle))
	}
	pkg, err := p.Package(ctx, sib)
	if err != nil {
		return nil, err
	}
	if pkg.Blocked != "" {
		return nil, blockedf("chart %s: dependency %q: sibling chart %s cannot be packaged: %s", name, d.Name, sib.Name, pkg.Blocked)
	}
	ch, err := loadArchive(pkg.Archive)
	if err != nil {
		return nil, fmt.Errorf("chart %s: read back sibling %s: %w", name, sib.Name, err)
	}
	dep := base
	dep.Version, dep.Source, dep.URL, dep.Digest, dep.Sibling = pkg.Version, state.SourceSibling, sib.RelDir, pkg.Digest, true
	return &resolved{dep: dep, chart: ch}, nil
}

// siblingAt returns the spec chart whose folder is path.
func (p *Packager) siblingAt(path string) (config.Chart, bool) {
	want := realPath(path)
	for _, c := range p.opts.Siblings {
		if realPath(c.Dir) == want {
			return c, true
		}
	}
	return config.Chart{}, false
}

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func loadArchive(data []byte) (*chart.Chart, error) {
	return loader.LoadArchive(bytes.NewReader(data))
}

func dirName(dir string) string { return filepath.Base(dir) }
