package github

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// maxServerWait caps how long a server-named wait (Retry-After,
	// x-ratelimit-reset) is honoured. The primary rate limit resets hourly;
	// sitting idle for most of an hour inside one HTTP call helps nobody in
	// CI, so a longer wait surfaces as an error naming the reset time.
	maxServerWait = 15 * time.Minute
	// secondaryLimitWait is GitHub's advice for a secondary rate limit that
	// names no wait: "wait for at least one minute before retrying"
	// (docs.github.com, REST API rate limits).
	secondaryLimitWait = time.Minute
	// peekLimit bounds how much of a 403 body is read to tell a secondary
	// rate limit from a permission error.
	peekLimit = 64 << 10
)

// retryTransport retries transient failures of GitHub API calls: network
// errors on requests that are safe to repeat, 5xx, 429 and GitHub's rate
// limit 403s. Everything else, and the last attempt's outcome, passes
// through unchanged so go-github can turn it into an error.
//
// A POST (create release, upload asset) is never repeated after a network
// error once it may have reached the server, nor after a 500, 502 or 504:
// GitHub may have created the release or asset anyway, and a blind retry
// would make a duplicate draft. The caller re-observes instead (STYLE.md §7).
type retryTransport struct {
	base     http.RoundTripper
	attempts int
	minWait  time.Duration
	maxWait  time.Duration
	sleep    func(context.Context, time.Duration) error
	now      func() time.Time
	// pace spaces mutating requests, retries included; nil: no spacing.
	pace *pacer
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	// A body we cannot rewind can be sent once only.
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 1; ; attempt++ {
		out, guard, err := t.prepare(req, attempt)
		if err != nil {
			return nil, err
		}
		last := attempt >= t.attempts || !rewindable
		if err := t.pace.wait(ctx, req.Method); err != nil {
			return nil, err
		}
		resp, err := t.base.RoundTrip(out)
		var wait time.Duration
		if err != nil {
			if last || ctx.Err() != nil || !retryableError(req.Method, err) {
				return nil, err
			}
			wait = t.backoff(attempt)
		} else {
			var retry bool
			wait, retry = t.decide(req.Method, resp, attempt)
			if !retry || last {
				return resp, nil
			}
			drain(resp)
		}
		// The transport may still be reading the old attempt's body in
		// another goroutine; stop it before the body is rewound.
		guard.stop()
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// prepare returns the request for one attempt: the caller's body first, a
// fresh one from GetBody (which rewinds uploads) after that.
func (t *retryTransport) prepare(req *http.Request, attempt int) (*http.Request, *guardedBody, error) {
	body := req.Body
	if attempt > 1 && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, nil, err
		}
		body = b
	}
	out := req.Clone(req.Context())
	if body == nil || body == http.NoBody {
		out.Body = body
		return out, nil, nil
	}
	g := &guardedBody{rc: body}
	out.Body = g
	return out, g, nil
}

// decide reports whether resp is worth another attempt, and after how long.
func (t *retryTransport) decide(method string, resp *http.Response, attempt int) (time.Duration, bool) {
	limited := false
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		limited = true
	case code == http.StatusForbidden:
		if !rateLimited(resp) {
			return 0, false // a real permission error
		}
		limited = true
	case code == http.StatusServiceUnavailable:
		// 503 means the request was turned away, even for a POST.
	case code == http.StatusInternalServerError, code == http.StatusBadGateway, code == http.StatusGatewayTimeout:
		if !idempotent(method) {
			return 0, false
		}
	default:
		return 0, false
	}
	if wait, ok := serverWait(resp.Header, t.now()); ok {
		if wait > maxServerWait {
			return 0, false
		}
		return wait, true
	}
	wait := t.backoff(attempt)
	if limited && wait < secondaryLimitWait {
		wait = secondaryLimitWait
	}
	return wait, true
}

// backoff is the jittered exponential wait after the given attempt: half
// fixed, half random ("equal jitter"), within [minWait, maxWait].
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.minWait
	for i := 1; i < attempt && d < t.maxWait; i++ {
		d *= 2
	}
	d = min(d, t.maxWait)
	d = d/2 + rand.N(d/2+1)
	return max(d, t.minWait)
}

// serverWait reads the wait a response asks for: Retry-After (seconds or
// an HTTP date), else x-ratelimit-reset when x-ratelimit-remaining is 0.
func serverWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if at, err := http.ParseTime(v); err == nil {
			return max(at.Sub(now), 0), true
		}
	}
	if h.Get("X-Ratelimit-Remaining") == "0" {
		if s, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(s, 0).Sub(now), 0), true
		}
	}
	return 0, false
}

// rateLimited tells GitHub's rate-limit 403 from a permission 403. The
// secondary limit is recognisable only by its message and documentation
// URL ("You have exceeded a secondary rate limit", "#secondary-rate-limits";
// older responses say "abuse"), so the body is peeked and put back.
func rateLimited(resp *http.Response) bool {
	if resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-Ratelimit-Remaining") == "0" {
		return true
	}
	peek, _ := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(peek), resp.Body), resp.Body}
	s := strings.ToLower(string(peek))
	return strings.Contains(s, "secondary rate limit") || strings.Contains(s, "abuse")
}

// idempotent methods may be repeated after any failure. PATCH is not
// idempotent in general, but every PATCH relctl sends sets whole fields
// (name, body, draft, ...), so sending it twice has the effect of once.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return true
	}
	return false
}

// retryableError reports whether a network error is worth another attempt.
// For a POST only a failed dial qualifies: the request never left.
func retryableError(method string, err error) bool {
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return false // not transient
	}
	if idempotent(method) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// drain discards a little of a response that will be retried, so the
// connection can be reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
	_ = resp.Body.Close()
}

// errAttemptOver is what a stale attempt reads once its body was stopped.
var errAttemptOver = errors.New("request body: attempt abandoned for a retry")

// guardedBody is one attempt's view of a request body. After stop, reads
// fail, so an abandoned attempt cannot race the rewind of a shared
// io.ReadSeeker (an upload) for the next attempt.
type guardedBody struct {
	mu      sync.Mutex
	rc      io.ReadCloser
	stopped bool
	closed  bool
}

func (g *guardedBody) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return 0, errAttemptOver
	}
	return g.rc.Read(p)
}

func (g *guardedBody) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopped = true
	if g.closed {
		return nil
	}
	g.closed = true
	return g.rc.Close()
}

func (g *guardedBody) stop() {
	if g != nil {
		_ = g.Close()
	}
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
