package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// AssetDownloader reads a release asset's bytes, at most limit of them. A
// ReleaseReader that is also an AssetDownloader lets Refresh adopt a chart
// package that another tool uploaded to a release.
type AssetDownloader interface {
	DownloadAsset(ctx context.Context, assetID int64, limit int64) ([]byte, error)
}

// maxReleasePackage caps the download of a release's chart package, as the
// registry client caps a chart layer: no chart is near it.
const maxReleasePackage = 64 << 20

// KeptRelease is the release of a chart's tag that relctl completes and
// keeps among rels (oldest first): the published one if any, else the
// oldest draft; nil when there is none. Any other draft is a duplicate left
// by a crashed run.
func KeptRelease(rels []Release) *Release {
	for i := range rels {
		if !rels[i].Draft {
			return &rels[i]
		}
	}
	if len(rels) > 0 {
		return &rels[0]
	}
	return nil
}

// PushedPackage is the package a registry push writes: the local one, or,
// when the release's package is adopted, the same metadata with the
// release's archive bytes, so that the registry's chart layer and the
// release's .tgz are one file.
func (cs *ChartState) PushedPackage() *Package {
	if cs.ReleasePackage == nil {
		return cs.Package
	}
	p := *cs.Package
	p.Archive, p.Digest = cs.ReleasePackage.Archive, cs.ReleasePackage.Digest
	return &p
}

// adoptReleasePackages looks, for each chart whose version the registry
// does not hold, at the package its release already carries. chart-releaser
// uploads `helm package`'s archive, whose file times make its bytes differ
// from relctl's reproducible package of the same files. When its chart
// files are the local ones it is adopted: the push and the signatures use
// its bytes and the release is left as it is. A registry that already holds
// the version decides the bytes itself (Adopted), so the release is not
// downloaded then. Only a package whose digest differs is downloaded: never
// one relctl made.
func adoptReleasePackages(ctx context.Context, snap *Snapshot, r Readers, limit int) error {
	dl, ok := r.Releases.(AssetDownloader)
	if !ok {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := range snap.Charts {
		cs := &snap.Charts[i]
		if cs.Package == nil || cs.Package.Blocked != "" || cs.OCI.Exists {
			continue
		}
		a := releasePackageAsset(cs)
		if a == nil || a.Digest == cs.Package.Digest {
			continue
		}
		g.Go(func() error {
			b, err := dl.DownloadAsset(gctx, a.ID, maxReleasePackage)
			if err != nil {
				return fmt.Errorf("read asset %q of release %s: %w", a.Name, cs.Tag, err)
			}
			// A package that is not a chart, or holds other files, stays
			// what it is: a conflict the planner reports.
			content, err := r.Packager.ContentDigest(b)
			if err != nil || content != cs.Package.ContentDigest {
				return nil
			}
			sum := sha256.Sum256(b)
			rp := &ReleasePackage{AssetID: a.ID, Archive: b, Digest: "sha256:" + hex.EncodeToString(sum[:])}
			pushed := *cs.Package
			pushed.Archive, pushed.Digest = rp.Archive, rp.Digest
			manifest, err := r.Registry.ManifestDigest(&pushed)
			if err != nil {
				return fmt.Errorf("compute manifest of oci_chart.%s from the release's %s: %w", cs.Name, a.Name, err)
			}
			cs.ReleasePackage, cs.OCI.LocalManifestDigest = rp, manifest
			return nil
		})
	}
	return g.Wait()
}

// releasePackageAsset is the uploaded chart package of the chart's kept
// release, nil when it has none.
func releasePackageAsset(cs *ChartState) *Asset {
	keep := KeptRelease(cs.Releases)
	if keep == nil {
		return nil
	}
	for i := range keep.Assets {
		if a := &keep.Assets[i]; a.Name == cs.Package.FileName && a.State == "uploaded" && a.Digest != "" {
			return a
		}
	}
	return nil
}
