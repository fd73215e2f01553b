package oci

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/relctl/relctl/providers/oci/ocitest"
	"github.com/relctl/relctl/state"
)

func TestFetchChart_returnsThePushedArchive(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	pkg := testPackage(t, "podinfo", "1.2.0")
	repository := s.Host + "/acme/podinfo"
	dgst := mustPush(t, c, repository, pkg)
	s.ResetRequests()

	got, err := c.FetchChart(context.Background(), repository, dgst)

	if err != nil {
		t.Fatalf("FetchChart: %v", err)
	}
	if !bytes.Equal(got, pkg.Archive) {
		t.Errorf("FetchChart returned %d bytes that differ from the %d-byte archive", len(got), len(pkg.Archive))
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("FetchChart made %d requests, want 2 (manifest, chart layer): %v", n, s.Requests())
	}
}

func TestFetchChart_unknownDigestIsNotFound(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	pkg := testPackage(t, "podinfo", "1.2.0")
	repository := s.Host + "/acme/podinfo"
	mustPush(t, c, repository, pkg)

	_, err := c.FetchChart(context.Background(), repository, pkg.Digest) // a blob, not a manifest

	if !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("FetchChart of an unknown manifest: err = %v, want state.ErrNotFound", err)
	}
}

func TestFetchChart_refusesAnArtifactThatIsNotAChart(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	repository := s.Host + "/acme/podinfo"
	// A cosign-style artifact: a manifest whose only layer is not a chart.
	repo, err := remote.NewRepository(repository)
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	ctx := context.Background()
	layer, err := oras.PushBytes(ctx, repo, "application/vnd.dev.cosign.simplesigning.v1+json", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, "application/vnd.example+type",
		oras.PackManifestOptions{Layers: []ocispec.Descriptor{layer}})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, Options{})

	_, err = c.FetchChart(ctx, repository, manifest.Digest.String())

	if !errors.Is(err, state.ErrNotAChart) || !strings.Contains(err.Error(), "holds an OCI artifact (application/vnd.example+type), not a Helm chart") {
		t.Fatalf("FetchChart of a non-chart artifact: err = %v, want state.ErrNotAChart saying what it holds", err)
	}
}

func TestFetchChart_containerImageOrIndexIsNotAChartSayingWhichWithItsMediaType(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	repository := s.Host + "/acme/charts/podinfo"
	repo, err := remote.NewRepository(repository)
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	ctx := context.Background()
	image := pushImage(t, repo)
	// An index is packed by hand: oras-go packs image manifests only.
	indexJSON := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[` +
		`{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"` + image.Digest.String() + `","size":` + strconv.FormatInt(image.Size, 10) + `}]}`)
	indexDesc, err := oras.PushBytes(ctx, repo, ocispec.MediaTypeImageIndex, indexJSON)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, Options{})

	for _, tt := range []struct{ what, digest, want string }{
		{"image", image.Digest.String(), "holds a container image (application/vnd.oci.image.config.v1+json), not a Helm chart"},
		{"index", indexDesc.Digest.String(), "holds an image index (application/vnd.oci.image.index.v1+json), not a Helm chart"},
	} {
		_, err := c.FetchChart(ctx, repository, tt.digest)
		var nac *state.NotAChartError
		if !errors.As(err, &nac) || !errors.Is(err, state.ErrNotAChart) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("FetchChart of an %s: err = %v, want a state.NotAChartError saying %q", tt.what, err, tt.want)
		}
	}
}

// pushImage pushes a minimal container image: an image config and one
// layer, as `docker push` would.
func pushImage(t *testing.T, repo *remote.Repository) ocispec.Descriptor {
	t.Helper()
	ctx := context.Background()
	layer, err := oras.PushBytes(ctx, repo, ocispec.MediaTypeImageLayerGzip, []byte("not really a layer"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := oras.PushBytes(ctx, repo, ocispec.MediaTypeImageConfig, []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`))
	if err != nil {
		t.Fatal(err)
	}
	desc, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, "", oras.PackManifestOptions{ConfigDescriptor: &cfg, Layers: []ocispec.Descriptor{layer}})
	if err != nil {
		t.Fatal(err)
	}
	return desc
}
