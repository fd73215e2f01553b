package state

import (
	"context"
	"fmt"
	"strings"

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

// BundleAssetName is the release asset holding the Sigstore bundle of a
// file's signature (`cosign sign-blob --bundle`'s output):
// <chart>-<version>.tgz.sigstore.json.
func BundleAssetName(fileName string) string { return fileName + ".sigstore.json" }

// CheckSignatureSets verifies the signature files of every draft of each
// chart that holds at least one of them, against the package the release
// carries, and records the verdict in Release.SignatureSet. The files are
// those signing.format writes: the .sig (and .pem when keyless) for
// "legacy", the .sigstore.json for "bundle", all for "both"; one missing,
// or files of two signings, make the set not valid. Published releases are
// left to `relctl verify`: their assets can no longer be repaired before
// publication. Refresh calls it when Readers.Blobs is set; parallelism <= 0
// means 8.
func CheckSignatureSets(ctx context.Context, snap *Snapshot, spec *config.Spec, r BlobSignatureReader, parallelism int) error {
	limit := parallelism
	if limit <= 0 {
		limit = 8
	}
	keyless := spec.Signing.Mode == config.SigningKeyless
	format := spec.Signing.Format
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := range snap.Charts {
		cs := &snap.Charts[i]
		if cs.Package == nil {
			continue
		}
		// The files of the set, in the order messages name them.
		var names []string
		if format.Writes(config.FormatLegacy) {
			names = append(names, cs.Package.FileName+".sig")
			if keyless {
				names = append(names, cs.Package.FileName+".pem")
			}
		}
		if format.Writes(config.FormatBundle) {
			names = append(names, BundleAssetName(cs.Package.FileName))
		}
		for ri := range cs.Releases {
			rel := &cs.Releases[ri]
			if !rel.Draft {
				continue
			}
			found := map[string]*Asset{}
			var have, missing []string
			for _, n := range names {
				if a := uploadedAsset(rel.Assets, n); a != nil {
					found[n] = a
					have = append(have, n)
				} else {
					missing = append(missing, n)
				}
			}
			switch {
			case len(have) == 0:
				continue
			case len(missing) > 0 && len(have) == 1 && strings.HasSuffix(have[0], ".pem"):
				rel.SignatureSet = &SignatureSetState{Reason: fmt.Sprintf("%s is missing: %s alone verifies nothing", missing[0], have[0])}
				continue
			case len(missing) > 0 && strings.HasSuffix(missing[0], ".pem"):
				rel.SignatureSet = &SignatureSetState{Reason: fmt.Sprintf("%s is missing: %s cannot be verified without its certificate", missing[0], have[0])}
				continue
			case len(missing) > 0:
				rel.SignatureSet = &SignatureSetState{Reason: fmt.Sprintf("%s is missing: %s alone is half of one signing", missing[0], strings.Join(have, " and "))}
				continue
			}
			g.Go(func() error {
				set, err := readSignatureSet(gctx, r, found, cs.Package.FileName)
				if err != nil {
					return fmt.Errorf("read the signature of %s from release %s: %w", cs.Package.FileName, rel.TagName, err)
				}
				if err := r.VerifyBlob(gctx, cs.ReleasedArchive(), set); err != nil {
					if len(have) == 1 {
						rel.SignatureSet = &SignatureSetState{Reason: fmt.Sprintf("%s does not verify %s", have[0], cs.Package.FileName)}
						return nil
					}
					rel.SignatureSet = &SignatureSetState{Reason: fmt.Sprintf("%s do not verify %s together (not from one signing, or not of this package)", strings.Join(have, " and "), cs.Package.FileName)}
					return nil
				}
				rel.SignatureSet = &SignatureSetState{Valid: true, Reason: "verifies the package"}
				return nil
			})
		}
	}
	return g.Wait()
}

// readSignatureSet downloads the set's files (by name, as
// CheckSignatureSets found them).
func readSignatureSet(ctx context.Context, r BlobSignatureReader, found map[string]*Asset, fileName string) (*BlobSignature, error) {
	set := &BlobSignature{}
	for _, f := range []struct {
		name string
		into *[]byte
	}{
		{fileName + ".sig", &set.Signature},
		{fileName + ".pem", &set.Certificate},
		{BundleAssetName(fileName), &set.Bundle},
	} {
		a := found[f.name]
		if a == nil {
			continue
		}
		b, err := r.DownloadAsset(ctx, a.ID, maxSignatureFile)
		if err != nil {
			return nil, fmt.Errorf("download %s: %w", a.Name, err)
		}
		*f.into = b
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
