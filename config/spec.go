package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Spec is a loaded, validated release spec. Every field is a plain value; the
// HCL expressions have all been evaluated.
type Spec struct {
	// Dir is the absolute directory that holds relctl.hcl.
	Dir string
	// Files lists the HCL files that were read, relative to Dir.
	Files []string
	// Digest is "sha256:<hex>" of relctl.hcl as read (before variables
	// are applied): the spec a provenance attestation names.
	Digest string

	Registry Registry
	// GitHub is nil when the spec has no github block: releases are then
	// not managed.
	GitHub  *GitHub
	Signing Signing
	Release Release
	Retry   Retry
	// HelmRepository is the helm_repository block, nil when absent: no
	// index.yaml is then managed.
	HelmRepository *HelmRepository
	// ArtifactHub is the artifacthub block, nil when absent: no Artifact
	// Hub repository metadata is then published.
	ArtifactHub *ArtifactHub
	// Discovery is the charts {} block, nil when absent.
	Discovery *Discovery

	// Charts holds every declared chart (explicit chart blocks and the
	// folders found by charts {}), sorted by Name. Names are unique.
	Charts []Chart
}

// ConflictPolicy says what to do when a version is already in the registry
// with other content.
type ConflictPolicy string

const (
	ConflictFail      ConflictPolicy = "fail"
	ConflictSkip      ConflictPolicy = "skip"
	ConflictOverwrite ConflictPolicy = "overwrite"
)

// AssetConflictPolicy says what to do when a release asset exists with other
// content.
type AssetConflictPolicy string

const (
	AssetConflictFail    AssetConflictPolicy = "fail"
	AssetConflictReplace AssetConflictPolicy = "replace"
)

// SigningMode selects how charts are signed.
type SigningMode string

const (
	SigningNone    SigningMode = "none"
	SigningKey     SigningMode = "key"
	SigningKeyless SigningMode = "keyless"
)

// SignatureFormat is how signatures are written (signing.format).
type SignatureFormat string

const (
	// FormatLegacy writes cosign's classic signature: a layer of the
	// `sha256-<hex>.sig` tag, and `.tgz.sig` (+ `.tgz.pem`) on the release.
	// Every cosign since 2.0 verifies it.
	FormatLegacy SignatureFormat = "legacy"
	// FormatBundle writes a Sigstore bundle, as cosign v3 does: an OCI 1.1
	// referrer of the chart manifest (under the referrers fallback tag
	// `sha256-<hex>` on a registry without the referrers API), and
	// `.tgz.sigstore.json` on the release.
	FormatBundle SignatureFormat = "bundle"
	// FormatBoth writes both.
	FormatBoth SignatureFormat = "both"
)

// Kinds lists the formats f writes, each "legacy" or "bundle"; an empty f
// is legacy.
func (f SignatureFormat) Kinds() []SignatureFormat {
	switch f {
	case FormatBundle:
		return []SignatureFormat{FormatBundle}
	case FormatBoth:
		return []SignatureFormat{FormatLegacy, FormatBundle}
	}
	return []SignatureFormat{FormatLegacy}
}

// Writes reports whether f writes the format kind (FormatLegacy or
// FormatBundle).
func (f SignatureFormat) Writes(kind SignatureFormat) bool {
	for _, k := range f.Kinds() {
		if k == kind {
			return true
		}
	}
	return false
}

// SigningFailurePolicy says what happens when signing fails.
type SigningFailurePolicy string

const (
	SigningFailureFail SigningFailurePolicy = "fail"
	SigningFailureWarn SigningFailurePolicy = "warn"
)

// Registry is the registry block.
type Registry struct {
	// Repository is the OCI repository prefix without scheme or trailing
	// slash, e.g. "ghcr.io/acme/charts". A chart goes to
	// <Repository>/<chart>:<tag>.
	Repository string
	// Host is the registry host of Repository, e.g. "ghcr.io" or
	// "127.0.0.1:5000".
	Host string
	// Insecure allows plain HTTP to a non-loopback host.
	Insecure bool
	// OnConflict defaults to ConflictFail.
	OnConflict ConflictPolicy
	DeclRange  hcl.Range
}

