package state

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/relctl/relctl/config"
)

// BlobSignatureReader reads and verifies the cosign signature files of a
// release: the .tgz.sig and, in keyless mode, the .tgz.pem.
type BlobSignatureReader interface {
	// DownloadAsset returns an asset's bytes, at most limit of them.
	DownloadAsset(ctx context.Context, assetID int64, limit int64) ([]byte, error)
	// VerifyBlob returns nil when sig is a valid signature of blob for the
	// configured key or identity.
	VerifyBlob(ctx context.Context, blob []byte, sig *BlobSignature) error
}

// SignatureSetState is the verdict on the signature files a draft release
// holds for its chart package, read together: in keyless mode the .sig and
// the .pem only verify when they come from one signing.
type SignatureSetState struct {
	// Valid reports whether the files verify the package.
	Valid bool
	// Reason says why not, for the plan ("the .pem is missing").
	Reason string
}

// maxSignatureFile bounds a .sig or .pem download: both are a few KiB.
const maxSignatureFile = 1 << 20

// CheckSignatureSets verifies the signature files of every draft of each
// chart that holds at least one of them, against the package the release
// carries, and records the verdict in Release.SignatureSet. Published
// releases are left to `relctl verify`: their assets can no longer be
// repaired before publication. Refresh calls it when Readers.Blobs is set;
// parallelism <= 0 means 8.
func CheckSignatureSets(ctx context.Context, snap *Snapshot, spec *config.Spec, r BlobSignatureReader, parallelism int) error {
	limit := parallelism
	if limit <= 0 {
		limit = 8
	}
	keyless := spec.Signing.Mode == config.SigningKeyless
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := range snap.Charts {
		cs := &snap.Charts[i]
		if cs.Package == nil {
			continue
		}
		sigName, pemName := cs.Package.FileName+".sig", cs.Package.FileName+".pem"
		for ri := range cs.Releases {
			rel := &cs.Releases[ri]
			if !rel.Draft {
				continue
			}
			sig, pem := uploadedAsset(rel.Assets, sigName), uploadedAsset(rel.Assets, pemName)
			if sig == nil && (pem == nil || !keyless) {
				continue
			}
			switch {
			case sig == nil:
				rel.SignatureSet = &SignatureSetState{Reason: fmt.Sprintf("%s is missing: %s alone verifies nothing", sigName, pemName)}
				continue
			case keyless && pem == nil:
				rel.SignatureSet = &SignatureSetState{Reason: fmt.Sprintf("%s is missing: %s cannot be verified without its certificate", pemName, sigName)}
				continue
			}
			g.Go(func() error {
				set, err := readSignatureSet(gctx, r, sig, pem)
				if err != nil {
					return fmt.Errorf("read the signature of %s from release %s: %w", cs.Package.FileName, rel.TagName, err)
				}
				if err := r.VerifyBlob(gctx, cs.ReleasedArchive(), set); err != nil {
					what := sigName
					if pem != nil {
						what = sigName + " and " + pemName
					}
					rel.SignatureSet = &SignatureSetState{Reason: fmt.Sprintf("%s do not verify %s together (not from one signing, or not of this package)", what, cs.Package.FileName)}
					return nil
				}
				rel.SignatureSet = &SignatureSetState{Valid: true, Reason: "verifies the package"}
				return nil
			})
		}
	}
	return g.Wait()
}

func readSignatureSet(ctx context.Context, r BlobSignatureReader, sig, pem *Asset) (*BlobSignature, error) {
	b, err := r.DownloadAsset(ctx, sig.ID, maxSignatureFile)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", sig.Name, err)
	}
	set := &BlobSignature{Signature: b}
	if pem != nil {
		if set.Certificate, err = r.DownloadAsset(ctx, pem.ID, maxSignatureFile); err != nil {
			return nil, fmt.Errorf("download %s: %w", pem.Name, err)
		}
	}
	return set, nil
}

func uploadedAsset(assets []Asset, name string) *Asset {
	for i := range assets {
		if assets[i].Name == name && assets[i].State == "uploaded" {
			return &assets[i]
		}
	}
	return nil
}
