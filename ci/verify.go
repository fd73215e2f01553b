package ci

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/planner"
	"github.com/relctl/relctl/provenance"
	"github.com/relctl/relctl/state"
)

// BlobVerifier checks a cosign signature over a file's bytes.
type BlobVerifier interface {
	VerifyBlob(ctx context.Context, blob []byte, sig *state.BlobSignature) error
}

// DigestVerifier is a BlobVerifier that can check a signature against the
// file's digest alone, where the signature scheme allows it (key mode: an
// ECDSA signature is over the SHA-256 of the bytes). decided is false when
// it needs the bytes.
type DigestVerifier interface {
	VerifyBlobDigest(ctx context.Context, digest string, sig *state.BlobSignature) (decided bool, err error)
}

// AssetDownloader reads a release asset's bytes.
type AssetDownloader interface {
	DownloadAsset(ctx context.Context, assetID int64, limit int64) ([]byte, error)
}

// boundedDownloads is an AssetDownloader with at most cap(slots)
// downloads in flight: the one bound of verify's GitHub downloads.
type boundedDownloads struct {
	AssetDownloader
	slots chan struct{}
}

func (b boundedDownloads) DownloadAsset(ctx context.Context, assetID int64, limit int64) ([]byte, error) {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-b.slots }()
	return b.AssetDownloader.DownloadAsset(ctx, assetID, limit)
}

// VerifyReaders are what Verify reads beyond the snapshot. Blobs is nil when
// signing is off; Assets is nil when releases are not managed.
type VerifyReaders struct {
	Blobs  BlobVerifier
	Assets AssetDownloader
}

// Check is one verification of one chart version.
type Check struct {
	Chart   string `json:"chart"`
	Version string `json:"version"`
	Name    string `json:"check"`
	OK      bool   `json:"ok"`
	Detail  string `json:"detail"`
	// Source says what the chart's published package was compared with:
	// SourceStamp or SourceRebuilt; empty when the registry holds no chart.
	Source string `json:"source,omitempty"`
}

// The sources a chart's checks compare the published package with.
const (
	// SourceStamp: the signed manifest's source stamp, which names the
	// git tree of the chart folder the checkout holds, clean and committed.
	SourceStamp = "signed stamp"
	// SourceRebuilt: the chart packaged again from the checkout.
	SourceRebuilt = "rebuilt"
)

// Verification is the outcome of Verify.
type Verification struct {
	Checks []Check
}

