package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"

	"github.com/relctl/relctl/state"
)

// apiError is a failed GitHub call: what was being done to what, and why.
// It unwraps to a state sentinel (when one applies), to
// state.ErrOutcomeUnknown when the call may have taken effect anyway, and to
// the underlying go-github or network error.
type apiError struct {
	op      string // "create release chart-v1.0.0 in acme/charts"
	reason  string
	kind    error
	unknown bool
	cause   error
}

func (e *apiError) Error() string { return e.op + ": " + e.reason }

func (e *apiError) Unwrap() []error {
	var errs []error
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.unknown {
		errs = append(errs, state.ErrOutcomeUnknown)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// fail explains err, which came from doing op. notFound says what a 404
// means for this call. Messages are built from the status and GitHub's
// message only, never from request headers, so the token cannot leak.
func (c *Client) fail(op, notFound string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	e := &apiError{op: op, cause: err}
	var (
		rle *gh.RateLimitError
		are *gh.AbuseRateLimitError
		er  *gh.ErrorResponse
	)
	switch {
	case errors.As(err, &rle):
		e.reason = fmt.Sprintf("GitHub API rate limit exhausted until %s; retry after that, or use a token with a higher limit",
			rle.Rate.Reset.Time.UTC().Format(time.RFC3339))
	case errors.As(err, &are):
		e.reason = "GitHub secondary rate limit still in force after retries: too many requests in a short time; retry later"
	case errors.As(err, &er) && er.Response != nil:
		e.kind, e.reason = c.explainStatus(er, notFound)
	default:
		e.reason = err.Error()
	}
	if outcomeUnknown(err) {
		// The caller (planner.Apply) re-observes, then adopts the write
		// or sends it again; the message says why it had to.
		e.unknown = true
		e.reason += "; the outcome is unknown: GitHub may have applied it anyway"
	}
	return e
}

// outcomeUnknown reports whether a failed POST may have been applied: the
// connection broke after sending, or a gateway gave up while GitHub was
// still working (the transport does not retry these; see retryTransport).
func outcomeUnknown(err error) bool {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.Request != nil {
		switch er.Response.StatusCode {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
			return er.Response.Request.Method == http.MethodPost
		}
		return false
	}
	var ue *url.Error
	return errors.As(err, &ue) && ue.Op == "Post"
}

// explainStatus maps a GitHub error response to a sentinel and a reason a
// user can act on.
func (c *Client) explainStatus(er *gh.ErrorResponse, notFound string) (error, string) {
	code := er.Response.StatusCode
	detail := githubMessage(er)
	switch {
	case code == http.StatusUnauthorized:
		return state.ErrUnauthorized, fmt.Sprintf(
			"GitHub rejected the credentials for %s (%d%s): set GITHUB_TOKEN (or GH_TOKEN) to a valid token",
			c.Repository(), code, detail)
	case code == http.StatusForbidden:
		return state.ErrUnauthorized, fmt.Sprintf(
			"the token may not do this in %s (%d%s): GITHUB_TOKEN needs the contents: write permission",
			c.Repository(), code, detail)
	case code == http.StatusNotFound:
		return state.ErrNotFound, notFound
	case code == http.StatusConflict:
		return state.ErrConflict, fmt.Sprintf("conflict (%d%s)", code, detail)
	case code == http.StatusUnprocessableEntity && hasCode(er, "already_exists"):
		return state.ErrAlreadyExists, fmt.Sprintf("already exists (%d%s)", code, detail)
	}
	return nil, fmt.Sprintf("GitHub answered %d %s%s", code, http.StatusText(code), detail)
}

// githubMessage renders GitHub's message and validation errors, e.g.
// ` Validation Failed: ReleaseAsset.name already_exists`.
func githubMessage(er *gh.ErrorResponse) string {
	var parts []string
	for _, e := range er.Errors {
		s := e.Code
		if e.Resource != "" || e.Field != "" {
			s = strings.Trim(e.Resource+"."+e.Field, ".") + " " + e.Code
		}
		if e.Message != "" {
			s += " (" + e.Message + ")"
		}
		parts = append(parts, s)
	}
	msg := er.Message
	if msg == http.StatusText(er.Response.StatusCode) {
		msg = "" // already said by the status
	}
	switch {
	case len(parts) > 0 && msg != "":
		msg += ": " + strings.Join(parts, ", ")
	case len(parts) > 0:
		msg = strings.Join(parts, ", ")
	case msg == "":
		return ""
	}
	return " " + msg
}

func hasCode(er *gh.ErrorResponse, code string) bool {
	for _, e := range er.Errors {
		if e.Code == code {
			return true
		}
	}
	return false
}
