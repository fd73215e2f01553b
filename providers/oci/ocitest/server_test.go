package ocitest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/registry/remote"
)

func TestStart_servesTheDistributionAPIAndCountsRequests(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get("http://" + s.Host + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v2/ = %d, want 200", resp.StatusCode)
	}
	resp, err = http.Head("http://" + s.Host + "/v2/acme/podinfo/manifests/1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("HEAD unknown manifest = %d, want 404", resp.StatusCode)
	}
	if got := s.CountRequests(http.MethodHead); got != 1 {
		t.Fatalf("CountRequests(HEAD) = %d, want 1", got)
	}
}

func TestStart_withCredentialsRefusesAnonymousRequests(t *testing.T) {
	s, err := Start(context.Background(), Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get("http://" + s.Host + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous GET /v2/ = %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.Host+"/v2/", nil)
	req.SetBasicAuth("u", "p")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authenticated GET /v2/ = %d, want 200", resp.StatusCode)
	}
}

func TestInject_refusesMatchingRequestsUntilRemoved(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	remove := s.Inject(func(r *http.Request) int {
		if r.Method == http.MethodHead {
			return http.StatusForbidden
		}
		return 0
	})
	url := "http://" + s.Host + "/v2/acme/podinfo/manifests/1.0.0"
	for _, want := range []int{http.StatusForbidden, http.StatusNotFound} {
		resp, err := http.Head(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("HEAD = %d, want %d", resp.StatusCode, want)
		}
		remove()
	}
}

func TestCatalog_listsTheRepositoriesPushedTo(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{"acme/charts/podinfo", "acme/charts/redis"} {
		repo, err := remote.NewRepository(s.Host + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		repo.PlainHTTP = true
		if _, err := oras.PackManifest(context.Background(), repo, oras.PackManifestVersion1_1, "application/vnd.example", oras.PackManifestOptions{}); err != nil {
			t.Fatalf("push to %s: %v", name, err)
		}
	}

	resp, err := http.Get("http://" + s.Host + "/v2/_catalog")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Repositories []string `json:"repositories"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("GET /v2/_catalog = %d: %v", resp.StatusCode, err)
	}
	want := []string{"acme/charts/podinfo", "acme/charts/redis"}
	if !slices.Equal(got.Repositories, want) {
		t.Errorf("/v2/_catalog repositories = %q, want %q", got.Repositories, want)
	}
}