// GitHub is the github block.
type GitHub struct {
	// Repository is "owner/name"; Owner and Name are its two halves.
	Repository string
	Owner      string
	Name       string
	// MakeLatest is sent as make_latest when a release is published.
	// Defaults to false: chart releases must not steal the application's
	// "Latest" badge.
	MakeLatest bool
	// OnAssetConflict defaults to AssetConflictFail.
	OnAssetConflict AssetConflictPolicy
	// UpdateNotes defaults to true.
	UpdateNotes bool
	DeclRange   hcl.Range
}

// Signing is the signing block. Without one, Mode is SigningNone.
type Signing struct {
	// Mode defaults to SigningKeyless when the block is present.
	Mode SigningMode
	// Key is a path (relative to Spec.Dir, made absolute), "env://VAR", or a
	// KMS reference passed through to cosign. Used when Mode is SigningKey.
	Key string
	// PublicKey is the public half of Key (a path made absolute, env://VAR
	// or a KMS reference): plans and verification use it, so that a pull
	// request needs no private key or password. Empty means the .pub file
	// beside a .key file, else the private key itself.
	PublicKey string
	// Identity is what keyless verification accepts.
	Identity Identity
	// FulcioURL and RekorURL default to the public-good Sigstore instance.
	FulcioURL string
	RekorURL  string
	// TrustedRoot is the absolute path of a Sigstore trusted root JSON
	// (cosign's --trusted-root): with it, verification trusts exactly the
	// Fulcio, CT log and Rekor keys it lists, without TUF. Empty means
	// Sigstore's public-good instance, through TUF.
	TrustedRoot string
	// TlogUpload defaults to true.
	TlogUpload bool
	// Format defaults to FormatLegacy.
	Format SignatureFormat
	// OnFailure defaults to SigningFailureFail.
	OnFailure SigningFailurePolicy
	// Provenance attests each chart manifest with a signed SLSA v1
	// provenance (resource oci_attestation), signed as the charts are.
	// Off by default.
	Provenance bool
	DeclRange  hcl.Range
}

// Identity is the certificate identity accepted for keyless signatures.
type Identity struct {
	Issuer        string
	SubjectRegexp string
}

// Discovery is the charts {} block: every folder below Dir that holds a
// Chart.yaml is a chart.
type Discovery struct {
	// Dir is relative to Spec.Dir, slash-separated.
	Dir string
	// OnlyChanged limits plans to charts changed since the base ref.
	OnlyChanged bool
	DeclRange   hcl.Range
}

// Release is the release block.
type Release struct {
	// Atomic (default true) publishes every chart's release together, last.
	Atomic bool
	// Lineage (default true) attaches <chart>-attestation-lineage.json to
	// every release: the chart's digests, source commit, pull request and
	// attestations.
	Lineage bool
	// Assets are files taken from each chart's folder, in declaration
	// order. Defaults to CHANGELOG.md, README.md and LICENSE, all optional.
	Assets []Asset
	// Files are extra files attached to every release: globs relative to
	// Spec.Dir that must stay inside it.
	Files []string
	// NotesTemplate is a Go text/template for the release notes; empty means
	// the built-in default.
	NotesTemplate string
	DeclRange     hcl.Range
}

// Asset is one file taken from a chart's folder.
type Asset struct {
	Name     string
	Required bool
}

// Chart is one chart to publish, with its release templates evaluated.
type Chart struct {
	// Name and Version come from the chart's Chart.yaml. Version is valid
	// semver.
	Name    string
	Version string
	// Dir is the absolute path of the chart folder; RelDir is the same,
	// relative to Spec.Dir and slash-separated, for display.
	Dir    string
	RelDir string
	// Tag and Title are release.tag and release.title evaluated for this
	// chart (defaults "<name>-v<version>" and "<name>: v<version>").
	Tag   string
	Title string
	// Prerelease is true when Version has a semver pre-release part.
	Prerelease bool
	// DeclRange is the chart block, or the charts {} block that found it.
	DeclRange hcl.Range
}

// Retry is the retry block: how transient remote failures (network errors,
// 5xx, 429, GitHub's secondary rate limit) are retried.
type Retry struct {
	// Attempts counts the first try; defaults to 5.
	Attempts int
	// MinBackoff and MaxBackoff bound the jittered exponential backoff;
	// defaults 1s and 60s. Retry-After and x-ratelimit-reset take
	// precedence when a server sends them.
	MinBackoff time.Duration
	MaxBackoff time.Duration
}