// OK reports whether every check passed.
func (v *Verification) OK() bool {
	for _, c := range v.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// maxSignatureAsset bounds the .sig, .pem and .sigstore.json downloads:
// each is a few KiB.
const maxSignatureAsset = 1 << 20

// Verify checks what is published for each chart of the snapshot: the
// registry holds the declared chart, its signature verifies for the
// configured key or identity, the release is published, its .tgz is the
// registry's chart layer byte for byte, and its .tgz.sig verifies against
// those bytes. It reads only.
//
// A chart observed from its source stamp (state.Package.Stamped) was not
// packaged: its package is the one the published manifest describes, and
// it counts as the chart's sources only when the manifest's signature
// verifies (the signer vouches for the stamp); the release's files are
// then checked against the manifest's chart layer digest. Any other chart
// was packaged again, and the published one is compared with that rebuild.
func Verify(ctx context.Context, spec *config.Spec, snap *state.Snapshot, r VerifyReaders) (*Verification, error) {
	signing := spec.Signing.Mode != config.SigningNone && spec.Signing.Mode != ""
	if _, bounded := r.Assets.(*Prefetch); r.Assets != nil && !bounded {
		r.Assets = boundedDownloads{r.Assets, make(chan struct{}, verifyDownloads)}
	}
	// Charts are verified at once, each one's checks kept in place: the
	// downloads (a .sig, a lineage file: two requests each) would
	// otherwise add up, one round trip after another, for every chart.
	for _, c := range spec.Charts {
		if snap.Chart(c.Name) == nil {
			return nil, fmt.Errorf("chart %s was not observed", c.Name)
		}
	}
	per := make([][]Check, len(spec.Charts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(verifyParallelism)
	for i, c := range spec.Charts {
		g.Go(func() error {
			per[i] = verifyChart(gctx, spec, snap, r, c, snap.Chart(c.Name), signing)
			return nil
		})
	}
	_ = g.Wait() // verifyChart reports failures as checks, never as errors
	v := &Verification{}
	for _, checks := range per {
		v.Checks = append(v.Checks, checks...)
	}
	return v, nil
}

// verifyProvenance checks that an attestation valid for the configured key
// or identity (observation verified the signatures) is an SLSA provenance
// whose subject is the manifest the registry holds.
func verifyProvenance(att *state.AttestationState, manifest string) (bool, string) {
	if att == nil {
		return false, "not observed"
	}
	why := att.Reason
	for _, v := range att.Verified {
		ok, reason := provenance.Names(v.Statement, manifest)
		if ok {
			return true, fmt.Sprintf("SLSA v1 provenance of %s (%s): %s", short(manifest), v.Format, att.Reason)
		}
		why = att.Reason + "; " + reason
	}
	return false, "no valid SLSA v1 provenance of " + short(manifest) + ": " + why
}

// verifyParallelism bounds the charts verified at once; their downloads
// are bounded apart (verifyDownloads). A chart's checks are mostly waiting
// on its downloads: a lineage file and its signature files, read at once.
const verifyParallelism = 32

// verifyDownloads bounds the release downloads in flight: two a chart (its
// lineage file and its signature files, which are read one after the
// other), for the charts verified at once. Each download is two requests in
// a row (the API's redirect, then the storage host); GitHub allows 100
// concurrent requests.
const verifyDownloads = 2 * verifyParallelism

// verifyChart runs the checks of one chart version.
func verifyChart(ctx context.Context, spec *config.Spec, snap *state.Snapshot, r VerifyReaders, c config.Chart, cs *state.ChartState, signing bool) []Check {
	var out []Check
	source := ""
	add := func(name string, ok bool, detail string, args ...any) {
		out = append(out, Check{Chart: c.Name, Version: c.Version, Name: name, OK: ok, Detail: fmt.Sprintf(detail, args...), Source: source})
	}
	o := cs.OCI
	if !o.Exists {
		add("registry", false, "%s:%s is absent", o.Repository, o.Tag)
		return out
	}
	stamped := cs.Package.Stamped
	vouched := signing && cs.Signature != nil && cs.Signature.Valid
	from := "source: rebuilt from " + c.RelDir
	source = SourceRebuilt
	if stamped {
		source = SourceStamp
		from = fmt.Sprintf("source: signed stamp, tree %s (%s)", stampTree(cs.Package.Annotations[state.AnnotationSource]), c.RelDir)
	}
	layer := ""
	switch {
	case stamped && !vouched:
		// Observation takes a stamp for verify only once the manifest's
		// signature verified; without one the stamp is a claim.
		add("registry", false, "%s:%s at %s: its source stamp is not vouched for by a valid signature; run verify --rebuild", o.Repository, o.Tag, short(o.ManifestDigest))
	case o.ManifestDigest == o.LocalManifestDigest:
		layer = cs.Package.Digest
		add("registry", true, "%s:%s at %s; %s", o.Repository, o.Tag, short(o.ManifestDigest), from)
	case cs.Adopted():
		layer = cs.ReleasedDigest()
		add("registry", true, "%s:%s at %s: the chart files, packaged by another tool; %s", o.Repository, o.Tag, short(o.ManifestDigest), from)
	default:
		add("registry", false, "%s:%s at %s holds other content than %s; %s", o.Repository, o.Tag, o.ManifestDigest, c.RelDir, from)
	}
	if signing {
		switch sig := cs.Signature; {
		case sig == nil:
			add("signature", false, "not observed")
		default:
			add("signature", sig.Valid, "%s (%s)", sig.Reason, spec.Signing.Mode)
		}
	}
	if signing && spec.Signing.Provenance {
		ok, detail := verifyProvenance(cs.Attestation, o.ManifestDigest)
		add("provenance", ok, "%s", detail)
	}
	if spec.GitHub == nil {
		return out
	}
	keep := planner.KeptRelease(cs.Releases)
	switch {
	case keep == nil:
		add("release", false, "no release for tag %s", c.Tag)
		return out
	case keep.Draft:
		add("release", false, "release %s is still a draft", c.Tag)
	default:
		add("release", true, "%s published", c.Tag)
	}
	tgz := findAsset(keep.Assets, cs.Package.FileName)
	switch {
	case tgz == nil || tgz.State != "uploaded":
		add("release package", false, "%s is not on the release", cs.Package.FileName)
		return out
	case layer == "":
		add("release package", false, "%s cannot match a registry holding other content", cs.Package.FileName)
		return out
	case tgz.Digest != layer:
		add("release package", false, "%s is %s, the registry's chart is %s", tgz.Name, tgz.Digest, layer)
		return out
	default:
		add("release package", true, "%s = the registry's chart layer (%s)", tgz.Name, short(layer))
	}
	if spec.HelmRepository != nil && snap.Index != nil {
		ok, detail := verifyIndex(spec, snap, c, cs, layer)
		add("index", ok, "%s", detail)
	}
	// The downloads of the two checks below are made at once.
	var (
		wg                 sync.WaitGroup
		linOK, sigOK       bool
		linDetail, sigName string
		sigDetail          string
	)
	lineage := spec.Release.Lineage && r.Assets != nil
	signatures := signing && r.Blobs != nil && r.Assets != nil
	if lineage {
		wg.Go(func() { linOK, linDetail = verifyLineage(ctx, r, keep, c.Name, o.ManifestDigest, layer) })
	}
	if signatures {
		wg.Go(func() { sigName, sigOK, sigDetail = verifyBlobAsset(ctx, r, keep, cs, tgz, layer, spec.Signing) })
	}
	wg.Wait()
	if lineage {
		add("lineage", linOK, "%s", linDetail)
	}
	if signatures {
		add(sigName, sigOK, "%s", sigDetail)
	}
	return out
}

// stampTree is the git tree hash of a source stamp ("git-tree:<hash>"),
// abbreviated as git does for a reader.
func stampTree(stamp string) string {
	t, ok := strings.CutPrefix(stamp, "git-tree:")
	if !ok {
		return stamp
	}
	if len(t) > 12 {
		t = t[:12]
	}
	return t
}

// verifyBlobAsset checks the release's signature files against the
// package bytes, which equal the registry's chart layer: the .tgz.sig
// (with the .tgz.pem in keyless mode, together: a pair of two signings
// fails) of the legacy format, and the .tgz.sigstore.json of the bundle
// format, as signing.format writes them. The bundle is checked on its own,
// as `cosign verify-blob --bundle` does: a published release that gained
// it when the format changed holds it from a later signing than its .sig.
//
// A chart taken from its source stamp has no bytes here: its files are
// checked against layer, the digest the release's .tgz (tgz) was found to
// have, when the verifier can (DigestVerifier); else the .tgz is
// downloaded, and checked against layer before its signatures are.
func verifyBlobAsset(ctx context.Context, r VerifyReaders, rel *state.Release, cs *state.ChartState, tgz *state.Asset, layer string, s config.Signing) (string, bool, string) {
	name := "release signature"
	file := cs.Package.FileName
	read := func(asset string) ([]byte, error) {
		a := findAsset(rel.Assets, asset)
		if a == nil {
			return nil, fmt.Errorf("%s is not on the release", asset)
		}
		return r.Assets.DownloadAsset(ctx, a.ID, maxSignatureAsset)
	}
	archive := cs.ReleasedArchive()
	verify := func(bs *state.BlobSignature) error {
		if len(archive) == 0 {
			if dv, ok := r.Blobs.(DigestVerifier); ok {
				if decided, err := dv.VerifyBlobDigest(ctx, layer, bs); decided {
					return err
				}
			}
			b, err := r.Assets.DownloadAsset(ctx, tgz.ID, maxReleasePackage)
			if err != nil {
				return err
			}
			if sum := sha256.Sum256(b); "sha256:"+hex.EncodeToString(sum[:]) != layer {
				return fmt.Errorf("%s downloaded is not %s, the digest GitHub gives for it", file, short(layer))
			}
			archive = b
		}
		return r.Blobs.VerifyBlob(ctx, archive, bs)
	}
	var details []string
	if s.Format.Writes(config.FormatLegacy) {
		sig, err := read(file + ".sig")
		if err != nil {
			return name, false, err.Error()
		}
		bs := &state.BlobSignature{Signature: sig}
		if s.Mode == config.SigningKeyless {
			if bs.Certificate, err = read(file + ".pem"); err != nil {
				return name, false, err.Error()
			}
		}
		if err := verify(bs); err != nil {
			return name, false, err.Error()
		}
		if bs.Certificate != nil {
			// Verified together: a .sig and a .pem from two signings fail.
			details = append(details, file+".sig and its .pem verify against the package together")
		} else {
			details = append(details, file+".sig verifies against the package")
		}
	}
	if s.Format.Writes(config.FormatBundle) {
		bundle := state.BundleAssetName(file)
		b, err := read(bundle)
		if err != nil {
			return name, false, err.Error()
		}
		if err := verify(&state.BlobSignature{Bundle: b}); err != nil {
			return name, false, err.Error()
		}
		details = append(details, bundle+" (Sigstore bundle) verifies against the package")
	}
	return name, true, strings.Join(details, "; ")
}

// maxReleasePackage bounds the download of a release's .tgz, made only
// to verify its signature when the verifier needs the bytes.
const maxReleasePackage = 64 << 20

// maxLineageAsset bounds the lineage download: attestation bundles are a
// few KiB each.
const maxLineageAsset = 16 << 20

// verifyLineage checks that the release's lineage file records the digests
// the registry and the release hold now: the ledger against the world.
func verifyLineage(ctx context.Context, r VerifyReaders, rel *state.Release, chart, manifest, layer string) (bool, string) {
	name := state.LineageAssetName(chart)
	a := findAsset(rel.Assets, name)
	if a == nil || a.State != "uploaded" {
		return false, name + " is not on the release"
	}
	b, err := r.Assets.DownloadAsset(ctx, a.ID, maxLineageAsset)
	if err != nil {
		return false, err.Error()
	}
	var l planner.Lineage
	if err := json.Unmarshal(b, &l); err != nil {
		return false, fmt.Sprintf("%s is not a lineage file: %v", name, err)
	}
	switch {
	case l.Digest != manifest:
		return false, fmt.Sprintf("%s records %s, the registry holds %s", name, short(l.Digest), short(manifest))
	case l.PackageDigest != layer:
		return false, fmt.Sprintf("%s records package %s, the release carries %s", name, short(l.PackageDigest), short(layer))
	}
	return true, fmt.Sprintf("%s records %s, as the registry holds", name, short(manifest))
}

func findAsset(assets []state.Asset, name string) *state.Asset {
	for i := range assets {
		if assets[i].Name == name {
			return &assets[i]
		}
	}
	return nil
}

// short abbreviates a digest for details: sha256:0123456789ab.
func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}
