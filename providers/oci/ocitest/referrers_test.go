package ocitest

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// pushWithReferrer pushes a manifest and a referrer of it with oras-go, and
// returns the repository, the subject and the referrer.
func pushWithReferrer(t *testing.T, s *Server, cred auth.Credential) (*remote.Repository, ocispec.Descriptor, ocispec.Descriptor) {
	t.Helper()
	ctx := context.Background()
	repo, err := remote.NewRepository(s.Host + "/acme/podinfo")
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	repo.Client = &auth.Client{Credential: auth.StaticCredential(s.Host, cred)}
	layer := content.NewDescriptorFromBytes("application/octet-stream", []byte("chart"))
	if err := repo.Push(ctx, layer, bytes.NewReader([]byte("chart"))); err != nil {
		t.Fatal(err)
	}
	subject, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, "application/vnd.example.chart", oras.PackManifestOptions{Layers: []ocispec.Descriptor{layer}})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, "application/vnd.example.sig", oras.PackManifestOptions{Subject: &subject})
	if err != nil {
		t.Fatal(err)
	}
	return repo, subject, ref
}

func TestReferrers_aManifestWithASubjectIsListedWithoutAFallbackTag(t *testing.T) {
	s, err := Start(context.Background(), Options{Referrers: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	repo, subject, ref := pushWithReferrer(t, s, auth.EmptyCredential)

	var got []ocispec.Descriptor
	if err := repo.Referrers(context.Background(), subject, "", func(r []ocispec.Descriptor) error {
		got = append(got, r...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Digest != ref.Digest || got[0].ArtifactType != "application/vnd.example.sig" {
		t.Fatalf("referrers = %v, want the one pushed", got)
	}
	// oras-go saw OCI-Subject and wrote no fallback tag index.
	if _, err := repo.Resolve(context.Background(), "sha256-"+subject.Digest.Encoded()); err == nil {
		t.Error("a fallback tag was written to a registry with the referrers API")
	}
}

func TestReferrers_listingNeedsTheRightToReadTheSubject(t *testing.T) {
	s, err := Start(context.Background(), Options{Referrers: true, Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, subject, _ := pushWithReferrer(t, s, auth.Credential{Username: "u", Password: "p"})
	resp, err := http.Get("http://" + s.Host + "/v2/acme/podinfo/referrers/" + subject.Digest.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous GET referrers = %d, want 401", resp.StatusCode)
	}
}

func TestReferrers_withoutTheOptionTheEndpointIs404LikeGHCR(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, subject, _ := pushWithReferrer(t, s, auth.EmptyCredential)
	resp, err := http.Get("http://" + s.Host + "/v2/acme/podinfo/referrers/" + subject.Digest.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET referrers = %d, want 404", resp.StatusCode)
	}
}
