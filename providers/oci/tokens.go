// One bearer token per repository scope for the whole run, whichever client
// asks: registries such as GHCR want a token from their token endpoint for
// every repository, reads included.

package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// tokenCache is oras-go's auth cache (a token per registry and scope set)
// that also fetches a missing bearer token before the request that needs
// it, rather than after the request's 401: once a registry has answered one
// Bearer challenge, its token endpoint (realm) and service are known, and a
// token for another repository is one request to that endpoint. oras-go
// alone sends each new repository's first request without a token, to
// learn the challenge again.
type tokenCache struct {
	auth.Cache
	// client sends token requests: the Client's, with its retries and
	// trace (which never shows a header).
	client *http.Client
	cred   auth.CredentialFunc
	ua     string

	mu         sync.Mutex
	challenges map[string]bearerChallenge // by registry host
	// probing holds, per registry host whose scheme is not yet known, a
	// channel closed when the first request sent to it is answered.
	probing map[string]chan struct{}
}

// maxProbeWait bounds how long a request waits for the first answer of a
// registry (GetScheme) before going on its own, as without the wait.
const maxProbeWait = 30 * time.Second

type bearerChallenge struct {
	realm, service string
}

func newTokenCache(client *http.Client, cred auth.CredentialFunc, ua string) *tokenCache {
	return &tokenCache{Cache: auth.NewCache(), client: client, cred: cred, ua: ua,
		challenges: map[string]bearerChallenge{}, probing: map[string]chan struct{}{}}
}

// GetScheme returns the registry's cached scheme. While it is unknown, the
// first request to a registry goes alone: the others wait for its answer
// (a plan starts dozens of charts at once, and each would otherwise meet
// the same 401), then, if it was a Bearer challenge, go with a token
// fetched beforehand (GetToken).
func (c *tokenCache) GetScheme(ctx context.Context, registry string) (auth.Scheme, error) {
	scheme, err := c.Cache.GetScheme(ctx, registry)
	if err == nil {
		return scheme, nil
	}
	c.mu.Lock()
	if _, ok := c.challenges[registry]; ok {
		c.mu.Unlock()
		return auth.SchemeBearer, nil
	}
	wait, probing := c.probing[registry]
	if !probing {
		c.probing[registry] = make(chan struct{})
		c.mu.Unlock()
		return scheme, err // this request probes
	}
	c.mu.Unlock()
	if wait == nil {
		// Answered, and not with a Bearer challenge: an open registry,
		// or one oras-go authenticates otherwise.
		return scheme, err
	}
	timer := time.NewTimer(maxProbeWait)
	defer timer.Stop()
	select {
	case <-wait:
	case <-timer.C:
		return scheme, err
	case <-ctx.Done():
		return scheme, err
	}
	c.mu.Lock()
	_, bearer := c.challenges[registry]
	c.mu.Unlock()
	if bearer {
		return auth.SchemeBearer, nil
	}
	return c.Cache.GetScheme(ctx, registry)
}

// answered ends the probe of host, if one is under way.
func (c *tokenCache) answered(host string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.probing[host]; ok && ch != nil {
		close(ch)
		c.probing[host] = nil // known from now on: no probe again
	}
}

// GetToken returns the cached token for key; on a miss for a bearer key of
// a registry whose challenge is known, it fetches the token now (once for
// concurrent callers, through Set). A registry refreshing tokens by OAuth2
// (an identity token) is left to oras-go, as is any failure here: the
// request then goes without a token and oras-go answers its 401 as usual,
// with its own error.
func (c *tokenCache) GetToken(ctx context.Context, registry string, scheme auth.Scheme, key string) (string, error) {
	token, err := c.Cache.GetToken(ctx, registry, scheme, key)
	if err == nil || scheme != auth.SchemeBearer || key == "" {
		return token, err
	}
	c.mu.Lock()
	ch, ok := c.challenges[registry]
	c.mu.Unlock()
	if !ok {
		return "", err
	}
	cred, cerr := c.cred(ctx, registry)
	if cerr != nil || cred.RefreshToken != "" || cred.AccessToken != "" {
		return token, err
	}
	return c.Cache.Set(ctx, registry, scheme, key, func(ctx context.Context) (string, error) {
		return c.fetch(ctx, ch, cred, strings.Split(key, " "))
	})
}

