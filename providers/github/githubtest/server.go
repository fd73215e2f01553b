package githubtest

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. The zero value is a permissive emulator.
type Options struct {
	// Token is the credential every API request must present as
	// "Authorization: token X" or "Authorization: Bearer X". "" accepts all
	// requests, with or without an Authorization header.
	Token string
	// Immutable turns on GitHub's "immutable releases" repository setting for
	// every repository: releases published from then on lock their assets
	// and tag. Toggle later with SetImmutable.
	Immutable bool
	// PerPageMax caps per_page on list endpoints; <= 0 means 100, GitHub's cap.
	PerPageMax int
	// Now is the clock for created_at, published_at and rate-limit resets;
	// nil means time.Now.
	Now func() time.Time
	// RateLimit is the x-ratelimit-limit of the hourly window; <= 0 means
	// 5000, GitHub's limit for a personal token. Once exhausted, requests get
	// GitHub's 403 "API rate limit exceeded" until the window resets.
	RateLimit int
	// Login is the user shown as release author and asset uploader; "" means
	// "github-actions[bot]", the identity behind a workflow's GITHUB_TOKEN.
	Login string
}

// Server is the emulator. It is an http.Handler; Start also serves it on a
// loopback listener. All methods are safe for concurrent use.
type Server struct {
	opts Options

	mu        sync.Mutex
	repos     map[string]*repository // key "owner/name", lower-cased like GitHub
	nextRepo  int64
	nextRel   int64
	nextAsset int64
	nextLabel int64
	immutable bool
	log       []LoggedRequest
	faults    []*injected
	nextFault int
	rate      rateWindow
	delayed   int           // requests sleeping in a Fault.Delay
	closed    chan struct{} // closed by Close to end pending delays
	closeOnce sync.Once
	reqSeq    int64

	httpServer *httptest.Server
}

// New returns an emulator with no repositories. Serve it with your own
// listener or use Start.
func New(opts Options) *Server {
	if opts.PerPageMax <= 0 {
		opts.PerPageMax = 100
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimit <= 0 {
		opts.RateLimit = 5000
	}
	if opts.Login == "" {
		opts.Login = "github-actions[bot]"
	}
	// IDs start at 1000 like the octokit fixtures, so a replayed recording
	// and the emulator agree on "the first release is 1000".
	return &Server{
		opts:      opts,
		repos:     map[string]*repository{},
		nextRepo:  1000,
		nextRel:   1000,
		nextAsset: 1000,
		nextLabel: 1000,
		immutable: opts.Immutable,
		rate:      rateWindow{limit: opts.RateLimit, now: opts.Now},
		closed:    make(chan struct{}),
	}
}

// Start returns a new emulator serving on 127.0.0.1 at a random port.
func Start(opts Options) (*Server, error) {
	s := New(opts)
	s.httpServer = httptest.NewServer(s)
	return s, nil
}

// URL is the base URL of a started Server, with a trailing slash
// ("http://127.0.0.1:port/"), suitable for go-github's BaseURL and
// UploadURL or for WithEnterpriseURLs. It is "" for a Server from New.
func (s *Server) URL() string {
	if s.httpServer == nil {
		return ""
	}
	return s.httpServer.URL + "/"
}

// Close ends pending fault delays, then stops a started Server and closes
// its connections. A Server from New only ends its delays.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	if s.httpServer != nil {
		s.httpServer.CloseClientConnections()
		s.httpServer.Close()
	}
}

// AddRepo creates a repository with no releases and one branch, main, at
// commit "0000000000000000000000000000000000000001" (as git-refs.json
// records), so that releases targeting "main" have a commit to tag.
// Requests for any other repository get GitHub's 404. Adding an existing
// repository does nothing.
func (s *Server) AddRepo(owner, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addRepoLocked(owner, name)
}

func (s *Server) addRepoLocked(owner, name string) *repository {
	key := repoKey(owner, name)
	if rp, ok := s.repos[key]; ok {
		return rp
	}
	rp := &repository{
		id:           s.nextRepo,
		owner:        owner,
		name:         name,
		pulls:        map[string][]pull{},
		comments:     map[int][]comment{},
		attestations: map[string][]json.RawMessage{},
		labels:       map[string]label{},
		refs:         map[string]string{"refs/heads/" + defaultBranch: initialCommit},
		tags:         map[string]*tagObject{},
		git:          newGitStore(),
	}
	s.nextRepo++
	s.repos[key] = rp
	return rp
}

// SetImmutable switches the "immutable releases" setting. Like GitHub, it
// affects releases published afterwards; already immutable releases stay so.
func (s *Server) SetImmutable(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.immutable = on
}

// repoKey folds case: GitHub resolves owner and repository names
// case-insensitively.
func repoKey(owner, name string) string {
	return strings.ToLower(owner) + "/" + strings.ToLower(name)
}

func (s *Server) now() time.Time {
	return s.opts.Now().UTC().Truncate(time.Second)
}
