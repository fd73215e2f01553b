package githubtest

import (
	"net/http"
	"strconv"
	"time"
)

// rateWindow is GitHub's primary rate limit for the "core" resource: a fixed
// number of requests per hour-long window, reported on every response.
// Conditional requests answered 304 are not charged (NOTES.md, REST rate
// limits). Guarded by Server.mu.
type rateWindow struct {
	limit int
	used  int
	reset time.Time
	now   func() time.Time
}

func (w *rateWindow) roll() {
	now := w.now()
	if w.reset.IsZero() || !now.Before(w.reset) {
		w.used = 0
		w.reset = now.Add(time.Hour).Truncate(time.Second)
	}
}

// take charges one request, or writes GitHub's primary-limit 403 when the
// window is spent. go-github turns that body into a *github.RateLimitError:
// it needs status 403, x-ratelimit-remaining 0 and this message prefix.
func (w *rateWindow) take(c *call) bool {
	w.roll()
	if w.used >= w.limit {
		c.fail(http.StatusForbidden, "API rate limit exceeded for installation ID 1.",
			"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
		return false
	}
	w.used++
	return true
}

func (w *rateWindow) refund() {
	if w.used > 0 {
		w.used--
	}
}

// headers writes the x-ratelimit-* set GitHub sends on every API response.
func (w *rateWindow) headers(h http.Header) {
	w.roll()
	h.Set("X-Ratelimit-Limit", strconv.Itoa(w.limit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(w.limit-w.used))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(w.reset.Unix(), 10))
	h.Set("X-Ratelimit-Used", strconv.Itoa(w.used))
	h.Set("X-Ratelimit-Resource", "core")
}
