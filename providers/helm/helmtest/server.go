package helmtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

// Validator selects how index.yaml is revalidated.
type Validator int

const (
	// ETag answers If-None-Match with 304 when the index is unchanged.
	ETag Validator = iota
	// LastModified answers If-Modified-Since instead.
	LastModified
	// NoValidator sends neither header: every request gets the index.
	NoValidator
)

// Options configure a Server.
type Options struct {
	// AbsoluteURLs lists archives by absolute URL in the index; the
	// default is relative URLs ("charts/common-1.0.0.tgz"), as
	// `helm repo index` writes without --url.
	AbsoluteURLs bool
	Validator    Validator
	// Username and Password, when set, are required on every request.
	Username, Password string
}

// Server is a chart repository on loopback.
type Server struct {
	opts Options
	srv  *httptest.Server

	mu       sync.Mutex
	entries  map[string][]*entry // by chart name
	files    map[string][]byte   // by path, "/charts/x-1.0.0.tgz"
	modified time.Time
	requests []string // "GET /index.yaml 200"
	faults   []func(*http.Request) int
}

type entry struct {
	meta   *chart.Metadata
	path   string
	digest string
}

// Start serves an empty repository.
func Start(opts Options) *Server {
	s := &Server{opts: opts, entries: map[string][]*entry{}, files: map[string][]byte{}, modified: time.Unix(1700000000, 0).UTC()}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the repository URL, as Chart.yaml's repository names it.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Add publishes a chart archive: its metadata goes into the index, with
// the archive's sha256 as digest.
func (s *Server) Add(archive []byte) error {
	meta, err := metadataOf(archive)
	if err != nil {
		return err
	}
	path := fmt.Sprintf("/charts/%s-%s.tgz", meta.Name, meta.Version)
	sum := sha256.Sum256(archive)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = archive
	s.entries[meta.Name] = append(s.entries[meta.Name], &entry{meta: meta, path: path, digest: hex.EncodeToString(sum[:])})
	s.modified = s.modified.Add(time.Second)
	return nil
}

// AddAs publishes an archive listed as chart name at version, whatever it
// holds, with its true digest: an archive that is not what the index says
// it is (another chart, unsafe paths) that no digest check would catch.
func (s *Server) AddAs(name, version string, archive []byte) {
	path := fmt.Sprintf("/charts/%s-%s.tgz", name, version)
	sum := sha256.Sum256(archive)
	meta := &chart.Metadata{APIVersion: "v2", Name: name, Version: version}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = archive
	s.entries[name] = append(s.entries[name], &entry{meta: meta, path: path, digest: hex.EncodeToString(sum[:])})
	s.modified = s.modified.Add(time.Second)
}

// Replace serves other bytes for an archive already listed, leaving the
// index (and its digest) as it was: a tampered or corrupted download.
func (s *Server) Replace(name, version string, archive []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fmt.Sprintf("/charts/%s-%s.tgz", name, version)] = archive
}

// Inject adds a fault: fault returns an HTTP status to answer with
// instead, or 0 to serve normally. remove takes it out.
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

// Requests lists the requests answered, "GET /index.yaml 304".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Count counts requests for path answered with status (0: any status).
func (s *Server) Count(path string, status int) int {
	n := 0
	for _, r := range s.Requests() {
		f := strings.Fields(r)
		if f[1] == path && (status == 0 || f[2] == fmt.Sprint(status)) {
			n++
		}
	}
	return n
}

// Downloads counts the requests answered with a body (200) whatever path.
func (s *Server) Downloads() int {
	n := 0
	for _, r := range s.Requests() {
		if strings.HasSuffix(r, " 200") {
			n++
		}
	}
	return n
}

// ResetRequests forgets the requests counted so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	status := s.answer(w, r)
	s.mu.Lock()
	s.requests = append(s.requests, fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, status))
	s.mu.Unlock()
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request) int {
	s.mu.Lock()
	faults := append([]func(*http.Request) int(nil), s.faults...)
	s.mu.Unlock()
	for _, f := range faults {
		if code := f(r); code != 0 {
			http.Error(w, http.StatusText(code), code)
			return code
		}
	}
	if s.opts.Username != "" || s.opts.Password != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != s.opts.Username || p != s.opts.Password {
			w.Header().Set("WWW-Authenticate", `Basic realm="charts"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return http.StatusUnauthorized
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return http.StatusMethodNotAllowed
	}
	if r.URL.Path == "/index.yaml" {
		return s.index(w, r)
	}
	s.mu.Lock()
	data, ok := s.files[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return http.StatusNotFound
	}
	w.Header().Set("Content-Type", "application/x-tar")
	w.Write(data)
	return http.StatusOK
}

// index serves index.yaml, answering 304 when the client's validator
// still matches.
func (s *Server) index(w http.ResponseWriter, r *http.Request) int {
	data, modified := s.IndexYAML()
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	switch s.opts.Validator {
	case ETag:
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return http.StatusNotModified
		}
	case LastModified:
		w.Header().Set("Last-Modified", modified.Format(http.TimeFormat))
		if t, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !modified.After(t) {
			w.WriteHeader(http.StatusNotModified)
			return http.StatusNotModified
		}
	}
	w.Header().Set("Content-Type", "application/x-yaml")
	w.Write(data)
	return http.StatusOK
}

// indexFile is helm's pkg/repo IndexFile as `helm repo index` writes it.
type indexFile struct {
	APIVersion string                     `json:"apiVersion"`
	Entries    map[string][]*chartVersion `json:"entries"`
	Generated  time.Time                  `json:"generated"`
}

type chartVersion struct {
	*chart.Metadata
	URLs    []string  `json:"urls"`
	Created time.Time `json:"created,omitempty"`
	Digest  string    `json:"digest,omitempty"`
}

// IndexYAML renders the index as served now, with the time it last changed.
func (s *Server) IndexYAML() ([]byte, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := indexFile{APIVersion: "v1", Entries: map[string][]*chartVersion{}, Generated: s.modified}
	for name, es := range s.entries {
		for _, e := range es {
			u := strings.TrimPrefix(e.path, "/")
			if s.opts.AbsoluteURLs {
				u = s.srv.URL + e.path
			}
			idx.Entries[name] = append(idx.Entries[name], &chartVersion{Metadata: e.meta, URLs: []string{u}, Created: s.modified, Digest: e.digest})
		}
		// `helm repo index` sorts newest first, but an index edited by
		// hand need not be: the server lists the latest added first, and
		// clients must sort.
		slices.Reverse(idx.Entries[name])
	}
	data, err := yaml.Marshal(idx)
	if err != nil {
		panic(err) // the types above always marshal
	}
	return data, s.modified
}
