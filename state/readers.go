package state

import (
	"context"
	"encoding/json"

	"github.com/relctl/relctl/config"
)

// Packager builds a chart's package from its folder.
type Packager interface {
	// Package packages the chart reproducibly.
	Package(ctx context.Context, chart config.Chart) (*Package, error)
	// ContentDigest computes the content digest of a chart archive made by
	// anyone (relctl, helm package, ...).
	ContentDigest(archive []byte) (string, error)
}

// RegistryReader reads chart manifests from an OCI registry. Its errors
// name the operation and the reference ("resolve <repository>:<tag>: …");
// Refresh adds the resource address.
type RegistryReader interface {
	// Resolve returns the manifest digest that repository:tag points to,
	// or an error wrapping ErrNotFound.
	Resolve(ctx context.Context, repository, tag string) (string, error)
	// FetchChart returns the chart content layer (the .tgz bytes) of the
	// manifest with the given digest; a manifest that is not a chart gives
	// a *NotAChartError.
	FetchChart(ctx context.Context, repository, manifestDigest string) ([]byte, error)
	// ManifestDigest is the digest of the manifest a push of pkg writes.
	// It is computed locally, without a request.
	ManifestDigest(pkg *Package) (string, error)
}

// SignatureReader finds and verifies the cosign signatures of a manifest.
type SignatureReader interface {
	VerifySignatures(ctx context.Context, repository, manifestDigest string) (*SignatureState, error)
}

// ReleaseReader lists a repository's GitHub releases. Its errors say what
// was done to which repository ("list releases of acme/charts: …"); Refresh
// returns them as they are.
type ReleaseReader interface {
	// ListReleases returns every release of the repository, drafts
	// included, with their assets. An asset's Digest is empty when GitHub
	// has none for it.
	ListReleases(ctx context.Context) ([]Release, error)
	// AssetDigest downloads an asset and returns "sha256:<hex>" of it.
	AssetDigest(ctx context.Context, assetID int64) (string, error)
}

// LineageReader finds what a chart's attestation lineage file records: the
// pull request behind the commit, and GitHub's attestations for a digest.
type LineageReader interface {
	// PullRequestsForCommit lists the pull requests that introduced sha.
	PullRequestsForCommit(ctx context.Context, sha string) ([]PullRequest, error)
	// IssueComments returns the bodies of an issue's or pull request's
	// comments, oldest first.
	IssueComments(ctx context.Context, number int) ([]string, error)
	// Attestations returns GitHub's attestations for a subject digest
	// ("sha256:<hex>"); none is not an error.
	Attestations(ctx context.Context, digest string) ([]json.RawMessage, error)
}

// TagReader reads the repository's git tags. Like ReleaseReader's, its
// errors name the operation and the repository.
type TagReader interface {
	// Tags lists every tag of the repository.
	Tags(ctx context.Context) ([]TagRef, error)
	// TagCommit returns the commit an annotated tag object points at.
	TagCommit(ctx context.Context, tagSHA string) (string, error)
}
