package githubtest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"
)

// call is one request being handled. Handlers run with Server.mu held and
// write into res, which ServeHTTP sends once the request is finished, so
// that ETag, 304 and rate-limit headers can be computed from the outcome.
type call struct {
	s      *Server
	r      *http.Request
	rt     *route
	params map[string]string
	body   []byte
	repo   *repository // resolved for routes naming a repository
	res    *response

	apiBase    string // base of "url" fields, e.g. "http://h/" or "http://h/api/v3/"
	uploadBase string // base of "upload_url"
	webBase    string // base of "html_url" and browser downloads
}

// response is a buffered http.ResponseWriter.
type response struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *response) Header() http.Header { return r.header }
func (r *response) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *response) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// ServeHTTP routes r, applies injected faults, authentication and rate
// limits, runs the endpoint against the in-memory state and logs the result.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, params, pre := findRoute(r.Method, r.URL.EscapedPath())
	c := &call{s: s, r: r, rt: rt, params: params, res: &response{header: http.Header{}}}
	c.setBases(pre)

	if rt == nil {
		s.mu.Lock()
		c.notFound(docsBase)
		s.finish(c)
		s.mu.Unlock()
		c.res.send(w)
		return
	}

	// The body is read first: outside the lock, so a slow upload never
	// stalls other requests, and before any delay, because net/http notices
	// a client hanging up (cancelling r.Context) only once the body is read.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.mu.Lock()
		s.record(c, 0)
		s.mu.Unlock()
		return
	}
	c.body = body

	f := s.pickFault(rt, r)
	if f != nil && f.Delay > 0 && !s.sleep(r, f.Delay) {
		s.mu.Lock()
		s.record(c, 0) // the client went away during the delay
		s.mu.Unlock()
		return
	}
	if f != nil && f.DropUnprocessed {
		s.mu.Lock()
		s.record(c, 0)
		s.mu.Unlock()
		drop(w)
		return
	}
	if f != nil && f.Status != 0 && !f.ProcessThenDrop {
		s.mu.Lock()
		c.fault(f)
		s.finish(c)
		s.mu.Unlock()
		c.res.send(w)
		return
	}

	s.mu.Lock()
	if c.admit() {
		rt.handle(c)
	}
	s.finish(c)
	s.mu.Unlock()

	if f != nil && f.ProcessThenDrop {
		drop(w)
		return
	}
	c.res.send(w)
}

// admit applies authentication, the rate limit and the repository lookup,
// writing GitHub's error when one fails.
func (c *call) admit() bool {
	if c.rt.kind == kindStorage {
		return true
	}
	if !c.s.authorized(c.r) {
		c.unauthorized()
		return false
	}
	if !c.s.rate.take(c) {
		return false
	}
	if _, ok := c.params["owner"]; ok && c.rt.kind != kindStorage {
		c.repo = c.s.repos[repoKey(c.params["owner"], c.params["repo"])]
	}
	id, byID := c.params["repository_id"]
	if byID {
		c.repo = c.s.repoByID(id)
	}
	// Routes outside a repository (GET /user) have neither parameter.
	if _, byName := c.params["owner"]; c.repo == nil && (byName || byID) {
		c.notFound(c.rt.doc)
		return false
	}
	return true
}

// finish adds the headers every GitHub response carries, turns a matching
// If-None-Match into 304, and logs the request. Called with s.mu held.
func (s *Server) finish(c *call) {
	res := c.res
	if res.status == 0 {
		res.status = http.StatusOK
	}
	s.reqSeq++
	res.header.Set("X-GitHub-Request-Id", requestID(s.reqSeq))
	res.header.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	if c.rt != nil && c.rt.kind != kindStorage && (c.r.Method == "GET" || c.r.Method == "HEAD") && res.status == http.StatusOK {
		etag := strongETag(res.body.Bytes())
		res.header.Set("ETag", etag)
		if etagMatches(c.r.Header.Get("If-None-Match"), etag) {
			res.status = http.StatusNotModified
			res.body.Reset()
			res.header.Del("Content-Type")
			// GitHub does not charge a conditional request that hits.
			s.rate.refund()
		}
	}
	if c.rt == nil || c.rt.kind != kindStorage {
		s.rate.headers(res.header)
	}
	s.record(c, res.status)
}

func (r *response) send(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(r.status)
	if r.status != http.StatusNotModified && r.status != http.StatusNoContent {
		_, _ = w.Write(r.body.Bytes())
	}
}

// drop closes the connection without a response: the request took effect
// but the client cannot tell, like a timeout after GitHub committed a POST.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 and wrapped writers cannot be hijacked; aborting the handler
	// resets the stream, which the client sees the same way.
	panic(http.ErrAbortHandler)
}

// sleep waits d or until the client gives up, reporting whether d elapsed.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	s.mu.Lock()
	s.delayed++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.delayed--
		s.mu.Unlock()
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closed:
		return false
	}
}

// setBases derives the URLs written into JSON from the address the client
// used, so links work whichever layout (github.com or GHES) it chose.
func (c *call) setBases(pre prefix) {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	root := scheme + "://" + c.r.Host + "/"
	c.webBase, c.apiBase, c.uploadBase = root, root, root
	if pre != prefixNone {
		c.apiBase = root + "api/v3/"
		c.uploadBase = root + "api/uploads/"
	}
}

// waiting reports how many requests are held by a Fault.Delay, so tests can
// act while one is in flight without guessing at timings.
func (s *Server) waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delayed
}

func (s *Server) repoByID(id string) *repository {
	for _, rp := range s.repos {
		if itoa(rp.id) == id {
			return rp
		}
	}
	return nil
}

// authorized accepts "token X" and "Bearer X", the two schemes GitHub takes
// for tokens (go-github's WithAuthToken sends Bearer; the fixtures, token).
func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Token == "" {
		return true
	}
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok {
		return false
	}
	scheme = strings.ToLower(scheme)
	return (scheme == "token" || scheme == "bearer") && strings.TrimSpace(cred) == s.opts.Token
}
