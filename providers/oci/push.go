package oci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/relctl/relctl/state"
)

// Push publishes pkg as repository:tag and returns the manifest digest,
// which is the digest of ManifestFor(pkg).
//
// It is safe to repeat: a blob the repository already holds is not
// uploaded again (a HEAD first, as oras.Copy does), and the manifest PUT is
// idempotent. A second Push of the same package therefore uploads nothing
// and only re-asserts the tag. Push does not check what the tag pointed to
// before; comparing against the observed digest is the caller's
// precondition.
//
// Like helm's strict mode, Push refuses a tag other than Tag(pkg.Version)
// and a repository whose last element is not pkg.Chart (when those fields
// are set): helm would not find the chart under any other name.
func (c *Client) Push(ctx context.Context, repository, tag string, pkg *state.Package) (string, error) {
	tag = Tag(tag)
	op := fmt.Sprintf("push %s:%s", repository, tag)
	if !tagPattern.MatchString(tag) {
		return "", fmt.Errorf("%s: invalid tag", op)
	}
	manifest, desc, err := ManifestFor(pkg)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if pkg.Version != "" && Tag(pkg.Version) != tag {
		return "", fmt.Errorf("%s: package %s has version %s, which is tag %s", op, packageName(pkg), pkg.Version, Tag(pkg.Version))
	}
	if pkg.Chart != "" && path.Base(repository) != pkg.Chart {
		return "", fmt.Errorf("%s: package %s belongs in a repository ending in /%s", op, packageName(pkg), pkg.Chart)
	}
	repo, err := c.repository(repository)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	host := repo.Reference.Registry

	// Ask for pull and push at once, as helm does: a token-based registry
	// (GHCR) then issues one token for the whole push instead of a pull
	// token for the HEADs and another for the uploads.
	ctx = auth.AppendRepositoryScope(ctx, repo.Reference, auth.ActionPull, auth.ActionPush)

	config, layer := blobDescriptors(pkg)
	blobs := []struct {
		what string
		desc ocispec.Descriptor
		data []byte
	}{
		{"chart layer", layer, pkg.Archive},
		{"config", config, pkg.Config},
	}
	for _, b := range blobs {
		if err := pushBlobIfAbsent(ctx, repo, b.desc, b.data); err != nil {
			return "", c.describe(fmt.Sprintf("%s: upload %s %s", op, b.what, b.desc.Digest), host, err)
		}
	}
	// oras-go checks the registry's Docker-Content-Digest answer against
	// desc, so a registry that rewrote the manifest is an error here.
	if err := repo.PushReference(ctx, desc, bytes.NewReader(manifest), tag); err != nil {
		return "", c.describe(fmt.Sprintf("%s: put manifest %s", op, desc.Digest), host, err)
	}
	return desc.Digest.String(), nil
}

// pushBlobIfAbsent uploads data unless the repository already has it.
// The reader is a *bytes.Reader so the request body can be rewound: the
// retry transport resends it after a transient failure, and oras-go's
// auth client after a 401 challenge.
func pushBlobIfAbsent(ctx context.Context, repo *remote.Repository, desc ocispec.Descriptor, data []byte) error {
	blobs := repo.Blobs()
	exists, err := blobs.Exists(ctx, desc)
	if err != nil {
		return err
	}
	if exists {
		return nil
	}
	err = blobs.Push(ctx, desc, bytes.NewReader(data))
	if errors.Is(err, errdef.ErrAlreadyExists) {
		// Another pusher finished the same blob first: content-addressed,
		// so it is ours too.
		return nil
	}
	return err
}
