package githubtest

// LoggedRequest is one request the emulator received.
type LoggedRequest struct {
	Method string
	// Path is the request path as sent, GHES prefix included.
	Path string
	// Route is the matched endpoint, "METHOD pattern", with the parameter
	// names of GitHub's REST documentation, e.g.
	// "POST /repos/{owner}/{repo}/releases/{release_id}/assets"; "" when no
	// route matched. It is the same whatever prefix the client used.
	Route string
	// Status is what the emulator produced (also for a dropped connection,
	// which the client never saw); 0 when the client left during a delay.
	Status int
}

// record appends to the log; called with s.mu held.
func (s *Server) record(c *call, status int) {
	lr := LoggedRequest{Method: c.r.Method, Path: c.r.URL.Path, Status: status}
	if c.rt != nil {
		lr.Route = c.rt.name()
	}
	s.log = append(s.log, lr)
}

// Log returns a copy of the requests received since the last ResetLog.
func (s *Server) Log() []LoggedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LoggedRequest(nil), s.log...)
}

// ResetLog empties the request log.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// Count returns how many logged requests matched route, given either as
// "METHOD pattern" (LoggedRequest.Route) or as a bare pattern, which counts
// every method.
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, lr := range s.log {
		if lr.Route == "" {
			continue
		}
		if lr.Route == route || lr.Route[len(lr.Method)+1:] == route {
			n++
		}
	}
	return n
}

// Mutations counts logged POST, PATCH, PUT and DELETE requests, whatever
// their outcome: a plan that finds nothing to do must make none.
func (s *Server) Mutations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, lr := range s.log {
		switch lr.Method {
		case "POST", "PATCH", "PUT", "DELETE":
			n++
		}
	}
	return n
}
