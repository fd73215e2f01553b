package httplog

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"weak"
)

// Transport wraps the transport that sends each attempt, beneath any retry
// layer, so every attempt is a line: a request retried twice shows three.
// With a nil Logger it returns base (nil base means http.DefaultTransport).
func (l *Logger) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if l == nil {
		return base
	}
	return &transport{log: l, base: base}
}

// Requests wraps a client's outermost transport, above its retry layer: the
// attempts of one request beneath it are numbered together. Retry layers
// that resend the very same *http.Request (oras-go's,
// go-containerregistry's) are numbered without it; a retry layer that
// clones the request for each attempt (relctl's GitHub client) needs it.
// With a nil Logger it returns rt.
func (l *Logger) Requests(rt http.RoundTripper) http.RoundTripper {
	if l == nil {
		return rt
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	return requests{rt}
}

type transport struct {
	log  *Logger
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	a := attempt{method: req.Method, url: redactURL(req.URL), number: t.log.attemptOf(req)}
	start := t.log.now()
	resp, err := t.base.RoundTrip(req)
	a.elapsed = t.log.now().Sub(start)
	if err != nil {
		a.err = err
	} else {
		a.status = resp.StatusCode
	}
	t.log.log(a)
	return resp, err
}

// requests marks each request's context with a counter its attempts share.
type requests struct{ next http.RoundTripper }

type counterKey struct{}

func (r requests) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := context.WithValue(req.Context(), counterKey{}, new(atomic.Int32))
	return r.next.RoundTrip(req.WithContext(ctx))
}

// attemptOf numbers an attempt: by the counter Requests put in the
// context, else by the request's identity.
func (l *Logger) attemptOf(req *http.Request) int {
	if c, ok := req.Context().Value(counterKey{}).(*atomic.Int32); ok {
		return int(c.Add(1))
	}
	return l.attempts.next(req)
}

// attemptsByRequest counts the round trips of each *http.Request without
// keeping it alive: an entry goes when its request is collected.
type attemptsByRequest struct {
	mu sync.Mutex
	m  map[weak.Pointer[http.Request]]int
}

func (a *attemptsByRequest) next(req *http.Request) int {
	k := weak.Make(req)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[weak.Pointer[http.Request]]int{}
	}
	n := a.m[k] + 1
	a.m[k] = n
	if n == 1 {
		runtime.AddCleanup(req, a.forget, k)
	}
	return n
}

func (a *attemptsByRequest) forget(k weak.Pointer[http.Request]) {
	a.mu.Lock()
	delete(a.m, k)
	a.mu.Unlock()
}
