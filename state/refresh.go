package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/naming"
)

// Readers are the sources Refresh observes. Signatures is nil when signing is
// off; Releases is nil when the spec has no github block.
type Readers struct {
	Packager   Packager
	Registry   RegistryReader
	Signatures SignatureReader
	Releases   ReleaseReader
	// Lineage is nil when no lineage file is written.
	Lineage LineageReader
	// Tags is nil when tags are not checked.
	Tags TagReader
	// Index is nil when no chart repository index is kept.
	Index IndexReader
	// Blobs verifies the signature files of draft releases; nil when
	// signing is off or releases are not managed.
	Blobs BlobSignatureReader
	// Attestations reads the attestations of chart manifests; nil when
	// signing { provenance } is off.
	Attestations AttestationReader
}

// RefreshOptions tune Refresh.
type RefreshOptions struct {
	// Parallelism bounds how many charts are observed at once; <= 0 means
	// 8. Packaging is bounded apart, by the number of cores.
	Parallelism int
	// Commit is recorded as Snapshot.Commit.
	Commit string
	// CommitTime is recorded as Snapshot.CommitTime.
	CommitTime time.Time
	// Run is recorded as Snapshot.Run.
	Run Run
	// Unstamped names the charts to package whatever their source stamp
	// says (see fromStamp); NoStamps packages every chart.
	Unstamped map[string]bool
	NoStamps  bool
}

// Refresh observes every chart of the spec: it packages the chart locally,
// resolves its tag in the registry (fetching the remote chart only when the
// digests differ), verifies signatures when signing is on, and lists the
// repository's releases once. It only reads.
func Refresh(ctx context.Context, spec *config.Spec, r Readers, opts RefreshOptions) (*Snapshot, error) {
	snap := &Snapshot{Charts: make([]ChartState, len(spec.Charts)), Commit: opts.Commit, CommitTime: opts.CommitTime, Run: opts.Run}
	limit := opts.Parallelism
	if limit <= 0 {
		limit = 8
	}

	g, gctx := errgroup.WithContext(ctx)
	var releases []Release
	if r.Releases != nil && spec.GitHub != nil {
		g.Go(func() error {
			var err error
			// The reader's error already says "list releases of
			// <repository>" (ReleaseReader's contract): wrapping it
			// again printed the prefix twice.
			releases, err = r.Releases.ListReleases(gctx)
			return err
		})
	}
	if r.Index != nil && spec.HelmRepository != nil {
		g.Go(func() error {
			var err error
			snap.Index, err = observeIndex(gctx, spec, r.Index)
			return err
		})
	}
	charts := new(errgroup.Group)
	charts.SetLimit(limit)
	// Packaging is CPU work: one per core, however many charts wait on
	// the registry at once.
	cpu := make(chan struct{}, runtime.GOMAXPROCS(0))
	files := newAssetFiles(spec)
	for i, c := range spec.Charts {
		charts.Go(func() error {
			cs, err := refreshChart(gctx, spec, c, r, cpu, files, !opts.NoStamps && !opts.Unstamped[c.Name])
			if err != nil {
				return err
			}
			snap.Charts[i] = *cs
			return nil
		})
	}
	g.Go(charts.Wait)
	if err := g.Wait(); err != nil {
		return nil, err
	}

	if r.Releases != nil && spec.GitHub != nil {
		snap.ReleasesObserved = true
		if err := attachReleases(ctx, snap, spec, releases, r.Releases, limit); err != nil {
			return nil, err
		}
		// Before lineage: its attestations are looked up by the digest
		// of the package the release carries.
		if err := adoptReleasePackages(ctx, snap, r, limit); err != nil {
			return nil, err
		}
		if r.Blobs != nil && spec.Signing.Mode != config.SigningNone && spec.Signing.Mode != "" {
			if err := CheckSignatureSets(ctx, snap, spec, r.Blobs, limit); err != nil {
				return nil, err
			}
		}
		if r.Tags != nil {
			if err := observeTags(ctx, snap, r.Tags); err != nil {
				return nil, err
			}
		}
		if r.Lineage != nil && spec.Release.Lineage {
			if err := observeLineage(ctx, snap, r.Lineage, limit); err != nil {
				return nil, err
			}
		}
	}
	return snap, nil
}