// fetch asks the token endpoint for a token covering scopes, with the
// credential as basic auth (anonymous without one), as the Docker token
// spec's GET flow and oras-go do.
func (c *tokenCache) fetch(ctx context.Context, ch bearerChallenge, cred auth.Credential, scopes []string) (string, error) {
	u, err := url.Parse(ch.realm)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("token endpoint %q: not an http(s) URL", ch.realm)
	}
	q := u.Query()
	if ch.service != "" {
		q.Set("service", ch.service)
	}
	for _, s := range scopes {
		q.Add("scope", s)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	if cred.Username != "" || cred.Password != "" {
		req.SetBasicAuth(cred.Username, cred.Password)
	}
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token endpoint %s answered %s", redactURL(u), resp.Status)
	}
	var body struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&body); err != nil {
		return "", fmt.Errorf("token endpoint %s: %w", redactURL(u), err)
	}
	if body.AccessToken != "" {
		return body.AccessToken, nil
	}
	if body.Token != "" {
		return body.Token, nil
	}
	return "", fmt.Errorf("token endpoint %s answered no token", redactURL(u))
}

// redactURL is a token endpoint for messages: scheme, host and path.
func redactURL(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.Path
}

// learn is the transport beneath the auth clients: it notes the Bearer
// challenge of each registry's first 401, for GetToken.
func (c *tokenCache) learn(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err == nil && resp.StatusCode == http.StatusUnauthorized {
			if ch, ok := parseBearer(resp.Header.Get("WWW-Authenticate")); ok {
				c.mu.Lock()
				if _, known := c.challenges[req.URL.Host]; !known {
					c.challenges[req.URL.Host] = ch
				}
				c.mu.Unlock()
			}
		}
		c.answered(req.URL.Host)
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

var challengeParam = regexp.MustCompile(`([A-Za-z]+)="([^"]*)"`)

// parseBearer reads realm and service from `Bearer realm="…",service="…"`.
func parseBearer(header string) (bearerChallenge, bool) {
	scheme, params, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return bearerChallenge{}, false
	}
	var ch bearerChallenge
	for _, m := range challengeParam.FindAllStringSubmatch(params, -1) {
		switch strings.ToLower(m[1]) {
		case "realm":
			ch.realm = m[2]
		case "service":
			ch.service = m[2]
		}
	}
	return ch, ch.realm != ""
}

// AuthClient returns an oras-go auth client that sends through rt and
// shares this Client's credential chain and token cache: a provider that
// talks to the same registries (cosign's signature reads and writes) then
// uses the tokens the chart requests got, and the other way round, instead
// of a token exchange of its own per repository.
func (c *Client) AuthClient(rt http.RoundTripper) *auth.Client {
	a := &auth.Client{
		Client:     &http.Client{Transport: c.tokens.learn(rt)},
		Cache:      c.tokens,
		Credential: c.auth.Credential,
		Header:     c.auth.Header.Clone(),
	}
	return a
}

// ScopedTransport sends each request through client, with the repository
// scope its path names (`/v2/<name>/manifests|blobs|tags|referrers/…`:
// pull for GET and HEAD, pull and push for other methods), so the client
// finds the repository's token in its cache and needs no 401 round trip
// to learn the scope. It is for go-containerregistry, whose own bearer
// flow asks for a token per repository and per operation: give it
// anonymous credentials, so that it adds no Authorization header of its
// own (a request that has one is sent as it is).
//
// The registry's version check (`GET /v2/`) is sent without a token; a 401
// to it is answered 200 with no body, since authentication is done here,
// beneath go-containerregistry: a cache of ping answers above this
// transport then keeps that answer. Requests outside the registry API (a
// blob's redirect to storage) go as they are.
func ScopedTransport(client *auth.Client) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") != "" {
			return client.Do(req)
		}
		if req.Method == http.MethodGet && req.URL.Path == "/v2/" {
			resp, err := client.Client.Do(req)
			if err != nil || resp.StatusCode != http.StatusUnauthorized {
				return resp, err
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			resp.StatusCode, resp.Status = http.StatusOK, "200 OK"
			resp.Header = resp.Header.Clone()
			resp.Header.Del("WWW-Authenticate")
			resp.Header.Del("Content-Length")
			resp.ContentLength, resp.Body = 0, http.NoBody
			return resp, nil
		}
		name, ok := repositoryOfPath(req.URL.Path)
		if !ok {
			return client.Client.Do(req)
		}
		actions := []string{auth.ActionPull}
		switch req.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodDelete:
			actions = []string{auth.ActionDelete}
		default:
			actions = []string{auth.ActionPull, auth.ActionPush}
		}
		ref := registry.Reference{Registry: req.URL.Host, Repository: name}
		ctx := auth.AppendRepositoryScope(req.Context(), ref, actions...)
		return client.Do(req.WithContext(ctx))
	})
}

