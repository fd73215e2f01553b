package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/relctl/relctl/providers/oci/ocitest"
	"github.com/relctl/relctl/state"
)

// created is the fixed package time of every test package.
var created = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func startRegistry(t testing.TB, opts ocitest.Options) *ocitest.Server {
	t.Helper()
	s, err := ocitest.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// env is a test environment for Options.Getenv. DOCKER_CONFIG points at an
// empty directory unless the test sets it, so the machine's own docker
// login never leaks into a test.
func env(t testing.TB, kv ...string) func(string) string {
	t.Helper()
	m := map[string]string{envDockerConfig: t.TempDir()}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func newClient(t testing.TB, opts Options) *Client {
	t.Helper()
	if opts.Getenv == nil {
		opts.Getenv = env(t)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testPackage builds a small valid chart the way relctl's packager
// describes one: archive, its digest, helm's config JSON (the metadata
// helm's loader parses from the archive, which is what `helm push`
// marshals) and helm's annotations for that metadata at the fixed time.
func testPackage(t testing.TB, name, version string) *state.Package {
	t.Helper()
	files := []struct{ name, body string }{
		{"Chart.yaml", fmt.Sprintf("apiVersion: v2\nname: %s\ndescription: A chart for tests\nversion: %s\nappVersion: \"6.0.0\"\n", name, version)},
		{"values.yaml", "replicaCount: 1\n"},
		{"templates/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"},
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		hdr := &tar.Header{Name: name + "/" + f.name, Mode: 0o644, Size: int64(len(f.body)), ModTime: created, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	archive := buf.Bytes()

	ch, err := loader.LoadArchive(bytes.NewReader(archive))
	if err != nil {
		t.Fatalf("load test chart: %v", err)
	}
	config, err := json.Marshal(ch.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	return &state.Package{
		Chart:    name,
		Version:  version,
		FileName: name + "-" + version + ".tgz",
		Archive:  archive,
		Digest:   fmt.Sprintf("sha256:%x", sha256.Sum256(archive)),
		Config:   config,
		Annotations: map[string]string{
			"org.opencontainers.image.title":       name,
			"org.opencontainers.image.version":     version,
			"org.opencontainers.image.description": "A chart for tests",
			"org.opencontainers.image.created":     created.Format(time.RFC3339),
		},
		Created: created,
	}
}

// blobUploads counts the requests that upload blob content: the POST that
// opens an upload session and the PUT (or PATCH) that completes it.
func blobUploads(s *ocitest.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, "/blobs/") && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) {
			n++
		}
	}
	return n
}

func mustPush(t testing.TB, c *Client, repository string, pkg *state.Package) string {
	t.Helper()
	dgst, err := c.Push(context.Background(), repository, pkg.Version, pkg)
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	return dgst
}
