package githubtest

import (
	"net/http"
	"strings"
	"time"
)

// Fault makes matching requests fail. Faults are tried in the order they were
// injected; the first that applies to a request wins.
type Fault struct {
	// Method matches the request method; "" matches any.
	Method string
	// PathPattern matches a route: its pattern ("/repos/{owner}/{repo}/releases"),
	// its full name as in LoggedRequest.Route ("POST /repos/{owner}/{repo}/releases"),
	// or a concrete path without the GHES prefix ("/repos/acme/charts/releases").
	// "" matches any route.
	PathPattern string
	// Nth fails only the Nth matching request (1-based); 0 fails every one.
	Nth int
	// Status is sent with GitHub's error JSON instead of handling the
	// request; the state is left unchanged.
	Status int
	// Message replaces the error message chosen for Status.
	Message string
	// Delay waits before handling; a client that gives up first gets nothing
	// and the request has no effect.
	Delay time.Duration
	// ProcessThenDrop handles the request fully (state changes happen), then
	// closes the connection without a response: the ambiguous failure after
	// which a client must re-observe before retrying. Status is ignored.
	// Go's http.Transport silently resends an idempotent request (GET) that
	// was dropped on a reused connection, so target POST, PATCH or DELETE.
	ProcessThenDrop bool
	// DropUnprocessed closes the connection without handling the request
	// or answering: the request never took effect, but the client cannot
	// tell that from ProcessThenDrop. Status is ignored.
	DropUnprocessed bool
	// RetryAfter is sent as the Retry-After header with Status.
	RetryAfter string
}

type injected struct {
	Fault
	id   int
	seen int
}

// Inject adds a fault and returns a function that removes it.
func (s *Server) Inject(f Fault) (remove func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextFault++
	id := s.nextFault
	s.faults = append(s.faults, &injected{Fault: f, id: id})
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, f := range s.faults {
			if f.id == id {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
				return
			}
		}
	}
}

// pickFault counts the request against every matching fault and returns the
// first one that fires for it.
func (s *Server) pickFault(rt *route, r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fired *Fault
	for _, f := range s.faults {
		if !f.matches(rt, r) {
			continue
		}
		f.seen++
		if fired == nil && (f.Nth == 0 || f.Nth == f.seen) {
			ff := f.Fault
			fired = &ff
		}
	}
	return fired
}

func (f *injected) matches(rt *route, r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	switch p := f.PathPattern; {
	case p == "", p == rt.display, p == rt.name():
		return true
	default:
		path := r.URL.Path
		for _, pre := range []string{"/api/v3", "/api/uploads"} {
			if strings.HasPrefix(path, pre+"/") {
				path = strings.TrimPrefix(path, pre)
			}
		}
		return p == path
	}
}

// fault writes the error a GitHub outage or throttle would produce.
func (c *call) fault(f *Fault) {
	if f.RetryAfter != "" {
		c.res.header.Set("Retry-After", f.RetryAfter)
	}
	msg, doc := f.Message, docsBase
	switch {
	case msg != "":
	case (f.Status == http.StatusForbidden || f.Status == http.StatusTooManyRequests) && f.RetryAfter != "":
		// The secondary-limit wording and URL are what go-github matches to
		// return *github.AbuseRateLimitError with RetryAfter set.
		msg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
		doc = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	default:
		msg = http.StatusText(f.Status)
		if msg == "" {
			msg = "Error"
		}
	}
	c.fail(f.Status, msg, doc)
}