// repositoryOfPath returns <name> of `/v2/<name>/{manifests,blobs,tags,referrers}/…`.
func repositoryOfPath(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return "", false
	}
	best := -1
	for _, part := range []string{"/manifests/", "/blobs/", "/tags/", "/referrers/"} {
		if i := strings.LastIndex(rest, part); i > 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best <= 0 {
		return "", false
	}
	return rest[:best], true
}

// maxScopesPerToken bounds the repositories one prefetched token covers:
// every scope is in the token (a JWT lists them), and the token is in
// every request's header.
const maxScopesPerToken = 25

// prefetchConcurrency bounds the token requests of PrefetchTokens at once.
const prefetchConcurrency = 8

// PrefetchTokens asks a registry with bearer tokens for the pull tokens of
// repositories ("host/path") before they are read: one token request per
// maxScopesPerToken repositories, with one `scope` parameter each (the
// Docker token spec allows several; GHCR is said to, which relctl has not
// verified), stored as each repository's token. The registry's challenge
// is learned first with one `GET /v2/` when no request has met it yet. It
// reports nothing: a token endpoint that refuses several scopes leaves
// those repositories to get their own token, as without prefetching, and
// one that grants fewer scopes than asked costs each repository left out a
// 401 and its own token. An open registry costs the one `GET /v2/`.
func (c *Client) PrefetchTokens(ctx context.Context, repositories []string) {
	c.prefetchTokens(ctx, repositories, auth.ActionPull)
}

// PrefetchPushTokens is PrefetchTokens for the tokens of writes (pull and
// push), which oras-go asks for apart from the pull ones: apply asks for
// them for the repositories it is about to write to.
func (c *Client) PrefetchPushTokens(ctx context.Context, repositories []string) {
	c.prefetchTokens(ctx, repositories, auth.ActionPull, auth.ActionPush)
}

func (c *Client) prefetchTokens(ctx context.Context, repositories []string, actions ...string) {
	byHost := map[string][]string{}
	var hosts []string
	for _, r := range repositories {
		host, path, ok := strings.Cut(r, "/")
		if !ok || path == "" {
			continue
		}
		if _, seen := byHost[host]; !seen {
			hosts = append(hosts, host)
		}
		byHost[host] = append(byHost[host], auth.ScopeRepository(path, actions...))
	}
	for _, host := range hosts {
		c.prefetch(ctx, host, byHost[host])
	}
}

func (c *Client) prefetch(ctx context.Context, host string, scopes []string) {
	t := c.tokens
	ch, ok := t.challenge(host)
	if !ok && t.known(host) {
		return // answered before, with no Bearer challenge: nothing to fetch
	}
	if !ok {
		scheme := "https"
		if c.plainHTTP(host) {
			scheme = "http"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+host+"/v2/", nil)
		if err != nil {
			return
		}
		resp, err := c.auth.Client.Do(req) // through learn
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if ch, ok = t.challenge(host); !ok {
			return
		}
	}
	cred, err := t.cred(ctx, host)
	if err != nil || cred.RefreshToken != "" || cred.AccessToken != "" {
		return
	}
	var todo []string
	for _, s := range scopes {
		if _, err := t.Cache.GetToken(ctx, host, auth.SchemeBearer, s); err != nil {
			todo = append(todo, s)
		}
	}
	sem := make(chan struct{}, prefetchConcurrency)
	var wg sync.WaitGroup
	for len(todo) > 0 {
		n := min(len(todo), maxScopesPerToken)
		chunk := todo[:n]
		todo = todo[n:]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if len(chunk) == 1 {
				return // its own request fetches it, as well as here
			}
			token, err := t.fetch(ctx, ch, cred, chunk)
			if err != nil {
				return
			}
			for _, s := range chunk {
				_, _ = t.Cache.Set(ctx, host, auth.SchemeBearer, s, func(context.Context) (string, error) { return token, nil })
			}
		}()
	}
	wg.Wait()
}

// known reports whether host has answered a request already.
func (c *tokenCache) known(host string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.probing[host]
	return ok && ch == nil
}

// challenge returns the Bearer challenge host answered, if known.
func (c *tokenCache) challenge(host string) (bearerChallenge, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.challenges[host]
	return ch, ok
}
