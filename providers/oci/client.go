package oci

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/httplog"
	"github.com/relctl/relctl/state"
)

// Options configure a Client. The zero value talks HTTPS to every registry
// except loopback ones, retries transient failures, and finds credentials in
// the environment and the docker credential store.
type Options struct {
	// Insecure speaks plain HTTP to a non-loopback host (the spec's
	// registry.insecure). Loopback hosts always use plain HTTP.
	Insecure bool
	// Getenv reads the environment; nil means os.Getenv. It is asked for
	// RELCTL_REGISTRY_USERNAME, RELCTL_REGISTRY_PASSWORD, GITHUB_TOKEN,
	// GH_TOKEN, DOCKER_CONFIG and HOME. Ignored with Credentials.
	Getenv func(string) string
	// Credentials is the registry credential chain; nil means
	// NewCredentials(Getenv). Pass the chain another provider uses (or
	// take this Client's with Client.Credentials) so both authenticate
	// alike and a credential helper runs once per host.
	Credentials *Credentials
	// HTTPClient sends every request; nil means a client that retries
	// network errors, 5xx and 429 with jittered exponential backoff
	// (oras-go's retry.DefaultPolicy), over a transport that keeps a
	// connection for each chart observed at once (Client.Transport).
	HTTPClient *http.Client
	// Retry tunes the default client's retries (the spec's retry block);
	// zero fields keep oras-go's defaults. Ignored with HTTPClient.
	Retry config.Retry
	// UserAgent is sent with every request; "" means "relctl".
	UserAgent string
	// Log traces every request attempt (RELCTL_LOG=debug); nil traces
	// nothing.
	Log *httplog.Logger
}

// Client reads and writes charts in OCI registries. It is safe for
// concurrent use. One Client shares a single auth cache across
// repositories, so a plan touching many charts authenticates once per
// registry and scope rather than once per request.
type Client struct {
	insecure bool
	creds    *Credentials
	auth     *auth.Client
	// tokens is auth's cache, shared with AuthClient's clients.
	tokens *tokenCache
	// transport is the default client's connection pool; nil with
	// Options.HTTPClient.
	transport *http.Transport
}

var _ state.RegistryReader = (*Client)(nil)

// retryPolicy is oras-go's default policy, bounded by the spec's retry
// block: a registry's Retry-After on 429 is honoured within max_backoff.
func retryPolicy(r config.Retry) func() retry.Policy {
	p := *retry.DefaultPolicy.(*retry.GenericPolicy)
	if r.Attempts > 0 {
		p.MaxRetry = r.Attempts - 1
	}
	if r.MinBackoff > 0 {
		p.MinWait = r.MinBackoff
		p.Backoff = retry.ExponentialBackoff(r.MinBackoff, 2, 0.1)
	}
	if r.MaxBackoff > 0 {
		p.MaxWait = r.MaxBackoff
	}
	return func() retry.Policy { return &p }
}

// New returns a Client. It makes no request; a half-set
// RELCTL_REGISTRY_USERNAME/PASSWORD pair is an error now.
func New(opts Options) (*Client, error) {
	c := &Client{insecure: opts.Insecure, creds: opts.Credentials}
	if c.creds == nil {
		getenv := opts.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		c.creds = NewCredentials(getenv)
	}
	if err := c.creds.Check(); err != nil {
		return nil, err
	}
	httpClient := opts.HTTPClient
	if httpClient == nil {
		// Every request oras-go sends with a body is rewindable (GetBody is
		// set for the byte readers Push hands it), so the retry transport
		// may resend a PUT or POST safely. The trace sits beneath the
		// retries, to show each attempt.
		c.transport = newTransport()
		httpClient = &http.Client{Transport: opts.Log.Requests(&retry.Transport{
			Base:   opts.Log.Transport(c.transport),
			Policy: retryPolicy(opts.Retry),
		})}
	} else if opts.Log != nil {
		traced := *httpClient
		traced.Transport = opts.Log.Transport(traced.Transport)
		httpClient = &traced
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "relctl"
	}
	c.tokens = newTokenCache(httpClient, c.creds.CredentialFunc(), ua)
	learning := *httpClient
	learning.Transport = c.tokens.learn(httpClient.Transport)
	c.auth = &auth.Client{
		Client:     &learning,
		Cache:      c.tokens,
		Credential: c.creds.CredentialFunc(),
	}
	c.auth.SetUserAgent(ua)
	return c, nil
}

// Credentials returns the chain this Client authenticates with, for the
// other providers that talk to the same registries (cosign).
func (c *Client) Credentials() *Credentials { return c.creds }

// CredentialSource names where the credentials for host come from; see
// Credential.Source. It never returns a secret.
func (c *Client) CredentialSource(host string) string {
	return c.creds.Source(host)
}

// repository returns the oras-go handle for "host/path/chart". It is cheap:
// the shared auth client carries the connection pool and the token cache.
func (c *Client) repository(repository string) (*remote.Repository, error) {
	if strings.Contains(repository, "://") {
		return nil, fmt.Errorf("repository %q: want host/path without a scheme", repository)
	}
	repo, err := remote.NewRepository(repository)
	if err != nil {
		if path := repository[strings.Index(repository, "/")+1:]; path != strings.ToLower(path) {
			// The distribution spec (and so GHCR) allows only lowercase
			// repository names; owners on GitHub are often mixed-case.
			return nil, fmt.Errorf("repository %q: names must be lowercase: %w", repository, err)
		}
		return nil, fmt.Errorf("repository %q: %w", repository, err)
	}
	if repo.Reference.Reference != "" {
		return nil, fmt.Errorf("repository %q: want no tag or digest", repository)
	}
	repo.Client = c.auth
	repo.PlainHTTP = c.plainHTTP(repo.Reference.Registry)
	// GHCR, like most registries, has no referrers API; relctl pushes no
	// manifest with a subject, so there is nothing to garbage-collect.
	repo.SkipReferrersGC = true
	return repo, nil
}

// plainHTTP reports whether host is spoken to without TLS: loopback hosts
// (a local registry never has a certificate) and hosts the spec marks
// insecure.
func (c *Client) plainHTTP(host string) bool {
	return c.insecure || IsLoopback(host)
}

// IsLoopback reports whether a registry host ("127.0.0.1:5000",
// "localhost", "[::1]:443") is on this machine, where plain HTTP is safe.
func IsLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
