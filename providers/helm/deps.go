package helm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"

	"github.com/relctl/relctl/state"
)

// Dependency resolution, as `helm dependency update` does it (helm v3.22
// pkg/downloader Manager.Update and internal/resolver), but in-process, with
// no helm home, no `helm repo add` and nothing written into the chart folder.
// Per dependency of Chart.yaml, in order:
//
//   - a chart of that name already under charts/ is used as it is (vendored);
//   - no repository: it must be vendored;
//   - file://: the folder, packaged by relctl itself with its own dependencies;
//     a folder that is a chart of the spec is a sibling;
//   - oci://<registry.repository> naming a spec chart whose version satisfies
//     the constraint: the sibling's folder, published or not;
//   - oci://: tags listed (unless the version is exact), `_` read back as `+`;
//   - @name / alias:name: the URL (and credentials) of helm's repositories.yaml;
//   - http(s)://: the repository's index.yaml.
//
// A Chart.lock in sync with Chart.yaml (helm's digest rule, lock.go) pins the
// versions; out of sync blocks the chart. The package then carries the
// dependencies as folders under charts/ and the Chart.lock of what it holds.

// blockedError is a dependency problem: the chart's change is blocked with
// it, the run goes on.
type blockedError struct{ msg string }

func (e *blockedError) Error() string { return e.msg }

func blockedf(format string, args ...any) error {
	return &blockedError{msg: fmt.Sprintf(format, args...)}
}

// resolution is what resolve found for one chart.
type resolution struct {
	deps          []state.Dependency
	lockCommitted bool
}

// resolve resolves ch's declared dependencies and adds them to ch (under
// charts/), with the Chart.lock to package. dir is ch's folder, name the
// chart's name for messages, stack the folders being packaged (cycles).
func (p *Packager) resolve(ctx context.Context, dir string, ch *chart.Chart, name string, created time.Time, stack []string) (*resolution, error) {
	req := ch.Metadata.Dependencies
	res := &resolution{}
	if len(req) == 0 {
		return res, nil
	}
	// helm hashes the requirements with named repositories replaced by
	// their URLs (Manager.resolveRepoNames mutates them), so the lock check
	// needs the URLs first; the copy leaves Chart.yaml as written.
	hashed := make([]*chart.Dependency, len(req))
	named := make([]*namedRepo, len(req))
	for i, d := range req {
		if d == nil {
			return nil, blockedf("chart %s: Chart.yaml lists an empty dependency", name)
		}
		c := *d
		if isNamedRepo(d.Repository) {
			r, err := p.namedRepository(d.Repository)
			if err != nil {
				return nil, blockedf("chart %s: dependency %q: %v", name, d.Name, err)
			}
			named[i] = r
			c.Repository = r.URL
		}
		hashed[i] = &c
	}

	vendored := map[string]*chart.Chart{}
	for _, v := range ch.Dependencies() {
		vendored[v.Name()] = v
	}
	needFetch := false
	for _, d := range req {
		needFetch = needFetch || vendored[d.Name] == nil
	}
	// A chart whose dependencies are all vendored is packaged as it is,
	// as `helm package` does: its lock matters to no fetch.
	var pinned []*chart.Dependency
	if ch.Lock != nil && needFetch {
		if !lockInSync(hashed, ch.Lock) {
			return nil, blockedf("chart %s: Chart.lock is out of date with Chart.yaml: run `helm dependency update`", name)
		}
		pinned = ch.Lock.Dependencies
		res.lockCommitted = true
	}

	locked := make([]*chart.Dependency, len(req))
	embedded := map[string]bool{}
	fetched, incomplete := false, false
	for i, d := range req {
		want := d.Version
		if pinned != nil {
			want = pinned[i].Version
		}
		if v := vendored[d.Name]; v != nil {
			res.deps = append(res.deps, state.Dependency{
				Name: d.Name, Alias: d.Alias, Constraint: d.Version, Version: v.Metadata.Version,
				Repository: d.Repository, Source: state.SourceVendored, Digest: chartDigest(v),
			})
			locked[i] = &chart.Dependency{Name: d.Name, Repository: hashed[i].Repository, Version: lockedVendoredVersion(d, v)}
			continue
		}
		if d.Repository == "" {
			version := ""
			if d.Version != "" {
				version = fmt.Sprintf(" (version %s)", d.Version)
			}
			return nil, blockedf("chart %s: dependency %q%s has no repository and is not vendored in charts/", name, d.Name, version)
		}
		got, err := p.resolveOne(ctx, dir, name, d, want, named[i], created, stack)
		if err != nil {
			// A run being cancelled is not a dependency problem.
			if ctx.Err() != nil {
				return nil, fmt.Errorf("chart %s: dependency %q: %w", name, d.Name, ctx.Err())
			}
			return nil, err
		}
		res.deps = append(res.deps, got.dep)
		if got.chart == nil {
			// Offline: known, not fetched. No lock for a package that
			// does not hold all it declares.
			incomplete = true
			continue
		}
		fetched = true
		locked[i] = &chart.Dependency{Name: d.Name, Repository: hashed[i].Repository, Version: got.dep.Version}
		// helm downloads one archive per URL (two aliases of one chart
		// share it) and its loader keeps one chart per file in charts/.
		if !embedded[got.dep.Digest] {
			embedded[got.dep.Digest] = true
			ch.AddDependency(got.chart)
		}
	}
	if ch.Lock == nil && fetched && !incomplete && ch.Metadata.APIVersion == chart.APIVersionV2 {
		digest, err := hashReq(hashed, locked)
		if err != nil {
			return nil, fmt.Errorf("chart %s: lock digest: %w", name, err)
		}
		// helm stamps the lock with the time of `helm dependency update`;
		// the package time keeps the archive reproducible.
		ch.Lock = &chart.Lock{Generated: created, Digest: digest, Dependencies: locked}
	}
	return res, nil
}

