package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestMeter_delaysCountsAndSumsBodyBytesByKind proves the meter stands in
// for the network as BENCHMARKS.md says: every request waits the latency,
// and each is counted under its kind with its body bytes both ways.
func TestMeter_delaysCountsAndSumsBodyBytesByKind(t *testing.T) {
	m := &Meter{Service: "registry", Latency: 30 * time.Millisecond, Classify: RegistryKind}
	srv := httptest.NewServer(m.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write([]byte(strings.Repeat("x", 100+len(b))))
	})))
	defer srv.Close()

	start := time.Now()
	for _, req := range []struct{ method, path, body string }{
		{"HEAD", "/v2/acme/charts/a/manifests/1.0.0", ""},
		{"HEAD", "/v2/acme/charts/b/manifests/1.0.0", ""},
		{"PUT", "/v2/acme/charts/a/blobs/uploads/123", "0123456789"},
	} {
		r, _ := http.NewRequest(req.method, srv.URL+req.path, strings.NewReader(req.body))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if took := time.Since(start); took < 90*time.Millisecond {
		t.Errorf("3 requests took %v, want at least 3 × 30ms of latency", took)
	}
	got := m.Take()
	want := []Traffic{
		{Service: "registry", Kind: "HEAD manifest by tag", Requests: 2, BytesOut: 0},
		{Service: "registry", Kind: "PUT blob upload", Requests: 1, BytesIn: 10, BytesOut: 110},
	}
	if len(got) != len(want) {
		t.Fatalf("traffic %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("traffic[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if again := m.Take(); len(again) != 0 {
		t.Errorf("a second Take returned %+v, want nothing: each scenario counts afresh", again)
	}
}

func TestRegistryKind_separatesTagsDigestsSignaturesAndBlobs(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/v2/", "GET ping"},
		{"HEAD", "/v2/acme/charts/podinfo/manifests/1.2.0", "HEAD manifest by tag"},
		{"GET", "/v2/acme/charts/podinfo/manifests/sha256:abc", "GET manifest by digest"},
		{"GET", "/v2/acme/charts/podinfo/manifests/sha256-abc.sig", "GET manifest (signature tag)"},
		{"POST", "/v2/acme/charts/podinfo/blobs/uploads/", "POST blob upload"},
		{"HEAD", "/v2/acme/charts/podinfo/blobs/sha256:abc", "HEAD blob"},
		{"GET", "/v2/acme/charts/podinfo/tags/list", "GET tags list"},
		{"GET", "/v2/acme/charts/podinfo/referrers/sha256:abc", "GET referrers"},
		{"GET", "/token", "GET token"},
	} {
		if got := RegistryKind(tc.method, tc.path); got != tc.want {
			t.Errorf("RegistryKind(%s %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestGitHubKind_namesEndpointsAsGitHubDocumentsThem(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/repos/acme/charts/releases", "GET /repos/{owner}/{repo}/releases"},
		{"GET", "/api/v3/repos/acme/charts/releases/1001/assets", "GET /repos/{owner}/{repo}/releases/{id}/assets"},
		{"POST", "/api/uploads/repos/acme/charts/releases/1001/assets", "POST /repos/{owner}/{repo}/releases/{id}/assets"},
		{"GET", "/repos/acme/charts/releases/tags/team/podinfo-v1.0.0", "GET /repos/{owner}/{repo}/releases/tags/{tag}"},
		{"GET", "/repos/acme/charts/commits/5e1ec7ed/pulls", "GET /repos/{owner}/{repo}/commits/{sha}/pulls"},
		{"GET", "/repos/acme/charts/attestations/sha256:ab", "GET /repos/{owner}/{repo}/attestations/{subject_digest}"},
	} {
		if got := GitHubKind(tc.method, tc.path); got != tc.want {
			t.Errorf("GitHubKind(%s %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}
