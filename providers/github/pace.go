package github

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// DefaultMutationInterval spaces GitHub's content-creating requests. GitHub
// asks integrators to wait at least one second between POST, PATCH, PUT and
// DELETE requests, and enforces about 80 a minute as a secondary rate limit
// (docs.github.com, "Best practices for using the REST API"). Keeping under
// it costs a second per mutation; running into it costs a minute or more.
const DefaultMutationInterval = time.Second

// pacer hands out start times for mutating requests, at least interval
// apart, across every goroutine sharing the client.
type pacer struct {
	interval time.Duration
	sleep    func(context.Context, time.Duration) error
	now      func() time.Time

	mu   sync.Mutex
	next time.Time
}

// wait blocks until the request may start. Reads are never paced.
func (p *pacer) wait(ctx context.Context, method string) error {
	if p == nil || p.interval <= 0 || method == http.MethodGet || method == http.MethodHead {
		return nil
	}
	p.mu.Lock()
	now := p.now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		return p.sleep(ctx, d)
	}
	return nil
}

// mutationInterval is the pacing for an API at apiURL: none on loopback,
// where an emulator or a test server answers, else the interval asked for
// (negative: none; zero: DefaultMutationInterval).
func mutationInterval(apiURL string, asked time.Duration) time.Duration {
	switch {
	case asked < 0:
		return 0
	case loopbackURL(apiURL):
		return 0
	case asked == 0:
		return DefaultMutationInterval
	}
	return asked
}

func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