// lockedVendoredVersion is what helm's resolver locks for a vendored chart:
// the declared constraint when there is no repository, else the version.
func lockedVendoredVersion(d *chart.Dependency, v *chart.Chart) string {
	if d.Repository == "" {
		return d.Version
	}
	return v.Metadata.Version
}

// resolved is one dependency fetched or packaged.
type resolved struct {
	dep   state.Dependency
	chart *chart.Chart
}

func (p *Packager) resolveOne(ctx context.Context, dir, name string, d *chart.Dependency, want string, named *namedRepo, created time.Time, stack []string) (*resolved, error) {
	constraint, err := semver.NewConstraint(orStar(want))
	if err != nil {
		return nil, blockedf("chart %s: dependency %q: version %q is not a valid constraint: %v", name, d.Name, want, err)
	}
	base := state.Dependency{Name: d.Name, Alias: d.Alias, Constraint: d.Version, Repository: d.Repository}
	repoURL := d.Repository
	var cred *namedRepo
	if named != nil {
		repoURL, cred = named.URL, named
	}
	if p.opts.Offline && (strings.HasPrefix(repoURL, "oci://") || strings.HasPrefix(repoURL, "https://") || strings.HasPrefix(repoURL, "http://")) {
		if strings.HasPrefix(repoURL, "oci://") {
			if r, ok, err := p.resolveOCISibling(ctx, name, d, repoURL, constraint, base, stack); ok || err != nil {
				return r, err
			}
		}
		dep := base
		dep.Source, dep.URL = state.SourceHTTP, redactURL(repoURL)
		if strings.HasPrefix(repoURL, "oci://") {
			dep.Source = state.SourceOCI
		}
		return &resolved{dep: dep}, nil
	}
	switch {
	case strings.HasPrefix(repoURL, "file://"):
		return p.resolveFile(ctx, dir, name, d, constraint, base, created, stack)
	case strings.HasPrefix(repoURL, "oci://"):
		if r, ok, err := p.resolveOCISibling(ctx, name, d, repoURL, constraint, base, stack); ok || err != nil {
			return r, err
		}
		return p.resolveOCI(ctx, name, d, repoURL, want, constraint, base)
	case strings.HasPrefix(repoURL, "https://"), strings.HasPrefix(repoURL, "http://"):
		return p.resolveHTTP(ctx, name, d, repoURL, constraint, base, cred)
	default:
		return nil, blockedf("chart %s: dependency %q: repository %q is neither a URL (https://, http://, oci://, file://) nor @name of a helm repository", name, d.Name, d.Repository)
	}
}

func orStar(v string) string {
	if strings.TrimSpace(v) == "" {
		return "*"
	}
	return v
}

// checkDependencyArchive refuses an archive that is not the chart it
// claims to be: unsafe names, too large, unreadable, or another chart.
func (p *Packager) checkDependencyArchive(name string, d *chart.Dependency, from string, data []byte) (*chart.Chart, error) {
	if _, err := readFiles(data); err != nil {
		return nil, blockedf("chart %s: dependency %q from %s: unsafe archive: %v", name, d.Name, from, err)
	}
	ch, err := loadArchive(data)
	if err != nil {
		return nil, blockedf("chart %s: dependency %q from %s: not a chart: %v", name, d.Name, from, err)
	}
	if ch.Name() != d.Name {
		return nil, blockedf("chart %s: dependency %q from %s: the archive holds chart %q, not %q", name, d.Name, from, ch.Name(), d.Name)
	}
	return ch, nil
}

// chartDigest identifies a vendored chart (a folder or an archive, loaded)
// by its entries as they are embedded.
func chartDigest(ch *chart.Chart) string {
	entries, err := chartEntries(ch, "")
	if err != nil {
		return ""
	}
	h := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(h, "%s\x00%d\x00", e.name, len(e.data))
		h.Write(e.data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(s[:])
}

var errNoOCI = errors.New("oci:// dependencies need a registry client")
