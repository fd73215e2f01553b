package helm

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/registry"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/relctl/relctl/providers/oci/ocitest"
)

// TestPackage_configAndAnnotationsEqualWhatHelmPushWrites pushes the package
// with helm's own registry client to an in-process registry on loopback
// and reads back what helm wrote.
func TestPackage_configAndAnnotationsEqualWhatHelmPushWrites(t *testing.T) {
	ctx := context.Background()
	dir := writeChart(t, t.TempDir(), fixture{vendored: true})
	pkg, err := New(Options{SourceDateEpoch: "1700000000"}).Package(ctx, chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}

	srv, err := ocitest.Start(ctx, ocitest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	// helm's client reads credentials from helm's and docker's config.
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	client, err := registry.NewClient(
		registry.ClientOptPlainHTTP(),
		registry.ClientOptWriter(io.Discard),
		registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "registry.json")),
	)
	if err != nil {
		t.Fatal(err)
	}
	ref := srv.Host + "/charts/podinfo:1.2.0"
	// `helm push` passes the archive's mtime as the creation time; a relctl
	// package's time is Created.
	if _, err := client.Push(pkg.Archive, ref, registry.PushOptCreationTime(pkg.Created.Format(time.RFC3339))); err != nil {
		t.Fatalf("helm push %s: %v", ref, err)
	}

	repo, err := remote.NewRepository(srv.Host + "/charts/podinfo")
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	_, manifestBytes, err := fetchManifest(ctx, repo, "1.2.0")
	if err != nil {
		t.Fatalf("fetch manifest: %v", err)
	}
	var manifest ocispec.Manifest
	if err := json.Unmarshal(manifestBytes, &manifest); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(manifest.Annotations, pkg.Annotations); diff != "" {
		t.Errorf("annotations (-helm +relctl):\n%s", diff)
	}
	config, err := content.FetchAll(ctx, repo, manifest.Config)
	if err != nil {
		t.Fatalf("fetch config: %v", err)
	}
	if !bytes.Equal(config, pkg.Config) {
		t.Errorf("config blob:\nhelm   %s\nrelctl %s", config, pkg.Config)
	}
	if len(manifest.Layers) != 1 || manifest.Layers[0].Digest.String() != pkg.Digest {
		t.Errorf("layers %v, want the package %s", manifest.Layers, pkg.Digest)
	}
}

// fetchManifest returns the manifest a tag names.
func fetchManifest(ctx context.Context, repo *remote.Repository, tag string) (ocispec.Descriptor, []byte, error) {
	desc, rc, err := repo.FetchReference(ctx, tag)
	if err != nil {
		return desc, nil, err
	}
	defer rc.Close()
	data, err := content.ReadAll(rc, desc)
	return desc, data, err
}

func TestPackage_annotationsNameTheChart(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	pkg, err := New(Options{SourceDateEpoch: "1700000000"}).Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		ocispec.AnnotationTitle:       "podinfo",
		ocispec.AnnotationVersion:     "1.2.0",
		ocispec.AnnotationDescription: "Podinfo is a tiny web application",
		ocispec.AnnotationURL:         "https://example.com/podinfo",
		ocispec.AnnotationSource:      "https://github.com/acme/podinfo",
		ocispec.AnnotationAuthors:     "Ada (ada@example.com), Bob",
		ocispec.AnnotationCreated:     "2023-11-14T22:13:20Z",
		// A chart annotation is copied, but cannot rename the chart.
		"example.com/team": "platform",
	}
	if diff := cmp.Diff(want, pkg.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	var meta chart.Metadata
	if err := json.Unmarshal(pkg.Config, &meta); err != nil {
		t.Fatalf("config is not chart metadata JSON: %v", err)
	}
	if meta.Name != "podinfo" || meta.Version != "1.2.0" || meta.APIVersion != "v2" {
		t.Errorf("config names %s %s (apiVersion %s), want podinfo 1.2.0 v2", meta.Name, meta.Version, meta.APIVersion)
	}
}

func TestOCIAnnotations_skipBlankFields(t *testing.T) {
	got := ociAnnotations(&chart.Metadata{Name: "c", Version: "1.0.0", Description: "  "}, "1970-01-01T00:00:00Z")
	want := map[string]string{
		ocispec.AnnotationTitle:   "c",
		ocispec.AnnotationVersion: "1.0.0",
		ocispec.AnnotationCreated: "1970-01-01T00:00:00Z",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}
