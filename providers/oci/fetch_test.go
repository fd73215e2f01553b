package oci

import (
	"bytes"
	"context"
	"errors"
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

	if err == nil || !strings.Contains(err.Error(), "not a helm chart") {
		t.Fatalf("FetchChart of a non-chart artifact: err = %v, want not a helm chart", err)
	}
}
