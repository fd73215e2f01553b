package helm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// Options configure a Packager. The zero value takes the package time from
// git, else the Unix epoch.
type Options struct {
	// SourceDateEpoch is the value of $SOURCE_DATE_EPOCH, in decimal
	// seconds; "" means unset. When unset, the package time is the last
	// commit time of the chart folder (`git log -1 --format=%ct -- .` run in
	// the folder); when git is missing, the folder is not in a repository or
	// no commit touches it, the package time is the Unix epoch.
	SourceDateEpoch string
}

// Packager loads and packages charts. It is safe for concurrent use: it
// holds only its options.
type Packager struct {
	opts Options
}

var _ state.Packager = (*Packager)(nil)

// New returns a Packager.
func New(opts Options) *Packager {
	return &Packager{opts: opts}
}

// Package loads the chart in c.Dir, checks it is the chart the spec
// declared, and packages it reproducibly.
func (p *Packager) Package(ctx context.Context, c config.Chart) (*state.Package, error) {
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
	archive, err := writeArchive(ch, created)
	if err != nil {
		return nil, fmt.Errorf("chart %s: package: %w", c.Name, err)
	}
	contentDigest, err := p.ContentDigest(archive)
	if err != nil {
		return nil, fmt.Errorf("chart %s: content digest of the package: %w", c.Name, err)
	}
	configBlob, annotations, err := ociMetadata(archive, created)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", c.Name, err)
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
	}, nil
}

// epoch is the package time when nothing better is known: a constant, so
// that packages stay reproducible even outside a git checkout.
var epoch = time.Unix(0, 0).UTC()
