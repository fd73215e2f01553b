package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	gh "github.com/google/go-github/v62/github"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/httplog"
)

// Options configures a Client.
type Options struct {
	// APIURL is the REST API root, usually $GITHUB_API_URL.
	//   - "" means https://api.github.com/.
	//   - A URL whose host is api.github.com is used as given.
	//   - Any other URL is a GitHub Enterprise Server root and gets
	//     go-github's WithEnterpriseURLs treatment: "api/v3/" is appended
	//     unless the path already ends in "/api/v3" or the host starts with
	//     "api." (GHE.com data residency hosts such as api.acme.ghe.com).
	//     So "https://ghe.example.com", "https://ghe.example.com/" and
	//     "https://ghe.example.com/api/v3" all mean
	//     https://ghe.example.com/api/v3/.
	APIURL string
	// UploadURL is the upload root. "" derives it from APIURL:
	// https://uploads.github.com/ for github.com, "uploads.<rest>" for an
	// "api.<rest>" host, else the APIURL host with "/api/uploads/". Uploads
	// go to the upload_url GitHub returns with each release; this only
	// names the host that may receive the token on upload.
	UploadURL string
	// Token is sent as "Authorization: Bearer <token>". Required. It is
	// never logged, printed or put in an error.
	Token string
	// Owner and Repo name the repository, e.g. "acme" and "charts".
	Owner, Repo string
	// HTTPClient is the base client; nil means one with sensible timeouts.
	// Its Transport (nil: http.DefaultTransport) is always wrapped with the
	// retry transport, and redirects to another host are not followed with
	// the token. The caller's client is not modified.
	HTTPClient *http.Client
	// Retry bounds retries of transient failures. Zero fields default to 5
	// attempts and 1s..60s of backoff; Attempts = 1 disables retries.
	Retry config.Retry
	// Sleep waits between attempts; nil means a real sleep that returns
	// ctx.Err() when ctx ends first.
	Sleep func(context.Context, time.Duration) error
	// MutationInterval spaces POST, PATCH, PUT and DELETE requests: zero
	// means DefaultMutationInterval, negative means no spacing. An API on
	// loopback (an emulator) is never paced.
	MutationInterval time.Duration
	// Log traces every request attempt (RELCTL_LOG=debug), API calls and
	// asset downloads alike; nil traces nothing.
	Log *httplog.Logger
}

// Client is a GitHub Releases client for one repository. It is safe for
// concurrent use.
type Client struct {
	gh          *gh.Client
	owner, repo string
	// tokenHosts are the only hosts that may receive the token.
	tokenHosts map[string]bool
	// plain fetches asset bytes from the storage host GitHub redirects
	// downloads to: with retries, without the token.
	plain *http.Client
	sleep func(context.Context, time.Duration) error
	// interval is the spacing of mutating requests; 0: none.
	interval time.Duration

	mu         sync.Mutex
	uploadURLs map[int64]string // release ID → upload_url template
}

