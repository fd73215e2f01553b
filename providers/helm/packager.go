package helm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// Options configure a Packager. The zero value takes the package time from
// git, else the Unix epoch, resolves http(s) and file:// dependencies with
// no disk cache, and refuses oci:// ones.
type Options struct {
	// SourceDateEpoch is the value of $SOURCE_DATE_EPOCH, in decimal
	// seconds; "" means unset. When unset, the package time is the last
	// commit time of the chart folder (`git log -1 --format=%ct -- .` run in
	// the folder); when git is missing, the folder is not in a repository or
	// no commit touches it, the package time is the Unix epoch.
	SourceDateEpoch string

	// CacheDir keeps repository indexes and dependency archives between
	// runs ("" means memory only, for one run).
	CacheDir string
	// HTTPClient fetches from chart repositories; nil means a client with
	// a 60s timeout per request.
	HTTPClient *http.Client
	// Retry bounds retries of transient failures (network, 5xx, 429);
	// zero fields mean the config defaults (5 attempts, 1s..60s).
	Retry config.Retry
	// OCI pulls oci:// dependencies; nil makes them an error.
	OCI OCIPuller
	// RepositoryConfig is helm's repositories.yaml, which @name and
	// alias:name repositories are looked up in; "" or a missing file means
	// no named repositories.
	RepositoryConfig string
	// Registry is the spec's registry.repository: an oci:// dependency on
	// it naming a sibling chart is taken from the sibling's folder.
	Registry string
	// Siblings are the charts of the spec: a dependency on one of them is
	// packaged from its folder, even before it is published.
	Siblings []config.Chart
	// Parallelism bounds concurrent downloads; <= 0 means 4.
	Parallelism int
	// MaxDependencyBytes caps a downloaded dependency archive; <= 0 means
	// 16 MiB (helm's largest charts are a few hundred KiB).
	MaxDependencyBytes int64
	// Offline resolves only what needs no request (vendored, file://,
	// siblings, the lock and @name checks): http(s) and oci://
	// dependencies are recorded unresolved and left out of the package.
	// For `relctl validate`, which must not reach the network.
	Offline bool
}

// Packager loads and packages charts, resolving their dependencies. It is
// safe for concurrent use; one Packager per run shares its fetches: each
// repository index and each archive is fetched at most once.
type Packager struct {
	opts  Options
	fetch *fetcher

	siblings  map[string]config.Chart // by chart name
	graphOnce sync.Once
	cycles    map[string][]string // sibling chart → the cycle it is on
	sibMemo   memo[*state.Package]
	parsed    memo[*IndexFile]

	stamps stamps
	times  commitTimes

	repoMu   sync.Mutex
	repoFile *repoFile // repositories.yaml, loaded on first need
	repoErr  error
}

var _ state.Packager = (*Packager)(nil)

// New returns a Packager.
func New(opts Options) *Packager {
	p := &Packager{opts: opts, fetch: newFetcher(opts), siblings: map[string]config.Chart{}}
	for _, c := range opts.Siblings {
		p.siblings[c.Name] = c
	}
	return p
}

// Package loads the chart in c.Dir, checks it is the chart the spec
// declared, resolves its dependencies and packages it reproducibly. A
// dependency that cannot be resolved is not an error: the package comes
// back with Blocked set and no archive, so that the plan shows the reason
// beside every other chart.
func (p *Packager) Package(ctx context.Context, c config.Chart) (*state.Package, error) {
	if p.inCycle(c.Name) != nil {
		return blockedPackage(c, fmt.Sprintf("dependency cycle among the spec's charts: %s", state.CycleString(p.inCycle(c.Name)))), nil
	}
	if _, ok := p.siblings[c.Name]; ok {
		return p.sibMemo.do(c.Name, func() (*state.Package, error) { return p.pack(ctx, c) })
	}
	return p.pack(ctx, c)
}

func (p *Packager) pack(ctx context.Context, c config.Chart) (*state.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("package chart %s: %w", c.Name, err)
	}
	ch, err := p.load(c.Dir, c.Name)
	if err != nil {
		return nil, err
	}
	// The spec loader read Chart.yaml before us; a different name or version
	// now means the file changed in between, and what would be published is
	// not what was planned.
	if ch.Name() != c.Name || ch.Metadata.Version != c.Version {
		return nil, fmt.Errorf("chart %s: %s/Chart.yaml now declares %s version %s, but %s version %s was planned; the file changed while relctl ran",
			c.Name, c.Dir, ch.Name(), ch.Metadata.Version, c.Name, c.Version)
	}

	created, err := p.packageTime(ctx, c.Dir)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", c.Name, err)
	}
	res, err := p.resolve(ctx, c.Dir, ch, c.Name, created, []string{c.Dir})
	var blocked *blockedError
	switch {
	case errors.As(err, &blocked):
		return blockedPackage(c, blocked.Error()), nil
	case err != nil:
		return nil, err
	}
	archive, err := writeArchive(ch, created)
	if err != nil {
		return nil, fmt.Errorf("chart %s: package: %w", c.Name, err)
	}
	contentDigest, err := p.ContentDigest(archive)
	if err != nil {
		return nil, fmt.Errorf("chart %s: content digest of the package: %w", c.Name, err)
	}
	own, _, err := ownContent(archive)
	if err != nil {
		return nil, fmt.Errorf("chart %s: own files of the package: %w", c.Name, err)
	}
	configBlob, annotations, err := ociMetadata(archive, created)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", c.Name, err)
	}
	// Stamped sources: the manifest records them, so that the next plan of
	// the same sources needs no packaging (state.fromStamp).
	if stamp, _, ok, err := p.SourceStamp(ctx, c); err == nil && ok {
		extra, err := stampAnnotations(stamp, contentDigest, res.deps)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", c.Name, err)
		}
		maps.Copy(annotations, extra)
	}

	sum := sha256.Sum256(archive)
	return &state.Package{
		Chart:         ch.Name(),
		Version:       ch.Metadata.Version,
		FileName:      fmt.Sprintf("%s-%s.tgz", ch.Name(), ch.Metadata.Version),
		Archive:       archive,
		Digest:        "sha256:" + hex.EncodeToString(sum[:]),
		ContentDigest: contentDigest,
		Config:        configBlob,
		Annotations:   annotations,
		Created:       created,
		Dependencies:  res.deps,
		OwnDigest:     own,
		LockCommitted: res.lockCommitted,
	}, nil
}

func blockedPackage(c config.Chart, reason string) *state.Package {
	return &state.Package{
		Chart:    c.Name,
		Version:  c.Version,
		FileName: fmt.Sprintf("%s-%s.tgz", c.Name, c.Version),
		Blocked:  reason,
	}
}

// epoch is the package time when nothing better is known: a constant, so
// that packages stay reproducible even outside a git checkout.
var epoch = time.Unix(0, 0).UTC()
