package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/relctl/relctl/state"
)

// PushArtifactHub publishes Artifact Hub's repository metadata as
// repository:artifacthub.io and returns the manifest digest, m.Digest. Like
// Push it uploads only the blobs the repository lacks and is safe to
// repeat; the caller checks where the tag was.
func (c *Client) PushArtifactHub(ctx context.Context, repository string, m *state.ArtifactHubMetadata) (string, error) {
	op := fmt.Sprintf("push %s:%s", repository, state.ArtifactHubTag)
	var manifest ocispec.Manifest
	if err := json.Unmarshal(m.Manifest, &manifest); err != nil || len(manifest.Layers) != 1 {
		return "", fmt.Errorf("%s: not an Artifact Hub metadata manifest", op)
	}
	repo, err := c.repository(repository)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	host := repo.Reference.Registry
	ctx = auth.AppendRepositoryScope(ctx, repo.Reference, auth.ActionPull, auth.ActionPush)
	for _, b := range []struct {
		what string
		desc ocispec.Descriptor
		data []byte
	}{
		{"config", manifest.Config, m.Config},
		{state.ArtifactHubFileName, manifest.Layers[0], m.YAML},
	} {
		if b.desc.Digest != digest.FromBytes(b.data) {
			return "", fmt.Errorf("%s: the manifest does not describe the %s", op, b.what)
		}
		if err := pushBlobIfAbsent(ctx, repo, b.desc, b.data); err != nil {
			return "", c.describe(fmt.Sprintf("%s: upload %s %s", op, b.what, b.desc.Digest), host, err)
		}
	}
	desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(m.Manifest), Size: int64(len(m.Manifest))}
	if err := repo.PushReference(ctx, desc, bytes.NewReader(m.Manifest), state.ArtifactHubTag); err != nil {
		return "", c.describe(fmt.Sprintf("%s: put manifest %s", op, desc.Digest), host, err)
	}
	return desc.Digest.String(), nil
}