// New returns a Client for opts.Owner/opts.Repo.
func New(opts Options) (*Client, error) {
	if opts.Token == "" {
		return nil, errors.New("github: no token: set GITHUB_TOKEN or GH_TOKEN")
	}
	if opts.Owner == "" || opts.Repo == "" {
		return nil, fmt.Errorf("github: repository %q/%q: owner and name are both required", opts.Owner, opts.Repo)
	}
	retry := opts.Retry
	if retry.Attempts <= 0 {
		retry.Attempts = 5
	}
	if retry.MinBackoff <= 0 {
		retry.MinBackoff = time.Second
	}
	if retry.MaxBackoff <= 0 {
		retry.MaxBackoff = 60 * time.Second
	}
	retry.MaxBackoff = max(retry.MaxBackoff, retry.MinBackoff)
	sleep := opts.Sleep
	if sleep == nil {
		sleep = sleepContext
	}

	base := http.Client{}
	if opts.HTTPClient != nil {
		base = *opts.HTTPClient
	}
	rt := base.Transport
	if rt == nil {
		rt = defaultTransport()
	}
	interval := mutationInterval(opts.APIURL, opts.MutationInterval)
	// The trace sits beneath the retries, to show each attempt; Requests
	// numbers them, since the retry layer clones each attempt.
	base.Transport = opts.Log.Requests(&retryTransport{
		base:     opts.Log.Transport(rt),
		attempts: retry.Attempts,
		minWait:  retry.MinBackoff,
		maxWait:  retry.MaxBackoff,
		sleep:    sleep,
		now:      time.Now,
		pace: &pacer{
			interval: interval,
			sleep:    sleep,
			now:      time.Now,
		},
	})
	plain := base
	base.CheckRedirect = sameHostRedirects

	apiURL, uploadURL, err := resolveURLs(opts.APIURL, opts.UploadURL)
	if err != nil {
		return nil, err
	}
	g := gh.NewClient(&base).WithAuthToken(opts.Token)
	g.BaseURL, g.UploadURL = apiURL, uploadURL
	g.UserAgent = "relctl"
	return &Client{
		gh:         g,
		owner:      opts.Owner,
		repo:       opts.Repo,
		tokenHosts: map[string]bool{apiURL.Host: true, uploadURL.Host: true},
		plain:      &plain,
		sleep:      sleep,
		interval:   interval,
		uploadURLs: map[int64]string{},
	}, nil
}

// Paced reports whether mutating requests are spaced (MutationInterval):
// GitHub then wants them one after another, and a caller gains nothing by
// writing from several goroutines.
func (c *Client) Paced() bool { return c.interval > 0 }

// Repository returns "owner/name".
func (c *Client) Repository() string { return c.owner + "/" + c.repo }

// defaultTransport bounds how long a silent server can hold a call. There
// is no overall timeout: a 2 GiB upload may legitimately take long, and
// the caller's ctx ends it.
func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 2 * time.Minute
	// Keep the connections of concurrent requests for the next ones:
	// net/http keeps 2 idle connections a host by default, and every other
	// request would dial (and shake hands) again. verify downloads 32 files
	// at once, each a request to the API and one to the storage host;
	// apply uploads several at once.
	t.MaxIdleConnsPerHost = 64
	return t
}

// sameHostRedirects follows redirects within one host only. go-github's
// WithAuthToken adds the token below http.Client, so it would ride along
// on every hop; GitHub redirects asset downloads to a storage host that
// must not see it (and rejects a request carrying it beside its signed URL).
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Host != via[0].URL.Host {
		return http.ErrUseLastResponse
	}
	return nil
}

// do sends req through go-github, decoding a JSON response into v.
//
// go-github remembers the last rate-limit headers it saw and refuses
// further calls locally, without a request, until the reset time. The retry
// transport never sees those refusals, so they are waited out here, once,
// within maxServerWait.
func (c *Client) do(ctx context.Context, req *http.Request, v any) (*gh.Response, error) {
	resp, err := c.gh.Do(ctx, req, v)
	wait, local := localRateLimit(err)
	if !local || wait > maxServerWait {
		return resp, err
	}
	if serr := c.sleep(ctx, wait); serr != nil {
		return resp, serr
	}
	// The refused request never left, so its body is unread.
	return c.gh.Do(ctx, req, v)
}

// localRateLimit recognises go-github's local refusals: their response is
// synthesised, with no headers.
func localRateLimit(err error) (time.Duration, bool) {
	var rle *gh.RateLimitError
	if errors.As(err, &rle) && rle.Response != nil && len(rle.Response.Header) == 0 {
		return max(time.Until(rle.Rate.Reset.Time), 0), true
	}
	var are *gh.AbuseRateLimitError
	if errors.As(err, &are) && are.Response != nil && len(are.Response.Header) == 0 && are.RetryAfter != nil {
		return max(*are.RetryAfter, 0), true
	}
	return 0, false
}
