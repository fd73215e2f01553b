// Storing Sigstore bundles in the registry the way cosign v3 does: as an
// OCI 1.1 referrer of the manifest they are about, which a registry without
// the referrers API (GHCR) only finds through the referrers fallback tag.

package cosign

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"

	"github.com/relctl/relctl/providers/oci"
)

const (
	// BundleMediaType is the media type of a Sigstore bundle v0.3, the
	// layer and artifact type cosign v3 stores bundles under.
	BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// AnnotationBundleContent says what the bundle holds: cosign v3 writes
	// "dsse-envelope" for signatures and attestations alike.
	AnnotationBundleContent = "dev.sigstore.bundle.content"
	// AnnotationBundlePredicateType is the in-toto predicate type of the
	// statement in the bundle's envelope: cosign's signature predicate, or
	// an attestation's (SLSA provenance, SBOM).
	AnnotationBundlePredicateType = "dev.sigstore.bundle.predicateType"
)

// BundleReferrer is a Sigstore bundle to attach to a manifest.
type BundleReferrer struct {
	// Subject is the manifest the bundle is about, as the registry serves
	// it: media type, digest and size (a referrer must name all three).
	Subject ocispec.Descriptor
	// Bundle is the bundle's JSON, stored as the referrer's one layer
	// (media type BundleMediaType).
	Bundle []byte
	// ArtifactType is the referrer manifest's artifactType; empty means
	// BundleMediaType, which is what cosign v3 writes for signatures and
	// attestations in bundle format.
	ArtifactType string
	// Annotations are the referrer manifest's annotations (cosign v3:
	// AnnotationBundleContent and AnnotationBundlePredicateType).
	// org.opencontainers.image.created is added when absent, as cosign
	// does.
	Annotations map[string]string
}

// PushBundle stores b in repository (host/path, no tag) as cosign v3's
// WriteAttestationNewBundleFormat does: the bundle as a blob, an empty
// config, and an OCI 1.1 image manifest whose subject is b.Subject. It
// returns the referrer manifest's descriptor.
//
// Where the registry has the referrers API (it answers the manifest upload
// with OCI-Subject), that is all. Where it has not (GHCR, the CNCF
// distribution registry), oras-go adds the manifest to the index under the
// referrers fallback tag `sha256-<hex>`, keeping what the index already
// lists (cosign's own bundles, other tools' referrers). The replaced index
// is left in place rather than deleted: GHCR refuses manifest deletes.
//
// PushBundle writes whatever it is given: checking first that no such
// bundle exists is the caller's part.
func (s *Signer) PushBundle(ctx context.Context, repository string, b BundleReferrer) (ocispec.Descriptor, error) {
	repo, err := s.orasRepository(repository)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	artifactType := b.ArtifactType
	if artifactType == "" {
		artifactType = BundleMediaType
	}
	what := fmt.Sprintf("attach a Sigstore bundle to %s@%s", repository, b.Subject.Digest)
	layer := content.NewDescriptorFromBytes(BundleMediaType, b.Bundle)
	if err := repo.Push(ctx, layer, bytes.NewReader(b.Bundle)); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("%s: upload the bundle: %w", what, registryError(err))
	}
	annotations := map[string]string{}
	for k, v := range b.Annotations {
		annotations[k] = v
	}
	subject := ocispec.Descriptor{MediaType: b.Subject.MediaType, Digest: b.Subject.Digest, Size: b.Subject.Size}
	desc, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, artifactType, oras.PackManifestOptions{
		Subject:             &subject,
		Layers:              []ocispec.Descriptor{layer},
		ManifestAnnotations: annotations,
	})
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("%s: push the referrer manifest: %w", what, registryError(err))
	}
	return desc, nil
}

// resolveManifest returns the descriptor of repository@digest as the
// registry serves it, for a referrer's subject.
func (s *Signer) resolveManifest(ctx context.Context, repository, digest string) (ocispec.Descriptor, error) {
	repo, err := s.orasRepository(repository)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	desc, err := repo.Resolve(ctx, digest)
	if err != nil {
		return ocispec.Descriptor{}, registryError(err)
	}
	return desc, nil
}

// orasRepository is an oras-go handle for repository with the Signer's
// credential chain and transport: the ones its cosign calls use.
func (s *Signer) orasRepository(repository string) (*remote.Repository, error) {
	repo, err := remote.NewRepository(repository)
	if err != nil {
		return nil, fmt.Errorf("repository %q: %w", repository, err)
	}
	repo.PlainHTTP = s.opts.AllowHTTPRegistry || oci.IsLoopback(repo.Reference.Registry)
	s.orasOnce.Do(func() {
		if s.opts.Auth != nil {
			// Beneath the shared auth client, not registryTransport (which
			// authenticates on its own with Auth): writes never ping.
			s.orasAuth = s.opts.Auth.AuthClient(retry.NewTransport(s.baseTransport()))
			s.orasAuth.Header = http.Header{"User-Agent": {userAgent}}
			return
		}
		s.orasAuth = &auth.Client{
			Client:     &http.Client{Transport: retry.NewTransport(s.registryTransport())},
			Cache:      auth.NewCache(),
			Credential: s.creds.CredentialFunc(),
			Header:     http.Header{"User-Agent": {userAgent}},
		}
	})
	repo.Client = s.orasAuth
	// GHCR answers 405 to manifest deletes: the fallback index a push
	// replaces stays, untagged, rather than failing the signature.
	repo.SkipReferrersGC = true
	return repo, nil
}
