package bench

import (
	"io"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Traffic is what one kind of request to one service amounted to.
type Traffic struct {
	Service  string
	Kind     string // method and route class, e.g. "HEAD manifest by tag"
	Requests int
	// BytesIn and BytesOut are request and response body bytes, as the
	// server saw them; headers are not counted.
	BytesIn, BytesOut int64
}

// Meter is an http.Handler wrapper standing in for the network in front of
// one in-process server: it delays each request by Latency (one round trip;
// a reused connection pays no handshake, as on a real keep-alive
// connection), counts it by kind and sums the body bytes both ways.
type Meter struct {
	Service string
	Latency time.Duration
	// Classify names a request's kind; nil means the method alone.
	Classify func(method, path string) string

	mu      sync.Mutex
	traffic map[string]*Traffic
}

// Wrap returns next behind the meter.
func (m *Meter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.Latency > 0 {
			t := time.NewTimer(m.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		kind := r.Method
		if m.Classify != nil {
			kind = m.Classify(r.Method, r.URL.Path)
		}
		in := &countingBody{ReadCloser: r.Body}
		r.Body = in
		out := &countingWriter{ResponseWriter: w}
		next.ServeHTTP(out, r)
		if r.Method == http.MethodHead {
			// net/http drops what a handler writes to a HEAD response.
			out.n = 0
		}
		if out.status == http.StatusUnauthorized {
			// A challenge is a round trip of its own: an authenticating
			// client sends the request again.
			kind += Unauthorized
		}
		m.add(kind, in.n, out.n)
	})
}

func (m *Meter) add(kind string, in, out int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.traffic == nil {
		m.traffic = map[string]*Traffic{}
	}
	t := m.traffic[kind]
	if t == nil {
		t = &Traffic{Service: m.Service, Kind: kind}
		m.traffic[kind] = t
	}
	t.Requests++
	t.BytesIn += in
	t.BytesOut += out
}

// Take returns the traffic since the last Take, sorted by kind, and starts
// counting afresh: one Take per scenario.
func (m *Meter) Take() []Traffic {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Traffic, 0, len(m.traffic))
	for _, t := range m.traffic {
		out = append(out, *t)
	}
	m.traffic = nil
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

type countingBody struct {
	io.ReadCloser
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}

// Unauthorized ends the kind of a request answered 401.
const Unauthorized = " → 401"

type countingWriter struct {
	http.ResponseWriter
	n      int64
	status int
}

func (c *countingWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// Flush keeps streamed responses streaming through the meter.
func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
