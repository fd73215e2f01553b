package ocitest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	// The in-memory storage driver registers itself.
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

// Options configure a Server. The zero value serves an open registry on a
// random loopback port.
type Options struct {
	// Addr is the listen address; empty means 127.0.0.1:0.
	Addr string
	// Username and Password, when set, require HTTP basic auth
	// (htpasswd), as a private registry does.
	Username string
	Password string
	// Wrap, when set, wraps the registry's handler outside the request log
	// and injected faults: a benchmark adds network latency and meters
	// bytes there. nil serves the registry as is.
	Wrap func(http.Handler) http.Handler
	// Referrers serves the OCI 1.1 referrers API, which the distribution
	// registry lacks (as GHCR does): a registry such as Docker Hub, Harbor
	// or zot, where cosign v3 stores bundles as referrers without a
	// fallback tag. False answers 404 on the referrers endpoint.
	Referrers bool
	// Token authenticates as GHCR does: every registry request without a
	// bearer token whose scopes cover it is answered 401 with a Bearer
	// challenge naming the token endpoint this Server also serves
	// (TokenPath: realm http://<Host>/token, service <Host>, the scope of
	// the request). The endpoint issues JWTs for every scope asked, with
	// Username and Password as HTTP basic credentials when they are set,
	// to anyone otherwise. The registry checks them with distribution's
	// own token authentication. Requests to the endpoint are in the
	// request log (path TokenPath) but not in CountRequests.
	Token bool
	// TokenMaxScopes, when > 0, makes the token endpoint refuse (400) a
	// request naming more scopes than that: a registry whose tokens cover
	// one repository each.
	TokenMaxScopes int
}

// Server is a running in-process registry.
type Server struct {
	// Host is "127.0.0.1:<port>", the registry host for references.
	Host string

	srv      *http.Server
	ln       net.Listener
	dir      string
	mu       sync.Mutex
	requests []Request
	gen      int // counts ResetRequests, so a late status is not given to another request
	faults   []func(*http.Request) int
}

// Request is one request the registry received.
type Request struct {
	Method string
	Path   string
	Status int
}

var quietOnce sync.Once

// Start starts a registry. Close stops it.
func Start(ctx context.Context, opts Options) (*Server, error) {
	// The registry logs every request through logrus at info level.
	quietOnce.Do(func() { logrus.SetOutput(io.Discard) })

	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("registry: listen on %s: %w", addr, err)
	}
	s := &Server{Host: ln.Addr().String(), ln: ln}

	cfg := &configuration.Configuration{}
	cfg.Storage = configuration.Storage{"inmemory": configuration.Parameters{}}
	cfg.Log.AccessLog.Disabled = true
	cfg.Log.Level = "error"
	cfg.HTTP.Addr = s.Host
	// The YAML loader fills these defaults; a Configuration built in Go
	// starts at zero, and a zero MaxEntries makes /v2/_catalog list nothing.
	cfg.Catalog.MaxEntries = 1000
	cfg.Tags.MaxTags = 1000
	if opts.Username != "" || opts.Token {
		dir, err := os.MkdirTemp("", "relctl-registry-")
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.dir = dir
	}
	var tokens *tokenService
	if opts.Token {
		var err error
		if tokens, cfg.Auth, err = newTokenService(s.dir, s.Host, opts); err != nil {
			s.cleanup()
			return nil, fmt.Errorf("registry: token authentication: %w", err)
		}
	} else if opts.Username != "" {
		dir := s.dir
		hash, err := bcrypt.GenerateFromPassword([]byte(opts.Password), bcrypt.MinCost)
		if err != nil {
			s.cleanup()
			return nil, err
		}
		path := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(path, []byte(opts.Username+":"+string(hash)+"\n"), 0o600); err != nil {
			s.cleanup()
			return nil, err
		}
		cfg.Auth = configuration.Auth{"htpasswd": configuration.Parameters{"realm": "relctl-test", "path": path}}
	}
	var app http.Handler = handlers.NewApp(ctx, cfg)
	if opts.Referrers {
		app = &referrers{next: app, refs: map[string][]ocispec.Descriptor{}}
	}
	if tokens != nil {
		mux := http.NewServeMux()
		mux.Handle(TokenPath, tokens)
		mux.Handle("/", app)
		app = mux
	}
	h := s.count(app)
	if opts.Wrap != nil {
		h = opts.Wrap(h)
	}
	s.srv = &http.Server{Handler: h}
	go s.srv.Serve(ln) //nolint:errcheck // returns on Close
	return s, nil
}

// Close stops the registry and drops its content.
func (s *Server) Close() error {
	err := s.srv.Close()
	s.cleanup()
	return err
}

func (s *Server) cleanup() {
	s.ln.Close()
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.gen++
	s.mu.Unlock()
}

// CountRequests returns how many registry requests were received, ignoring
// the /v2/ version check, which clients make once per connection setup,
// and the token endpoint's (TokenRequests).
func (s *Server) CountRequests(method string) int {
	n := 0
	for _, r := range s.Requests() {
		if (method == "" || r.Method == method) && r.Path != "/v2/" && r.Path != TokenPath {
			n++
		}
	}
	return n
}

// TokenRequests counts the requests to the token endpoint (Options.Token).
func (s *Server) TokenRequests() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Path == TokenPath {
			n++
		}
	}
	return n
}

// Writes counts mutating requests (POST, PUT, PATCH, DELETE).
func (s *Server) Writes() int {
	n := 0
	for _, r := range s.Requests() {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			n++
		}
	}
	return n
}

// Inject makes the registry answer a request with a status of its own:
// fault returns the status, or 0 to let the request through. It returns a
// function that removes the fault. Use it to refuse what a real registry
// may refuse (a 403 on one repository, a 500 on a manifest push).
func (s *Server) Inject(fault func(*http.Request) int) (remove func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault)
	i := len(s.faults) - 1
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.faults[i] = func(*http.Request) int { return 0 }
	}
}

func (s *Server) fault(r *http.Request) int {
	s.mu.Lock()
	faults := append([]func(*http.Request) int(nil), s.faults...)
	s.mu.Unlock()
	for _, f := range faults {
		if code := f(r); code != 0 {
			return code
		}
	}
	return 0
}

func (s *Server) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The request is logged as it arrives, its status once it is
		// answered: a client has its response before the handler returns,
		// so logging only then would let a test that counts right after
		// the client's exit miss the last request.
		s.mu.Lock()
		i, gen := len(s.requests), s.gen
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path})
		s.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		if code := s.fault(r); code != 0 {
			// The registry's error shape, so clients report it as they
			// would a real refusal.
			rec.Header().Set("Content-Type", "application/json")
			rec.WriteHeader(code)
			fmt.Fprintf(rec, `{"errors":[{"code":"DENIED","message":"injected fault: %d"}]}`, code)
		} else {
			next.ServeHTTP(rec, r)
		}
		s.mu.Lock()
		if gen == s.gen { // not forgotten by ResetRequests meanwhile
			s.requests[i].Status = rec.status
		}
		s.mu.Unlock()
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Flush keeps streaming responses working through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
