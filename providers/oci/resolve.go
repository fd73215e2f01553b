package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"

	"github.com/relctl/relctl/state"
)

const (
	// MaxChartBytes caps the chart archive FetchChart downloads. Charts are
	// kilobytes; a layer this large is not a chart and must not fill memory.
	MaxChartBytes = 64 << 20
	// maxManifestBytes is oras-go's default cap on manifests (4 MiB), which
	// GHCR and distribution enforce too.
	maxManifestBytes = 4 << 20
	// dockerManifestMediaType is Docker's schema 2 manifest, which the OCI
	// image manifest was derived from.
	dockerManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json"
	// dockerManifestListMediaType is Docker's multi-platform image, the
	// ancestor of the OCI image index.
	dockerManifestListMediaType = "application/vnd.docker.distribution.manifest.list.v2+json"
	// dockerImageConfigMediaType is a Docker image's config.
	dockerImageConfigMediaType = "application/vnd.docker.container.image.v1+json"
)

// tagPattern is the distribution spec's tag grammar. Checking it here
// keeps a digest-looking "tag" from being resolved as a digest.
var tagPattern = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

// Resolve returns the digest ("sha256:...") of the manifest repository:tag
// points to, with one HEAD request once authenticated. An absent tag, or an
// absent repository, gives an error wrapping state.ErrNotFound. A version
// with "+" may be passed as the tag; it is mapped with Tag.
func (c *Client) Resolve(ctx context.Context, repository, tag string) (string, error) {
	tag = Tag(tag)
	op := fmt.Sprintf("resolve %s:%s", repository, tag)
	if !tagPattern.MatchString(tag) {
		return "", fmt.Errorf("%s: invalid tag", op)
	}
	repo, err := c.repository(repository)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	desc, err := repo.Resolve(ctx, tag)
	if err != nil {
		return "", c.describe(op, repo.Reference.Registry, err)
	}
	return desc.Digest.String(), nil
}

// ResolveManifest is Resolve that reads the manifest too, in the same one
// request (a GET instead of a HEAD): its annotations say what relctl
// pushed (state.AnnotationSource), so that a plan of unchanged sources
// needs no other request for the chart. A manifest that is not a chart
// comes back with no ChartLayer.
func (c *Client) ResolveManifest(ctx context.Context, repository, tag string) (*state.RemoteManifest, error) {
	tag = Tag(tag)
	op := fmt.Sprintf("resolve %s:%s", repository, tag)
	if !tagPattern.MatchString(tag) {
		return nil, fmt.Errorf("%s: invalid tag", op)
	}
	repo, err := c.repository(repository)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	desc, data, err := oras.FetchBytes(ctx, repo, tag, oras.FetchBytesOptions{MaxBytes: maxManifestBytes})
	if err != nil {
		return nil, c.describe(op, repo.Reference.Registry, err)
	}
	out := &state.RemoteManifest{Digest: desc.Digest.String()}
	switch desc.MediaType {
	case ocispec.MediaTypeImageManifest, dockerManifestMediaType:
	default:
		return out, nil
	}
	var manifest ocispec.Manifest
	if err := json.Unmarshal(data, &manifest); err != nil {
		// Not ours to judge here: FetchChart says what it is, if asked.
		return out, nil
	}
	out.Annotations = manifest.Annotations
	out.ConfigDigest = manifest.Config.Digest.String()
	if layer, ok := chartLayer(manifest); ok {
		out.ChartLayer = layer.Digest.String()
	}
	return out, nil
}

var _ state.ManifestReader = (*Client)(nil)

// FetchChart returns the chart archive (the .tgz bytes) of the manifest
// repository@manifestDigest: it fetches the manifest, picks helm's chart
// layer and fetches that blob, verifying both against their digests. It
// makes two requests once authenticated. A manifest that is not a chart (a
// container image, an image index, another artifact) gives a
// *state.NotAChartError saying what it is; a chart layer over MaxChartBytes
// is an error; an absent manifest or blob wraps state.ErrNotFound.
func (c *Client) FetchChart(ctx context.Context, repository, manifestDigest string) ([]byte, error) {
	op := fmt.Sprintf("fetch chart %s@%s", repository, manifestDigest)
	dgst, err := digest.Parse(manifestDigest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	repo, err := c.repository(repository)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	host := repo.Reference.Registry

	desc, data, err := oras.FetchBytes(ctx, repo, dgst.String(), oras.FetchBytesOptions{MaxBytes: maxManifestBytes})
	if err != nil {
		return nil, c.describe(op, host, err)
	}
	switch desc.MediaType {
	case ocispec.MediaTypeImageManifest, dockerManifestMediaType:
		// helm's manifests carry no mediaType field, so a registry may
		// label them either way; both have the same config and layers.
	case ocispec.MediaTypeImageIndex, dockerManifestListMediaType:
		return nil, fmt.Errorf("%s: %w", op, &state.NotAChartError{Holds: fmt.Sprintf("an image index (%s)", desc.MediaType)})
	default:
		return nil, fmt.Errorf("%s: %w", op, &state.NotAChartError{Holds: fmt.Sprintf("a manifest of media type %s", desc.MediaType)})
	}
	var manifest ocispec.Manifest
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("%s: decode manifest: %w", op, err)
	}
	layer, ok := chartLayer(manifest)
	if !ok {
		return nil, fmt.Errorf("%s: %w", op, &state.NotAChartError{Holds: holds(manifest)})
	}
	if layer.Size > MaxChartBytes {
		return nil, fmt.Errorf("%s: chart layer is %d bytes, over the %d byte limit", op, layer.Size, MaxChartBytes)
	}
	archive, err := content.FetchAll(ctx, repo.Blobs(), layer)
	if err != nil {
		return nil, c.describe(fmt.Sprintf("%s: fetch layer %s", op, layer.Digest), host, err)
	}
	return archive, nil
}

// holds names what a manifest without a chart layer is, by its config
// media type (or artifact type), for the reason a user reads.
func holds(m ocispec.Manifest) string {
	switch mt := m.Config.MediaType; {
	case mt == ocispec.MediaTypeImageConfig, mt == dockerImageConfigMediaType:
		return fmt.Sprintf("a container image (%s)", mt)
	case m.ArtifactType != "":
		return fmt.Sprintf("an OCI artifact (%s)", m.ArtifactType)
	case mt != "":
		return fmt.Sprintf("an OCI artifact (%s)", mt)
	default:
		return "a manifest without a Helm chart layer"
	}
}

// chartLayer finds the chart content layer the way helm's Pull does,
// accepting the legacy media type of charts pushed by helm 3.7 and older.
func chartLayer(m ocispec.Manifest) (ocispec.Descriptor, bool) {
	var legacy *ocispec.Descriptor
	for i, l := range m.Layers {
		switch l.MediaType {
		case ChartLayerMediaType:
			return l, true
		case legacyChartLayerMediaType:
			legacy = &m.Layers[i]
		}
	}
	if legacy != nil {
		return *legacy, true
	}
	return ocispec.Descriptor{}, false
}
