package ocitest

import (
	"context"
	"net/http"
	"testing"
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
