package oci

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/oci/ocitest"
)

// recordingTransport stands in for the network where no real remote can
// exist in a test (a non-loopback host): it records each request URL and
// fails it.
type recordingTransport struct {
	mu   sync.Mutex
	urls []*url.URL
}

var errOffline = errors.New("offline")

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.urls = append(rt.urls, req.URL)
	rt.mu.Unlock()
	return nil, errOffline
}

func TestClient_usesPlainHTTPOnlyForLoopbackHostsOrWhenInsecure(t *testing.T) {
	tests := []struct {
		host     string
		insecure bool
		want     string
	}{
		{"ghcr.io", false, "https"},
		{"registry.example.com:5000", false, "https"},
		{"127.0.0.1.example.com", false, "https"},
		{"10.0.0.5:5000", false, "https"},
		{"registry.example.com", true, "http"},
		{"127.0.0.1:5000", false, "http"},
		{"127.0.0.2", false, "http"},
		{"localhost:5000", false, "http"},
		{"localhost", false, "http"},
		{"[::1]:5000", false, "http"},
	}
	for _, tt := range tests {
		rt := &recordingTransport{}
		c := newClient(t, Options{Insecure: tt.insecure, HTTPClient: &http.Client{Transport: rt}})

		_, err := c.Resolve(context.Background(), tt.host+"/acme/podinfo", "1.0.0")

		if !errors.Is(err, errOffline) {
			t.Errorf("%s: err = %v, want the transport's error", tt.host, err)
		}
		if len(rt.urls) != 1 {
			t.Fatalf("%s: %d requests, want 1", tt.host, len(rt.urls))
		}
		if got := rt.urls[0].Scheme; got != tt.want {
			t.Errorf("%s (insecure=%v): scheme %s, want %s", tt.host, tt.insecure, got, tt.want)
		}
	}
}

func TestClient_sendsTheUserAgent(t *testing.T) {
	var got []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.UserAgent())
		mu.Unlock()
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	for _, tt := range []struct{ opt, want string }{{"", "relctl"}, {"relctl/1.0.0", "relctl/1.0.0"}} {
		got = nil
		c := newClient(t, Options{UserAgent: tt.opt, HTTPClient: srv.Client()})
		if _, err := c.Resolve(context.Background(), host+"/acme/podinfo", "1.0.0"); err == nil {
			t.Fatal("Resolve of an absent tag succeeded")
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("UserAgent %q: sent %q, want %q", tt.opt, got, tt.want)
		}
	}
}

func TestClient_retriesTransientServerErrorsIncludingUploads(t *testing.T) {
	s := startRegistry(t, ocitest.Options{})
	target, _ := url.Parse("http://" + s.Host)
	proxy := httputil.NewSingleHostReverseProxy(target)
	// The first blob PUT and the first manifest HEAD fail with 503, as a
	// registry behind an overloaded load balancer does. The PUT proves the
	// upload body is rewound for the retry: the registry checks the digest.
	var mu sync.Mutex
	failed := map[string]bool{}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := ""
		switch {
		case r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/"):
			kind = "blob PUT"
		case r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/"):
			kind = "manifest HEAD"
		}
		mu.Lock()
		fail := kind != "" && !failed[kind]
		if fail {
			failed[kind] = true
		}
		mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	host := strings.TrimPrefix(front.URL, "http://")
	c := newClient(t, Options{}) // the default, retrying client
	pkg := testPackage(t, "podinfo", "1.2.0")

	pushed := mustPush(t, c, host+"/acme/podinfo", pkg)
	got, err := c.Resolve(context.Background(), host+"/acme/podinfo", "1.2.0")

	if err != nil || got != pushed {
		t.Fatalf("Resolve after a 503 = %s, %v; want %s", got, err, pushed)
	}
	if !failed["blob PUT"] || !failed["manifest HEAD"] {
		t.Fatalf("faults not injected: %v", failed)
	}
}

func TestIsLoopback_coversLocalhostAnd127Slash8AndIPv6Loopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.0.0.1:5000": true, "127.1.2.3:80": true, "[::1]:5000": true, "::1": true,
		"localhost": true, "LOCALHOST:5000": true,
		"ghcr.io": false, "10.0.0.1:5000": false, "localhost.example.com": false, "[::2]:5000": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestRetryPolicy_followsTheSpecsRetryBlock(t *testing.T) {
	p := retryPolicy(config.Retry{Attempts: 3, MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})()
	for attempt, wantRetry := range []bool{true, true, false} {
		wait, err := p.Retry(attempt, &http.Response{StatusCode: http.StatusBadGateway}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := wait >= 0; got != wantRetry {
			t.Fatalf("attempt %d: retry = %t (wait %s), want %t", attempt, got, wait, wantRetry)
		}
		if wantRetry && (wait < 10*time.Millisecond || wait > 20*time.Millisecond) {
			t.Fatalf("attempt %d: wait %s outside [10ms, 20ms]", attempt, wait)
		}
	}
	if wait, _ := p.Retry(0, &http.Response{StatusCode: http.StatusNotFound}, nil); wait >= 0 {
		t.Fatalf("a 404 is retried (wait %s)", wait)
	}
}

// TestClient_reusesItsConnectionsAcrossWavesOfConcurrentReads: a plan reads
// the manifests of 32 charts at once, wave after wave. With net/http's
// default of 2 idle connections per host, every wave dialled again (on a
// real registry, a TLS handshake per request); the Client keeps them.
func TestClient_reusesItsConnectionsAcrossWavesOfConcurrentReads(t *testing.T) {
	var mu sync.Mutex
	conns := map[string]bool{} // client addresses: one per connection
	s := startRegistry(t, ocitest.Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			conns[r.RemoteAddr] = true
			mu.Unlock()
			h.ServeHTTP(w, r)
		})
	}})
	c := newClient(t, Options{})
	repository := s.Host + "/acme/podinfo"
	mustPush(t, c, repository, testPackage(t, "podinfo", "1.2.0"))

	const atOnce, waves = 32, 4
	for range waves {
		var wg sync.WaitGroup
		errs := make(chan error, atOnce)
		for range atOnce {
			wg.Go(func() {
				if _, err := c.ResolveManifest(context.Background(), repository, "1.2.0"); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}

	// Each wave may dial a few connections while others are still being
	// handed back to the pool; dialling anew for each wave would open
	// about atOnce × waves.
	mu.Lock()
	defer mu.Unlock()
	if n := len(conns); n > 2*atOnce {
		t.Errorf("%d waves of %d concurrent reads opened %d connections, want at most %d: connections are not reused", waves, atOnce, n, 2*atOnce)
	}
}
