package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// LineageAssetName is the release asset that records a chart's lineage.
func LineageAssetName(chart string) string { return chart + "-attestation-lineage.json" }

// Adopted reports whether the registry holds the chart under another digest
// with the same files (pushed earlier by another tool), or with the same own
// files built against older upstream dependency releases (UpstreamOnly).
func (cs *ChartState) Adopted() bool {
	o := cs.OCI
	return o.Exists && o.ManifestDigest != o.LocalManifestDigest && (o.ContentDigest == cs.Package.ContentDigest || o.UpstreamOnly) && len(o.RemoteArchive) > 0
}

// ReleasedArchive is the .tgz a release carries: the registry's bytes when
// the registry holds another tool's archive of the same files, so that the
// registry and the release agree; the release's own when it holds such an
// archive and the registry has none yet; else the local package.
func (cs *ChartState) ReleasedArchive() []byte {
	if cs.ReleasePackage != nil {
		return cs.ReleasePackage.Archive
	}
	if cs.Adopted() {
		return cs.OCI.RemoteArchive
	}
	return cs.Package.Archive
}

// ReleasedDigest is "sha256:<hex>" of ReleasedArchive.
func (cs *ChartState) ReleasedDigest() string {
	if cs.ReleasePackage != nil {
		return cs.ReleasePackage.Digest
	}
	if !cs.Adopted() {
		return cs.Package.Digest
	}
	sum := sha256.Sum256(cs.OCI.RemoteArchive)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// hasLedger reports whether a published release of the chart already
// carries its lineage file: published, it is the ledger and is not
// rewritten, so its sources need not be observed again.
func (cs *ChartState) hasLedger() bool {
	for _, r := range cs.Releases {
		if r.Draft {
			continue
		}
		for _, a := range r.Assets {
			if a.Name == LineageAssetName(cs.Name) && a.State == "uploaded" {
				return true
			}
		}
	}
	return false
}

// observeLineage gathers the lineage sources of every chart whose release
// still needs its lineage file: the pull request behind the commit (once)
// and GitHub's attestations for each chart's package digest. A plan with
// nothing to write makes no request here.
func observeLineage(ctx context.Context, snap *Snapshot, lr LineageReader, limit int) error {
	var need []*ChartState
	for i := range snap.Charts {
		// A chart that cannot be built (a dependency problem) has no
		// digest to look attestations up for; its change is blocked.
		if cs := &snap.Charts[i]; !cs.hasLedger() && cs.Package.Blocked == "" {
			need = append(need, cs)
		}
	}
	if len(need) == 0 {
		return nil
	}
	if snap.Commit != "" {
		prs, err := lr.PullRequestsForCommit(ctx, snap.Commit)
		if err != nil {
			return fmt.Errorf("lineage: %w", err)
		}
		if len(prs) > 0 {
			pr := prs[0]
			if pr.Comments, err = lr.IssueComments(ctx, pr.Number); err != nil {
				return fmt.Errorf("lineage: %w", err)
			}
			snap.PullRequest = &pr
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for _, cs := range need {
		g.Go(func() error {
			atts, err := lr.Attestations(gctx, cs.ReleasedDigest())
			if err != nil {
				return fmt.Errorf("lineage of %s: %w", cs.Name, err)
			}
			cs.Lineage = &Lineage{Attestations: atts}
			return nil
		})
	}
	return g.Wait()
}
