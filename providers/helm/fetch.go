package helm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/relctl/relctl/config"
)

// fetcher downloads from chart repositories: bounded parallelism, retries of
// transient failures, conditional index requests, and a per-run memo so
// that each URL is fetched once however many charts want it.
type fetcher struct {
	client   *http.Client
	cache    *diskCache
	retry    config.Retry
	sem      chan struct{}
	maxBytes int64

	indexes  memo[[]byte]
	archives memo[[]byte]
	oci      memo[[]byte]
	tags     memo[[]string]
}

func newFetcher(opts Options) *fetcher {
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	n := opts.Parallelism
	if n <= 0 {
		n = 4
	}
	r := opts.Retry
	if r.Attempts <= 0 {
		r.Attempts = config.DefaultRetryAttempts
	}
	if r.MinBackoff <= 0 {
		r.MinBackoff = config.DefaultMinBackoff
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = config.DefaultMaxBackoff
	}
	maxBytes := opts.MaxDependencyBytes
	if maxBytes <= 0 {
		maxBytes = 16 << 20
	}
	return &fetcher{client: client, cache: newDiskCache(opts.CacheDir), retry: r, sem: make(chan struct{}, n), maxBytes: maxBytes}
}

// credentials for one repository; nil sends none.
type credentials struct {
	username, password string
	host               string // the repository's host: credentials go there only
	all                bool   // ... unless pass_credentials_all
}

func (c *credentials) apply(req *http.Request) {
	if c == nil || (c.username == "" && c.password == "") {
		return
	}
	if !c.all && req.URL.Host != c.host {
		return
	}
	req.SetBasicAuth(c.username, c.password)
}

// indexFile returns index.yaml of a repository, fetched once per run and
// revalidated against the disk cache (If-None-Match / If-Modified-Since).
func (f *fetcher) indexFile(ctx context.Context, indexURL string, cred *credentials) ([]byte, error) {
	return f.indexes.do(indexURL, func() ([]byte, error) {
		cached, meta, ok := f.cache.index(indexURL)
		hdr := http.Header{}
		if ok {
			if meta.ETag != "" {
				hdr.Set("If-None-Match", meta.ETag)
			}
			if meta.LastModified != "" {
				hdr.Set("If-Modified-Since", meta.LastModified)
			}
		}
		resp, body, err := f.get(ctx, indexURL, hdr, cred, 64<<20)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusNotModified && ok {
			return cached, nil
		}
		f.cache.putIndex(indexURL, body, indexMeta{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")})
		return body, nil
	})
}

// archive returns the archive at archiveURL. With a digest (from the
// index) the disk cache answers first and the download must match it.
func (f *fetcher) archive(ctx context.Context, archiveURL, digest string, cred *credentials) ([]byte, error) {
	key := archiveURL
	if digest != "" {
		key = digest
	}
	return f.archives.do(key, func() ([]byte, error) {
		if data, ok := f.cache.archive(digest); ok {
			return data, nil
		}
		_, body, err := f.get(ctx, archiveURL, nil, cred, f.maxBytes)
		if err != nil {
			return nil, err
		}
		if digest != "" && sha(body) != digest {
			return nil, &digestMismatch{url: archiveURL, want: digest, got: sha(body)}
		}
		f.cache.putArchive(body)
		return body, nil
	})
}

type digestMismatch struct{ url, want, got string }

func (e *digestMismatch) Error() string {
	return fmt.Sprintf("%s has digest %s, but the repository index says %s", e.url, e.got, e.want)
}

type tooLarge struct {
	url   string
	limit int64
}

func (e *tooLarge) Error() string {
	return fmt.Sprintf("%s is larger than the %d byte limit for a dependency", e.url, e.limit)
}

// httpStatus is a final, non-transient HTTP answer.
type httpStatus struct {
	url    string
	status string
}

func (e *httpStatus) Error() string { return fmt.Sprintf("GET %s: %s", e.url, e.status) }

// get sends one GET with retries. 200 and 304 are answers; 5xx, 429 and
// network errors are retried with jittered exponential backoff (honouring
// Retry-After within max_backoff); other statuses fail at once.
func (f *fetcher) get(ctx context.Context, rawURL string, hdr http.Header, cred *credentials, limit int64) (*http.Response, []byte, error) {
	select {
	case f.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-f.sem }()

	var last error
	for attempt := 0; attempt < f.retry.Attempts; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, f.backoff(attempt, last)); err != nil {
				return nil, nil, err
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, nil, err
		}
		for k, v := range hdr {
			req.Header[k] = v
		}
		req.Header.Set("User-Agent", "relctl")
		cred.apply(req)
		resp, err := f.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			last = fmt.Errorf("GET %s: %w", redactURL(rawURL), unwrapURLError(err))
			continue
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotModified:
			if err != nil {
				last = fmt.Errorf("GET %s: read body: %w", redactURL(rawURL), err)
				continue
			}
			if int64(len(body)) > limit {
				return nil, nil, &tooLarge{url: redactURL(rawURL), limit: limit}
			}
			return resp, body, nil
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			last = &retryable{httpStatus: httpStatus{url: redactURL(rawURL), status: resp.Status}, after: retryAfter(resp)}
		default:
			return nil, nil, &httpStatus{url: redactURL(rawURL), status: resp.Status}
		}
	}
	return nil, nil, fmt.Errorf("unreachable after %d attempts: %w", f.retry.Attempts, last)
}

type retryable struct {
	httpStatus
	after time.Duration
}

func (f *fetcher) backoff(attempt int, last error) time.Duration {
	var r *retryable
	if errors.As(last, &r) && r.after > 0 {
		return min(r.after, f.retry.MaxBackoff)
	}
	d := f.retry.MinBackoff << (attempt - 1)
	if d <= 0 || d > f.retry.MaxBackoff {
		d = f.retry.MaxBackoff
	}
	// ±10% jitter, so that parallel runs do not retry in step.
	return d - d/10 + time.Duration(rand.Int64N(int64(d/5)+1))
}

func retryAfter(resp *http.Response) time.Duration {
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// redactURL drops user:password from a URL before it is shown.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