// changelogFile is the chart's changelog, which release notes quote.
const changelogFile = "CHANGELOG.md"

func refreshChart(ctx context.Context, spec *config.Spec, c config.Chart, r Readers, cpu chan struct{}, files *assetFiles, stamps bool) (*ChartState, error) {
	cs := &ChartState{Name: c.Name, Version: c.Version, Tag: c.Tag}
	var (
		pkg  *Package
		oci  *OCIState
		seen *tagSeen
		err  error
	)
	if stamps {
		if pkg, oci, seen, err = fromStamp(ctx, spec, c, r); err != nil {
			return nil, err
		}
	}
	if pkg == nil {
		select {
		case cpu <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		pkg, err = r.Packager.Package(ctx, c)
		<-cpu
		if err != nil {
			return nil, fmt.Errorf("package chart %s (%s): %w", c.Name, c.RelDir, err)
		}
		if pkg.Blocked != "" {
			// Nothing to compare: the chart cannot be built. The plan blocks
			// it with the reason; the registry is not asked.
			cs.Package = pkg
			cs.OCI = OCIState{Repository: Repository(spec, c.Name), Tag: Tag(c.Version)}
			return cs, nil
		}
		if oci, err = observeOCI(ctx, spec, pkg, r, seen); err != nil {
			return nil, err
		}
	}
	cs.Package = pkg
	cs.Meta = chartMeta(pkg.Config)
	cs.OCI = *oci
	if spec.ArtifactHub != nil {
		if cs.ArtifactHub, err = observeArtifactHub(ctx, oci.Repository, c.Name, r.Registry); err != nil {
			return nil, err
		}
	}

	if r.Signatures != nil && oci.Exists && oci.NotAChart == "" {
		sig, err := r.Signatures.VerifySignatures(ctx, oci.Repository, oci.ManifestDigest)
		if err != nil {
			return nil, fmt.Errorf("oci_signature.%s: %w", c.Name, err)
		}
		cs.Signature = sig
	}
	if r.Attestations != nil && spec.Signing.Provenance && oci.Exists && oci.NotAChart == "" {
		att, err := r.Attestations.VerifyAttestations(ctx, oci.Repository, oci.ManifestDigest)
		if err != nil {
			return nil, fmt.Errorf("oci_attestation.%s: %w", c.Name, err)
		}
		cs.Attestation = att
	}

	if spec.GitHub != nil {
		if cs.Changelog, err = readOptional(c.Dir, changelogFile); err != nil {
			return nil, err
		}
		var read map[string][]byte
		if cs.Changelog != nil {
			read = map[string][]byte{filepath.Join(c.Dir, changelogFile): cs.Changelog}
		}
		if cs.Assets, err = files.forChart(c, read); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// observeOCI resolves the chart's tag. A no-change plan costs one request
// here: the manifest, read by fromStamp or here (GET where the registry
// reader can, else HEAD). Only when the remote manifest differs from the
// local one is the remote chart fetched, to tell a version pushed by
// another tool (same files, other archive bytes) from a changed chart.
// seen, when not nil, is what fromStamp already read of the tag.
func observeOCI(ctx context.Context, spec *config.Spec, pkg *Package, r Readers, seen *tagSeen) (*OCIState, error) {
	reg := r.Registry
	st := &OCIState{Repository: Repository(spec, pkg.Chart), Tag: Tag(pkg.Version)}
	local, err := reg.ManifestDigest(pkg)
	if err != nil {
		return nil, fmt.Errorf("compute manifest of oci_chart.%s: %w", pkg.Chart, err)
	}
	st.LocalManifestDigest = local
	if seen == nil {
		seen, err = resolveTag(ctx, reg, st.Repository, st.Tag)
		if err != nil {
			return nil, fmt.Errorf("oci_chart.%s: %w", pkg.Chart, err)
		}
	}
	if seen.absent {
		return st, nil
	}
	remote := seen.manifest.Digest
	st.Exists, st.ManifestDigest = true, remote
	if remote == local {
		return st, nil
	}
	if seen.manifest.Annotations != nil {
		if d, ann, ok := sameButRelctlAnnotations(reg, pkg, seen.manifest.Annotations); ok && d == remote {
			pkg.Annotations, st.LocalManifestDigest = ann, d
			return st, nil
		}
	}
	archive, err := reg.FetchChart(ctx, st.Repository, remote)
	var notChart *NotAChartError
	if errors.As(err, &notChart) {
		// Another chart's observation must not abort for this one: the
		// planner blocks this chart's change with the reason.
		st.NotAChart = fmt.Sprintf("%s:%s holds %s, not a Helm chart", st.Repository, st.Tag, notChart.Holds)
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("oci_chart.%s: %w", pkg.Chart, err)
	}
	// An archive that is not a chart (or is corrupt) differs from ours:
	// the planner reports it as a conflict, which is what it is.
	if st.ContentDigest, err = r.Packager.ContentDigest(archive); err != nil {
		st.ContentDigest = "unreadable: " + err.Error()
	}
	st.RemoteArchive = archive
	// No false conflicts from moving upstreams: a package built from the
	// same chart files against older dependency releases that today's
	// constraints still accept is what was published, not other content.
	if cmp, ok := r.Packager.(UpstreamComparer); ok && st.ContentDigest != pkg.ContentDigest && len(pkg.Dependencies) > 0 {
		if u, err := cmp.CompareUpstream(archive, pkg); err == nil && u.SameOwnFiles && u.LockSatisfied {
			st.UpstreamOnly, st.NewerUpstream = true, u.Newer
		}
	}
	return st, nil
}

// resolveTag reads the manifest of repository:tag, or only its digest when
// the registry reader cannot read manifests.
func resolveTag(ctx context.Context, reg RegistryReader, repository, tag string) (*tagSeen, error) {
	var m *RemoteManifest
	var err error
	if mr, ok := reg.(ManifestReader); ok {
		m, err = mr.ResolveManifest(ctx, repository, tag)
	} else {
		var d string
		d, err = reg.Resolve(ctx, repository, tag)
		m = &RemoteManifest{Digest: d}
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return &tagSeen{absent: true}, nil
	case err != nil:
		return nil, err
	}
	return &tagSeen{manifest: m}, nil
}

// Repository is the OCI repository of a chart: <registry repository>/<chart>.
func Repository(spec *config.Spec, chart string) string {
	return strings.TrimSuffix(spec.Registry.Repository, "/") + "/" + chart
}

// Tag is the OCI tag of a chart version (naming.OCITag: '+' becomes '_',
// as helm tags it).
func Tag(version string) string { return naming.OCITag(version) }

func chartMeta(config []byte) ChartMeta {
	var m struct {
		Description string            `json:"description"`
		AppVersion  string            `json:"appVersion"`
		Annotations map[string]string `json:"annotations"`
	}
	// The config blob is ours (the packager wrote it): a decoding error
	// would only lose release-note decoration, never correctness.
	_ = json.Unmarshal(config, &m)
	return ChartMeta{Description: m.Description, AppVersion: m.AppVersion, Changes: m.Annotations["artifacthub.io/changes"]}
}

// attachReleases gives each chart the releases whose tag is the chart's tag,
// oldest first, and fills asset digests GitHub did not provide.
func attachReleases(ctx context.Context, snap *Snapshot, spec *config.Spec, all []Release, rr ReleaseReader, limit int) error {
	byTag := map[string][]Release{}
	for _, rel := range all {
		byTag[rel.TagName] = append(byTag[rel.TagName], rel)
	}
	owned := 0
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, c := range spec.Charts {
		rels := byTag[c.Tag]
		owned += len(rels)
		sort.SliceStable(rels, func(a, b int) bool {
			if !rels[a].CreatedAt.Equal(rels[b].CreatedAt) {
				return rels[a].CreatedAt.Before(rels[b].CreatedAt)
			}
			return rels[a].ID < rels[b].ID
		})
		snap.Charts[i].Releases = rels
		for ri := range rels {
			for ai := range rels[ri].Assets {
				a := &rels[ri].Assets[ai]
				if a.Digest != "" || a.State != "uploaded" {
					continue
				}
				g.Go(func() error {
					d, err := rr.AssetDigest(gctx, a.ID)
					if err != nil {
						return fmt.Errorf("hash asset %q of release %s: %w", a.Name, c.Tag, err)
					}
					a.Digest = d
					return nil
				})
			}
		}
	}
	snap.ExtraReleases = len(all) - owned
	return g.Wait()
}
