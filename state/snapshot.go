package state

import (
	"encoding/json"
	"time"

	"github.com/relctl/relctl/config"
)

// Snapshot is everything observed for one spec at one moment.
type Snapshot struct {
	// Charts has one entry per spec chart, in the spec's order (by name).
	Charts []ChartState
	// Commit is the commit being released (GITHUB_SHA, else the checkout's
	// HEAD), used as the release's target_commitish; empty when unknown.
	Commit string
	// CommitTime is Commit's committer time; zero when unknown (no git, a
	// shallow clone without the commit).
	CommitTime time.Time
	// ReleasesObserved is true when GitHub releases were listed.
	ReleasesObserved bool
	// ExtraReleases counts releases of the repository that belong to no
	// declared chart: they are never touched.
	ExtraReleases int
	// PullRequest introduced Commit; nil when unknown or not looked up
	// (no release needs a lineage file).
	PullRequest *PullRequest
	// Index is the chart repository index; nil when no helm_repository is
	// declared.
	Index *IndexState
	// Run is the CI run observing (GitHub Actions' environment), which a
	// provenance records.
	Run Run
}

// Chart returns the state of the named chart, or nil.
func (s *Snapshot) Chart(name string) *ChartState {
	for i := range s.Charts {
		if s.Charts[i].Name == name {
			return &s.Charts[i]
		}
	}
	return nil
}

// ChartState is what was observed for one chart version.
type ChartState struct {
	Name    string
	Version string
	// Tag is the chart's release tag (release.tag evaluated).
	Tag string
	// Package is the chart packaged locally.
	Package *Package
	// Meta is the chart metadata that release notes use.
	Meta ChartMeta
	// Changelog is the chart's CHANGELOG.md, nil when it has none.
	Changelog []byte
	// OCI is the registry's view of <repository>/<chart>:<tag>.
	OCI OCIState
	// ArtifactHub is the registry's view of <repository>/<chart>:artifacthub.io;
	// not Observed when no artifacthub block is declared.
	ArtifactHub ArtifactHubState
	// ReleasePackage is the chart package the chart's release already
	// carries, made by another tool (chart-releaser's `helm package`) from
	// the same chart files, while the registry does not hold the version:
	// it is adopted, so the push and the signatures use its bytes and the
	// release keeps it. Nil otherwise.
	ReleasePackage *ReleasePackage
	// Signature is nil when signing is off, or the tag is absent.
	Signature *SignatureState
	// Attestation is what the manifest's attestations hold; nil when
	// provenance is off, or the tag is absent.
	Attestation *AttestationState
	// Releases lists every GitHub release whose tag_name is the chart's
	// tag, drafts included, oldest first. Nil when releases are not managed.
	Releases []Release
	// Assets holds the local files that the chart's release must carry
	// (beside the package), in upload order. Nil when releases are not
	// managed.
	Assets []LocalAsset
	// Lineage holds the sources of the chart's lineage file; nil when no
	// file is to be written (lineage off, or the published release has
	// one already).
	Lineage *Lineage
	// GitTag is the release tag, observed while the release is not yet
	// published (afterwards the tag is the release's); nil otherwise.
	GitTag *GitTag
}

// OCIState is the registry's view of one chart version.
type OCIState struct {
	// Repository is "<registry repository>/<chart>", Tag the version with
	// '+' replaced by '_'.
	Repository string
	Tag        string
	// Exists reports whether the tag resolves.
	Exists bool
	// ManifestDigest is the digest the tag resolves to.
	ManifestDigest string
	// ContentDigest is the content digest of the chart layer behind the
	// tag; it is fetched only when ManifestDigest differs from the local
	// one, and empty otherwise.
	ContentDigest string
	// LocalManifestDigest is the digest of the manifest a push writes: of
	// the local package, or of the release's adopted one (PushedPackage).
	LocalManifestDigest string
	// RemoteArchive is the remote chart layer (the .tgz bytes), kept when
	// it was fetched: when the registry holds a version pushed by another
	// tool with the same files, the release carries these bytes, so that
	// the registry and the release agree.
	RemoteArchive []byte
	// NotAChart, when set, says the tag holds something other than a
	// chart (an image, an index), in words: the chart's change is blocked.
	NotAChart string
	// UpstreamOnly is set when the published package differs from the
	// local one only by newer upstream dependency releases: the same own
	// files, and a Chart.lock that still satisfies today's constraints.
	// It is not a conflict.
	UpstreamOnly bool
	// NewerUpstream lists, when UpstreamOnly, the dependency versions a
	// build today would take ("common 2.4.1").
	NewerUpstream []string
}

// ReleasePackage is a release's chart package adopted by content.
type ReleasePackage struct {
	// AssetID is the release asset it was read from.
	AssetID int64
	// Archive is the asset's bytes, Digest "sha256:<hex>" of them.
	Archive []byte
	Digest  string
}

