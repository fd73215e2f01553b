package oci

import (
	"context"
	"encoding/json"
	"io"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/oci/ocitest"
	"github.com/relctl/relctl/state"
)

// Artifact Hub fetches <repo>:artifacthub.io, picks the layer of the
// metadata media type and reads artifacthub-repo.yml from it: the test does
// the same against a real registry.
func TestPushArtifactHub_isReadableAsArtifactHubReadsIt(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	ctx := context.Background()
	repository := s.Host + "/acme/charts/podinfo"
	m, err := state.NewArtifactHubMetadata(&config.ArtifactHub{
		RepositoryID: "7c4a2b1e-3f5d-4a8b-9c0d-1e2f3a4b5c6d",
		Owners:       []config.ArtifactHubOwner{{Name: "Ada", Email: "ada@acme.io"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.PushArtifactHub(ctx, repository, m)
	if err != nil {
		t.Fatalf("PushArtifactHub: %v", err)
	}
	if got != m.Digest {
		t.Errorf("pushed %s, want the planned digest %s", got, m.Digest)
	}
	if d, err := c.Resolve(ctx, repository, "artifacthub.io"); err != nil || d != m.Digest {
		t.Fatalf("Resolve(artifacthub.io) = %s, %v; want %s", d, err, m.Digest)
	}

	repo, err := c.repository(repository)
	if err != nil {
		t.Fatal(err)
	}
	_, rc, err := repo.FetchReference(ctx, "artifacthub.io")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(rc)
	rc.Close()
	var man ocispec.Manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		t.Fatal(err)
	}
	if man.Config.MediaType != "application/vnd.cncf.artifacthub.config.v1+yaml" || len(man.Layers) != 1 ||
		man.Layers[0].MediaType != "application/vnd.cncf.artifacthub.repository-metadata.layer.v1.yaml" {
		t.Fatalf("manifest is not Artifact Hub's: %s", raw)
	}
	lr, err := repo.Blobs().Fetch(ctx, man.Layers[0])
	if err != nil {
		t.Fatal(err)
	}
	yml, _ := io.ReadAll(lr)
	lr.Close()
	want := "owners:\n- email: ada@acme.io\n  name: Ada\nrepositoryID: 7c4a2b1e-3f5d-4a8b-9c0d-1e2f3a4b5c6d\n"
	if string(yml) != want {
		t.Errorf("artifacthub-repo.yml =\n%s\nwant\n%s", yml, want)
	}

	// Repeating the push uploads nothing new and lands on the same digest.
	s.ResetRequests()
	if again, err := c.PushArtifactHub(ctx, repository, m); err != nil || again != m.Digest {
		t.Errorf("second push = %s, %v", again, err)
	}
	if n := blobUploads(s); n != 0 {
		t.Errorf("second push uploaded %d blobs, want 0", n)
	}
}
