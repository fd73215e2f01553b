package helm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"

	"github.com/relctl/relctl/state"
)

// resolveHTTP picks the highest version of d in the repository's index that
// satisfies the constraint, as helm's resolver does (the index sorted
// newest first; entries without URLs or with a version that is not semver
// skipped), downloads it and checks it against the index's digest.
func (p *Packager) resolveHTTP(ctx context.Context, name string, d *chart.Dependency, repoURL string, constraint *semver.Constraints, base state.Dependency, named *namedRepo) (*resolved, error) {
	cred := repoCredentials(repoURL, named)
	idx, err := p.index(ctx, repoURL, cred)
	if err != nil {
		return nil, blockedf("chart %s: dependency %q: repository %s: %v", name, d.Name, redactURL(repoURL), err)
	}
	versions := idx.Entries[d.Name]
	if len(versions) == 0 {
		return nil, blockedf("chart %s: dependency %q: repository %s has no chart %q", name, d.Name, redactURL(repoURL), d.Name)
	}
	var pick *ChartVersion
	for _, cv := range versions {
		v, err := semver.NewVersion(cv.Version)
		if err != nil || len(cv.URLs) == 0 {
			continue
		}
		if constraint.Check(v) {
			pick = cv
			break
		}
	}
	if pick == nil {
		return nil, blockedf("chart %s: dependency %q: no version satisfies %q in repository %s (newest: %s)",
			name, d.Name, constraint.String(), redactURL(repoURL), newest(versions))
	}
	archiveURL, err := resolveReferenceURL(repoURL, pick.URLs[0])
	if err != nil {
		return nil, blockedf("chart %s: dependency %q %s: archive URL %q: %v", name, d.Name, pick.Version, pick.URLs[0], err)
	}
	digest := ""
	if pick.Digest != "" {
		digest = "sha256:" + strings.TrimPrefix(pick.Digest, "sha256:")
	}
	data, err := p.fetch.archive(ctx, archiveURL, digest, cred)
	if err != nil {
		var mismatch *digestMismatch
		if errors.As(err, &mismatch) {
			return nil, blockedf("chart %s: dependency %q %s: digest differs from the repository index: %v", name, d.Name, pick.Version, err)
		}
		return nil, blockedf("chart %s: dependency %q %s: %v", name, d.Name, pick.Version, err)
	}
	ch, err := p.checkDependencyArchive(name, d, redactURL(archiveURL), data)
	if err != nil {
		return nil, err
	}
	dep := base
	dep.Version, dep.Source, dep.URL, dep.Digest = pick.Version, state.SourceHTTP, redactURL(archiveURL), sha(data)
	return &resolved{dep: dep, chart: ch}, nil
}

// index returns the parsed index of a repository, once per run.
func (p *Packager) index(ctx context.Context, repoURL string, cred *credentials) (*IndexFile, error) {
	indexURL := strings.TrimSuffix(repoURL, "/") + "/index.yaml"
	return p.parsed.do(indexURL, func() (*IndexFile, error) {
		data, err := p.fetch.indexFile(ctx, indexURL, cred)
		if err != nil {
			return nil, err
		}
		idx, err := parseIndex(data)
		if err != nil {
			return nil, fmt.Errorf("%s is not a chart repository index: %w", redactURL(indexURL), err)
		}
		return idx, nil
	})
}

// repoCredentials are the repositories.yaml credentials of a named
// repository, sent to its own host only unless pass_credentials_all.
func repoCredentials(repoURL string, named *namedRepo) *credentials {
	if named == nil || (named.Username == "" && named.Password == "") {
		return nil
	}
	u, err := url.Parse(repoURL)
	if err != nil {
		return nil
	}
	return &credentials{username: named.Username, password: named.Password, host: u.Host, all: named.PassCredentialsAll}
}

// newest lists up to three of the newest versions, for messages.
func newest(versions []*ChartVersion) string {
	var out []string
	for _, cv := range versions {
		if len(out) == 3 {
			break
		}
		out = append(out, cv.Version)
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