// ChartMeta is the part of Chart.yaml that release notes show.
type ChartMeta struct {
	Description string
	AppVersion  string
	// Changes is the artifacthub.io/changes annotation.
	Changes string
}

// SignatureState is what was found among the cosign signatures of a
// manifest digest, in every place cosign stores them.
type SignatureState struct {
	// Valid reports whether at least one signature verifies against the
	// configured key or identity.
	Valid bool
	// Count is the number of signatures found, valid or not, in every
	// format.
	Count int
	// Formats lists the formats of the valid signatures, each once, in the
	// order of SignatureFormats; empty when none is valid.
	Formats []string
	// Reason explains Valid in a few words ("no signature", "signed by
	// another key", "1 valid signature: legacy").
	Reason string
}

// The places a cosign signature of a manifest can be stored.
const (
	// SignatureFormatLegacy is a layer of the `sha256-<hex>.sig` tag
	// (cosign v2's default).
	SignatureFormatLegacy = "legacy"
	// SignatureFormatReferrer is a Sigstore bundle listed by the registry's
	// OCI 1.1 referrers API (cosign v3's default).
	SignatureFormatReferrer = "bundle (referrer)"
	// SignatureFormatFallbackTag is a Sigstore bundle listed in the index
	// under the referrers fallback tag `sha256-<hex>` (cosign v3 on a
	// registry without the referrers API, such as GHCR).
	SignatureFormatFallbackTag = "bundle (fallback tag)"
)

// SignatureFormats lists every format, in the order Formats uses.
var SignatureFormats = []string{SignatureFormatLegacy, SignatureFormatReferrer, SignatureFormatFallbackTag}

// Has reports whether a valid signature is stored in the format kind
// signing.format names: config.FormatLegacy (the signature tag) or
// config.FormatBundle (a Sigstore bundle, as a referrer or under the
// fallback tag). A nil state has none.
func (s *SignatureState) Has(kind config.SignatureFormat) bool {
	if s == nil {
		return false
	}
	for _, f := range s.Formats {
		switch {
		case kind == config.FormatLegacy && f == SignatureFormatLegacy:
			return true
		case kind == config.FormatBundle && (f == SignatureFormatReferrer || f == SignatureFormatFallbackTag):
			return true
		}
	}
	return false
}

// MissingFormats lists the formats to sign a manifest in, given what was
// found (st, nil when nothing was looked up) and signing.format. With
// "legacy" or "bundle", any valid signature counts, whatever its format:
// a chart someone signed with cosign v3 is signed. With "both", each
// format without a valid signature is missing. Never a format that holds
// one: a digest gets at most one signature per format from relctl.
func MissingFormats(st *SignatureState, format config.SignatureFormat) []config.SignatureFormat {
	if st == nil || !st.Valid {
		return format.Kinds()
	}
	if format != config.FormatBoth {
		return nil
	}
	var out []config.SignatureFormat
	for _, k := range format.Kinds() {
		if !st.Has(k) {
			out = append(out, k)
		}
	}
	return out
}

// Release is a GitHub release as observed.
type Release struct {
	ID              int64
	TagName         string
	Name            string
	Body            string
	Draft           bool
	Prerelease      bool
	Immutable       bool
	TargetCommitish string
	CreatedAt       time.Time
	Assets          []Asset
	// SignatureSet is the verdict on the chart package's signature files
	// (.sig, and .pem when keyless) of a draft that holds any of them; nil
	// otherwise, or when they were not checked.
	SignatureSet *SignatureSetState
}

// Asset is a GitHub release asset as observed. Only State "uploaded" is a
// real asset: others are leftovers of a failed upload.
type Asset struct {
	ID    int64
	Name  string
	Size  int64
	State string
	// Digest is "sha256:<hex>", from GitHub's digest field or computed by
	// downloading the asset when GitHub has none.
	Digest string
}

// LocalAsset is a file a release must carry.
type LocalAsset struct {
	// Name is the asset name as GitHub will store it (normalised).
	Name string
	// Path is the local file; empty for generated assets.
	Path string
	// SourceName is the file's own name, when normalisation changed it.
	SourceName string
	Size       int64
	Digest     string
	// Missing is set for an optional asset whose file does not exist.
	Missing bool
}

// PullRequest is the pull request that introduced the commit being
// released.
type PullRequest struct {
	Number int
	URL    string
	Body   string
	// Comments are its comments' bodies, oldest first.
	Comments []string
}

// Lineage is what was observed for a chart's attestation lineage file.
type Lineage struct {
	// Attestations are the entries of GitHub's attestations API for the
	// chart package's digest, as GitHub returned them.
	Attestations []json.RawMessage
}

// TagRef is a git tag as GitHub lists it.
type TagRef struct {
	Name string
	// SHA is what the ref points at: the commit, or for an annotated tag
	// the tag object.
	SHA       string
	Annotated bool
}

// GitTag is the chart's release tag as observed.
type GitTag struct {
	Exists bool
	// Commit is the commit the tag points at (an annotated tag
	// dereferenced).
	Commit string
}
