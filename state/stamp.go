// The source stamp: a chart whose committed folder is the one its published
// manifest was built from needs no packaging to be observed.

package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/relctl/relctl/config"
)

// The annotations relctl adds to a chart manifest it pushes from a stamped
// source (SourceStamper). Other tools ignore them; helm shows them.
const (
	// AnnotationSource is the stamp of the sources: "git-tree:<hash>".
	AnnotationSource = "dev.relctl.source"
	// AnnotationContent is the package's ContentDigest.
	AnnotationContent = "dev.relctl.content"
	// AnnotationDependencies is the JSON of the package's Dependencies,
	// absent when it has none.
	AnnotationDependencies = "dev.relctl.dependencies"
)

// relctlAnnotations are the keys above: metadata about the package, not
// part of what is published. Two manifests that differ only in them hold
// the same package.
var relctlAnnotations = []string{AnnotationSource, AnnotationContent, AnnotationDependencies}

// SourceStamper is a Packager that can say what a chart's package is built
// from without building it.
type SourceStamper interface {
	// SourceStamp returns the stamp of the chart's sources and the OCI
	// config blob its package carries. ok is false when the sources cannot
	// be stamped (not committed as they are, dependencies from outside the
	// folder): the chart is then packaged.
	SourceStamp(ctx context.Context, c config.Chart) (stamp string, configBlob []byte, ok bool, err error)
}

// ManifestReader is a RegistryReader that reads a tag's manifest in the
// request that resolves it.
type ManifestReader interface {
	// ResolveManifest returns the manifest repository:tag points to, or an
	// error wrapping ErrNotFound.
	ResolveManifest(ctx context.Context, repository, tag string) (*RemoteManifest, error)
}

// RemoteManifest is what Refresh reads of a chart's manifest.
type RemoteManifest struct {
	Digest      string
	Annotations map[string]string
	// ConfigDigest is the digest of the config blob.
	ConfigDigest string
	// ChartLayer is the digest of helm's chart layer; "" when the manifest
	// has none (not a chart).
	ChartLayer string
}

// fromStamp observes c without packaging it, when its stamp is the one the
// published manifest records and the config blob its sources give is the
// one published: the package is then the published one, rebuilt from the
// manifest (Package.Stamped, no Archive). Otherwise the package is nil,
// and seen holds what was read of the tag, for observeOCI.
//
// What the stamp cannot see is caught later: a plan that wants to change
// anything of a stamped chart (its signature does not verify, its release
// lacks a file, the release's package differs from the registry's) is made
// again with the chart packaged (RefreshOptions.Unstamped).
func fromStamp(ctx context.Context, spec *config.Spec, c config.Chart, r Readers) (*Package, *OCIState, *tagSeen, error) {
	st, ok := r.Packager.(SourceStamper)
	mr, ok2 := r.Registry.(ManifestReader)
	if !ok || !ok2 {
		return nil, nil, nil, nil
	}
	stamp, cfg, ok, err := st.SourceStamp(ctx, c)
	if err != nil || !ok {
		return nil, nil, nil, err
	}
	oci := &OCIState{Repository: Repository(spec, c.Name), Tag: Tag(c.Version)}
	m, err := mr.ResolveManifest(ctx, oci.Repository, oci.Tag)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, nil, &tagSeen{absent: true}, nil
	case err != nil:
		return nil, nil, nil, fmt.Errorf("oci_chart.%s: %w", c.Name, err)
	}
	seen := &tagSeen{manifest: m}
	ann := m.Annotations
	sum := sha256.Sum256(cfg)
	if ann[AnnotationSource] != stamp || m.ConfigDigest != "sha256:"+hex.EncodeToString(sum[:]) || m.ChartLayer == "" || ann[AnnotationContent] == "" {
		return nil, nil, seen, nil
	}
	created, err := time.Parse(time.RFC3339, ann["org.opencontainers.image.created"])
	if err != nil {
		return nil, nil, seen, nil
	}
	var deps []Dependency
	if raw, ok := ann[AnnotationDependencies]; ok {
		if err := json.Unmarshal([]byte(raw), &deps); err != nil {
			return nil, nil, seen, nil
		}
	}
	pkg := &Package{
		Chart:         c.Name,
		Version:       c.Version,
		FileName:      fmt.Sprintf("%s-%s.tgz", c.Name, c.Version),
		Digest:        m.ChartLayer,
		ContentDigest: ann[AnnotationContent],
		Config:        cfg,
		Annotations:   maps.Clone(ann),
		Created:       created.UTC(),
		Dependencies:  deps,
		Stamped:       true,
	}
	oci.Exists, oci.ManifestDigest, oci.LocalManifestDigest = true, m.Digest, m.Digest
	return pkg, oci, seen, nil
}

// tagSeen is what fromStamp learnt of a chart's tag.
type tagSeen struct {
	absent   bool
	manifest *RemoteManifest
}

// sameButRelctlAnnotations returns the digest of pkg's manifest with
// relctl's annotations taken from the published manifest, and the
// annotations that gives, when they differ from pkg's: a package whose
// manifest differs from the published one only there is the published
// package (pushed before relctl stamped manifests, or from a checkout that
// could not be stamped).
func sameButRelctlAnnotations(reg RegistryReader, pkg *Package, published map[string]string) (string, map[string]string, bool) {
	ann := maps.Clone(pkg.Annotations)
	for _, k := range relctlAnnotations {
		delete(ann, k)
		if v, ok := published[k]; ok {
			ann[k] = v
		}
	}
	if maps.Equal(ann, pkg.Annotations) {
		return "", nil, false
	}
	alt := *pkg
	alt.Annotations = ann
	d, err := reg.ManifestDigest(&alt)
	if err != nil {
		return "", nil, false
	}
	return d, ann, true
}
