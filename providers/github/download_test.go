package github

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAssetDigest_storageRedirectNeverSeesTheToken(t *testing.T) {
	var storageAuth []string
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storageAuth = append(storageAuth, r.Header.Get("Authorization"))
		_, _ = io.WriteString(w, "asset bytes")
	}))
	defer storage.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken || r.URL.Path != "/api/v3/repos/acme/charts/releases/assets/7" {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		// GitHub redirects to a signed URL on another host.
		http.Redirect(w, r, storage.URL+"/signed?X-Amz-Signature=abc", http.StatusFound)
	}))
	defer api.Close()
	c, err := New(Options{APIURL: api.URL, Token: testToken, Owner: "acme", Repo: "charts"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.AssetDigest(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if got != sha("asset bytes") {
		t.Errorf("digest %s, want %s", got, sha("asset bytes"))
	}
	if len(storageAuth) != 1 || storageAuth[0] != "" {
		t.Errorf("storage host saw Authorization %q, want none", storageAuth)
	}
}

func TestUploadAsset_refusesUploadURLOnForeignHost(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"id":5,"tag_name":"a","upload_url":"https://evil.example.com/repos/acme/charts/releases/5/assets{?name,label}"}`)
	}))
	defer api.Close()
	c, err := New(Options{APIURL: api.URL, Token: testToken, Owner: "acme", Repo: "charts"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadAsset(context.Background(), 5, "a.tgz", strings.NewReader("x"), 1)
	if err == nil || !strings.Contains(err.Error(), "evil.example.com") {
		t.Errorf("got %v, want a refusal naming the host", err)
	}
}

func TestClient_waitsOutARateLimitGoGithubRemembers(t *testing.T) {
	reset := time.Now().Add(30 * time.Second)
	requests := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		// The last request of the window succeeds but leaves nothing.
		w.Header().Set("X-Ratelimit-Limit", "1000")
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		_, _ = io.WriteString(w, `[]`)
	}))
	defer api.Close()
	var waited []time.Duration
	stop := errors.New("stop waiting")
	c, err := New(Options{APIURL: api.URL, Token: testToken, Owner: "acme", Repo: "charts",
		Sleep: func(_ context.Context, d time.Duration) error { waited = append(waited, d); return stop }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListReleases(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListReleases(context.Background())
	if !errors.Is(err, stop) {
		t.Fatalf("got %v, want the second call to wait for the reset", err)
	}
	if requests != 1 || len(waited) != 1 || waited[0] <= 0 || waited[0] > 31*time.Second {
		t.Errorf("requests %d, waits %v; want one request and one wait of up to 30s", requests, waited)
	}
}
