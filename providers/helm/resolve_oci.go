package helm

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"

	"github.com/relctl/relctl/state"
)

// OCIPuller reads charts from OCI registries; providers/oci.Client is one,
// so oci:// dependencies go through the same credential chain as pushes.
type OCIPuller interface {
	// Tags lists the tags of repository ("host/path/chart").
	Tags(ctx context.Context, repository string) ([]string, error)
	// Resolve returns the manifest digest of repository:tag.
	Resolve(ctx context.Context, repository, tag string) (string, error)
	// FetchChart returns the chart layer of a manifest.
	FetchChart(ctx context.Context, repository, manifestDigest string) ([]byte, error)
}

// resolveOCI resolves d from an oci:// repository as helm does: an exact
// version is taken as the tag without listing; otherwise the tags are
// listed, read back from `_` to `+`, kept when strict semver, and the
// highest satisfying the constraint wins.
func (p *Packager) resolveOCI(ctx context.Context, name string, d *chart.Dependency, repoURL, want string, constraint *semver.Constraints, base state.Dependency) (*resolved, error) {
	if p.opts.OCI == nil {
		return nil, blockedf("chart %s: dependency %q: %v", name, d.Name, errNoOCI)
	}
	repository := strings.TrimSuffix(strings.TrimPrefix(repoURL, "oci://"), "/") + "/" + d.Name
	version := ""
	if v, err := semver.StrictNewVersion(strings.TrimSpace(want)); err == nil {
		version = v.Original()
	} else {
		tags, err := p.fetch.tags.do(repository, func() ([]string, error) { return p.opts.OCI.Tags(ctx, repository) })
		switch {
		case errors.Is(err, state.ErrNotFound):
			return nil, blockedf("chart %s: dependency %q: repository %s has no chart %q", name, d.Name, repoURL, d.Name)
		case err != nil:
			return nil, blockedf("chart %s: dependency %q: %v", name, d.Name, err)
		}
		versions := semverTags(tags)
		for _, v := range versions {
			if constraint.Check(v) {
				version = v.Original()
				break
			}
		}
		if version == "" {
			var top []string
			for i := 0; i < len(versions) && i < 3; i++ {
				top = append(top, versions[i].Original())
			}
			newest := strings.Join(top, ", ")
			if newest == "" {
				newest = "none"
			}
			return nil, blockedf("chart %s: dependency %q: no version satisfies %q in repository oci://%s (newest: %s)",
				name, d.Name, constraint.String(), repository, newest)
		}
	}
	tag := state.Tag(version)
	ref := "oci://" + repository + ":" + tag
	data, err := p.fetch.oci.do(repository+":"+tag, func() ([]byte, error) {
		manifest, err := p.opts.OCI.Resolve(ctx, repository, tag)
		if err != nil {
			return nil, err
		}
		if data, ok := p.fetch.cache.ociArchive(manifest); ok {
			return data, nil
		}
		data, err := p.opts.OCI.FetchChart(ctx, repository, manifest)
		if err != nil {
			return nil, err
		}
		if int64(len(data)) > p.fetch.maxBytes {
			return nil, fmt.Errorf("%s is larger than the %d byte limit for a dependency", ref, p.fetch.maxBytes)
		}
		p.fetch.cache.putOCIArchive(manifest, data)
		return data, nil
	})
	switch {
	case errors.Is(err, state.ErrNotFound):
		return nil, blockedf("chart %s: dependency %q: %s not found", name, d.Name, ref)
	case err != nil:
		return nil, blockedf("chart %s: dependency %q %s: pull %s: %v", name, d.Name, version, ref, err)
	}
	ch, err := p.checkDependencyArchive(name, d, ref, data)
	if err != nil {
		return nil, err
	}
	dep := base
	dep.Version, dep.Source, dep.URL, dep.Digest = version, state.SourceOCI, ref, sha(data)
	return &resolved{dep: dep, chart: ch}, nil
}

// semverTags reads OCI tags as helm's registry client does (Client.Tags):
// `_` back to `+` (the inverse of state.Tag), strict semver only, newest
// first.
func semverTags(tags []string) []*semver.Version {
	var out []*semver.Version
	for _, t := range tags {
		if v, err := semver.StrictNewVersion(strings.ReplaceAll(t, "_", "+")); err == nil {
			out = append(out, v)
		}
	}
	sort.Sort(sort.Reverse(semver.Collection(out)))
	return out
}

// resolveOCISibling takes d from a sibling's folder when the repository is
// the spec's own registry, the spec declares the chart, and its version
// satisfies the constraint. ok is false to fall back to the registry.
func (p *Packager) resolveOCISibling(ctx context.Context, name string, d *chart.Dependency, repoURL string, constraint *semver.Constraints, base state.Dependency, stack []string) (*resolved, bool, error) {
	if p.opts.Registry == "" || strings.TrimSuffix(strings.TrimPrefix(repoURL, "oci://"), "/") != strings.TrimSuffix(p.opts.Registry, "/") {
		return nil, false, nil
	}
	sib, ok := p.siblings[d.Name]
	if !ok {
		return nil, false, nil
	}
	v, err := semver.NewVersion(sib.Version)
	if err != nil || !constraint.Check(v) {
		return nil, false, nil
	}
	r, err := p.sibling(ctx, name, d, sib, base, stack)
	return r, true, err
}
