package github

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// script is a small server that answers each request with the next scripted
// step, so the tests see the transport's reaction to real HTTP responses.
type script struct {
	t      *testing.T
	mu     sync.Mutex
	steps  []func(http.ResponseWriter, *http.Request)
	bodies []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, string(b))
	s.mu.Unlock()
	if n >= len(s.steps) {
		s.t.Errorf("request %d beyond the script", n+1)
		w.WriteHeader(http.StatusTeapot)
		return
	}
	s.steps[n](w, r)
}

func (s *script) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

func status(code int, headers ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"message":"`+http.StatusText(code)+`"}`)
	}
}

func body(code int, text string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, text)
	}
}

// hangUp closes the connection without an answer, after reading the request.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// sleeps records the waits the transport asks for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

var epoch = time.Unix(1_700_000_000, 0)

func scripted(t *testing.T, steps ...func(http.ResponseWriter, *http.Request)) (*script, *httptest.Server, *http.Client, *sleeps) {
	t.Helper()
	s := &script{t: t, steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	sl := &sleeps{}
	rt := &retryTransport{
		base:     srv.Client().Transport,
		attempts: 5,
		minWait:  time.Second,
		maxWait:  60 * time.Second,
		sleep:    sl.sleep,
		now:      func() time.Time { return epoch },
	}
	return s, srv, &http.Client{Transport: rt}, sl
}

func send(t *testing.T, c *http.Client, method, url, payload string) (*http.Response, error) {
	t.Helper()
	var rd io.Reader
	if payload != "" {
		rd = strings.NewReader(payload)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if resp != nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
