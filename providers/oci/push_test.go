package oci

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/oci/ocitest"
)

func TestPush_thenResolveReturnsThePushedDigest(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	pkg := testPackage(t, "podinfo", "1.2.0")
	repository := s.Host + "/acme/charts/podinfo"

	pushed := mustPush(t, c, repository, pkg)

	want, err := c.ManifestDigest(pkg)
	if err != nil {
		t.Fatal(err)
	}
	if pushed != want {
		t.Errorf("Push returned %s, ManifestDigest says %s", pushed, want)
	}
	got, err := c.Resolve(context.Background(), repository, "1.2.0")
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if got != pushed {
		t.Errorf("Resolve = %s, want the pushed digest %s", got, pushed)
	}
}

func TestPush_secondPushOfTheSamePackageUploadsNoBlobs(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	pkg := testPackage(t, "podinfo", "1.2.0")
	repository := s.Host + "/acme/podinfo"

	first := mustPush(t, c, repository, pkg)
	if n := blobUploads(s); n != 4 {
		t.Errorf("first push: %d blob upload requests, want 4 (POST+PUT for config and chart layer)", n)
	}
	s.ResetRequests()

	second := mustPush(t, c, repository, pkg)

	if second != first {
		t.Errorf("second push digest %s, first %s", second, first)
	}
	if n := blobUploads(s); n != 0 {
		t.Errorf("second push: %d blob upload requests, want 0; requests: %v", n, s.Requests())
	}
	// Two blob HEADs and the idempotent manifest PUT.
	if n := s.CountRequests(""); n != 3 {
		t.Errorf("second push: %d requests, want 3; requests: %v", n, s.Requests())
	}
}

func TestPush_versionWithBuildMetadataIsTaggedWithUnderscore(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	pkg := testPackage(t, "podinfo", "1.2.3+build.1")
	repository := s.Host + "/acme/podinfo"

	pushed := mustPush(t, c, repository, pkg)

	for _, tag := range []string{"1.2.3_build.1", "1.2.3+build.1"} {
		got, err := c.Resolve(context.Background(), repository, tag)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", tag, err)
		}
		if got != pushed {
			t.Errorf("Resolve(%q) = %s, want %s", tag, got, pushed)
		}
	}
	var tags []string
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, "/manifests/") {
			tags = append(tags, r.Path[strings.LastIndex(r.Path, "/")+1:])
		}
	}
	for _, tag := range tags {
		if tag != "1.2.3_build.1" {
			t.Errorf("request for manifest %q, want only the tag 1.2.3_build.1", tag)
		}
	}
}

func TestPush_refusesATagOtherThanThePackageVersion(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	pkg := testPackage(t, "podinfo", "1.2.0")

	_, err := c.Push(context.Background(), s.Host+"/acme/podinfo", "1.2.1", pkg)

	if err == nil || !strings.Contains(err.Error(), "version 1.2.0") {
		t.Fatalf("Push under another tag: err = %v, want a version mismatch", err)
	}
	if s.Writes() != 0 {
		t.Errorf("registry received %d writes, want none", s.Writes())
	}
}

func TestPush_refusesARepositoryNamedForAnotherChart(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	pkg := testPackage(t, "podinfo", "1.2.0")

	_, err := c.Push(context.Background(), s.Host+"/acme/nginx", "1.2.0", pkg)

	if err == nil || !strings.Contains(err.Error(), "/podinfo") {
		t.Fatalf("Push to another chart's repository: err = %v, want a name mismatch", err)
	}
	if s.Writes() != 0 {
		t.Errorf("registry received %d writes, want none", s.Writes())
	}
}

func TestPush_refusesAPackageWhoseArchiveDoesNotMatchItsDigest(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	c := newClient(t, Options{})
	pkg := testPackage(t, "podinfo", "1.2.0")
	pkg.Archive = append(bytes.Clone(pkg.Archive), 0)

	_, err := c.Push(context.Background(), s.Host+"/acme/podinfo", "1.2.0", pkg)

	if err == nil || !strings.Contains(err.Error(), "archive digest") {
		t.Fatalf("Push of a corrupt package: err = %v, want a digest mismatch", err)
	}
	if len(s.Requests()) != 0 {
		t.Errorf("registry received %d requests, want none", len(s.Requests()))
	}
}
