package oci

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/relctl/relctl/providers/oci/ocitest"
)

// helmClient is helm's own registry client, as `helm push` and `helm pull`
// use it, isolated from the machine's helm and docker logins.
func helmClient(t *testing.T) *registry.Client {
	t.Helper()
	dir := t.TempDir()
	// helm also reads the docker store, locating it through the process
	// environment.
	t.Setenv("DOCKER_CONFIG", dir)
	c, err := registry.NewClient(
		registry.ClientOptPlainHTTP(),
		registry.ClientOptCredentialsFile(filepath.Join(dir, "helm-registry.json")),
		registry.ClientOptWriter(io.Discard),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPush_manifestDigestEqualsHelmPushOfTheSameArchive(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	hc := helmClient(t)
	pkg := testPackage(t, "podinfo", "1.2.0")

	res, err := hc.Push(pkg.Archive, s.Host+"/helm/podinfo:1.2.0", registry.PushOptCreationTime(created.Format(time.RFC3339)))
	if err != nil {
		t.Fatalf("helm push: %v", err)
	}
	ours := mustPush(t, c, s.Host+"/relctl/podinfo", pkg)

	if ours != res.Manifest.Digest {
		helmManifest := rawManifest(t, s.Host, "helm/podinfo", "1.2.0")
		ourManifest, _, _ := ManifestFor(pkg)
		t.Fatalf("manifest digest %s, helm push gives %s\nours: %s\nhelm: %s", ours, res.Manifest.Digest, ourManifest, helmManifest)
	}
	if pkg.Digest != res.Chart.Digest {
		t.Errorf("chart layer digest %s, helm %s", pkg.Digest, res.Chart.Digest)
	}
	ourManifest, _, _ := ManifestFor(pkg)
	if helmManifest := rawManifest(t, s.Host, "helm/podinfo", "1.2.0"); !bytes.Equal(ourManifest, helmManifest) {
		t.Errorf("manifest bytes differ\nours: %s\nhelm: %s", ourManifest, helmManifest)
	}
}

func TestPush_chartPulledBackWithHelmIsTheSameArchiveAndLoads(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	hc := helmClient(t)
	pkg := testPackage(t, "podinfo", "1.2.3+build.1")
	pushed := mustPush(t, c, s.Host+"/acme/charts/podinfo", pkg)

	// helm maps "+" to "_" itself when it parses the reference.
	res, err := hc.Pull(s.Host + "/acme/charts/podinfo:1.2.3+build.1")
	if err != nil {
		t.Fatalf("helm pull: %v", err)
	}

	if res.Manifest.Digest != pushed {
		t.Errorf("helm pulled manifest %s, relctl pushed %s", res.Manifest.Digest, pushed)
	}
	if !bytes.Equal(res.Chart.Data, pkg.Archive) {
		t.Errorf("helm pulled %d bytes that differ from the %d-byte archive", len(res.Chart.Data), len(pkg.Archive))
	}
	ch, err := loader.LoadArchive(bytes.NewReader(res.Chart.Data))
	if err != nil {
		t.Fatalf("helm cannot load the pulled chart: %v", err)
	}
	if ch.Metadata.Name != "podinfo" || ch.Metadata.Version != "1.2.3+build.1" {
		t.Errorf("pulled chart is %s %s, want podinfo 1.2.3+build.1", ch.Metadata.Name, ch.Metadata.Version)
	}
}

func TestPush_overAChartHelmPushedUploadsNothing(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	hc := helmClient(t)
	pkg := testPackage(t, "podinfo", "1.2.0")
	res, err := hc.Push(pkg.Archive, s.Host+"/acme/podinfo:1.2.0", registry.PushOptCreationTime(created.Format(time.RFC3339)))
	if err != nil {
		t.Fatalf("helm push: %v", err)
	}
	s.ResetRequests()

	got := mustPush(t, c, s.Host+"/acme/podinfo", pkg)

	if got != res.Manifest.Digest {
		t.Errorf("push over helm's chart gives %s, helm pushed %s", got, res.Manifest.Digest)
	}
	if n := blobUploads(s); n != 0 {
		t.Errorf("%d blob upload requests, want 0", n)
	}
}

// rawManifest reads a manifest's bytes straight from the registry, as
// evidence when digests differ.
func rawManifest(t *testing.T, host, name, tag string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+host+"/v2/"+name+"/manifests/"+tag, nil)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req.WithContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
