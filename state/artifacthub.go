package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"sigs.k8s.io/yaml"

	"github.com/relctl/relctl/config"
)

// Artifact Hub reads a repository's metadata (its ID and owners, which let
// its owners claim it) from an OCI chart repository at a fixed tag, as an
// artifact of these media types: what `oras push <repo>:artifacthub.io
// --config /dev/null:<config type> artifacthub-repo.yml:<layer type>` makes.
const (
	ArtifactHubTag             = "artifacthub.io"
	ArtifactHubConfigMediaType = "application/vnd.cncf.artifacthub.config.v1+yaml"
	ArtifactHubLayerMediaType  = "application/vnd.cncf.artifacthub.repository-metadata.layer.v1.yaml"
	// ArtifactHubFileName is the metadata file's name, Artifact Hub's
	// artifacthub-repo.yml.
	ArtifactHubFileName = "artifacthub-repo.yml"
)

// ArtifactHubMetadata is the metadata artifact, built locally. It is
// deterministic (no timestamps, sorted keys), so the manifest digest alone
// says whether the registry holds it.
type ArtifactHubMetadata struct {
	// YAML is artifacthub-repo.yml: repositoryID and owners.
	YAML []byte
	// Config is the empty config blob, as oras pushes from /dev/null.
	Config []byte
	// Manifest is the OCI image manifest; Digest its "sha256:<hex>".
	Manifest []byte
	Digest   string
}

// ArtifactHubState is the registry's view of <repository>/<chart>:artifacthub.io.
type ArtifactHubState struct {
	// Observed is true when the tag was resolved (an artifacthub block is
	// declared and the chart can be built).
	Observed bool
	Exists   bool
	// Digest is the manifest digest the tag resolves to.
	Digest string
}

type artifactHubOwner struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

type artifactHubRepo struct {
	RepositoryID string             `json:"repositoryID"`
	Owners       []artifactHubOwner `json:"owners,omitempty"`
}

// NewArtifactHubMetadata builds the metadata artifact of the artifacthub
// block.
func NewArtifactHubMetadata(ah *config.ArtifactHub) (*ArtifactHubMetadata, error) {
	repo := artifactHubRepo{RepositoryID: ah.RepositoryID}
	for _, o := range ah.Owners {
		repo.Owners = append(repo.Owners, artifactHubOwner(o))
	}
	y, err := yaml.Marshal(repo)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", ArtifactHubFileName, err)
	}
	return ArtifactHubMetadataOf(y)
}

// ArtifactHubMetadataOf builds the artifact holding y as its
// artifacthub-repo.yml: what apply pushes from a saved plan's YAML.
func ArtifactHubMetadataOf(y []byte) (*ArtifactHubMetadata, error) {
	var err error
	m := &ArtifactHubMetadata{YAML: y, Config: []byte{}}
	manifest := ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageManifest,
		Config:    ocispec.Descriptor{MediaType: ArtifactHubConfigMediaType, Digest: digest.FromBytes(m.Config), Size: 0},
		Layers: []ocispec.Descriptor{{
			MediaType: ArtifactHubLayerMediaType, Digest: digest.FromBytes(y), Size: int64(len(y)),
			// The title is the file name `oras pull` writes the layer to.
			Annotations: map[string]string{ocispec.AnnotationTitle: ArtifactHubFileName},
		}},
	}
	if m.Manifest, err = json.Marshal(manifest); err != nil {
		return nil, err
	}
	m.Digest = digest.FromBytes(m.Manifest).String()
	return m, nil
}

// observeArtifactHub resolves the chart repository's artifacthub.io tag.
func observeArtifactHub(ctx context.Context, repository, chart string, reg RegistryReader) (ArtifactHubState, error) {
	st := ArtifactHubState{Observed: true}
	d, err := reg.Resolve(ctx, repository, ArtifactHubTag)
	switch {
	case errors.Is(err, ErrNotFound):
		return st, nil
	case err != nil:
		return st, fmt.Errorf("artifacthub_metadata.%s: %w", chart, err)
	}
	st.Exists, st.Digest = true, d
	return st, nil
}
