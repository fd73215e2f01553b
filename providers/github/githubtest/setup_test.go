package githubtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

const testToken = "ghs_test"

// startServer starts an emulator with acme/charts and a go-github client
// configured the way relctl configures one for GitHub Enterprise Server.
func startServer(t *testing.T, opts Options) (*Server, *github.Client) {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddRepo("acme", "charts")
	gh, err := github.NewClient(nil).WithAuthToken(opts.Token).WithEnterpriseURLs(s.URL(), s.URL())
	if err != nil {
		t.Fatal(err)
	}
	return s, gh
}

// upload sends data as an asset through go-github, which takes an *os.File.
func upload(ctx context.Context, t *testing.T, gh *github.Client, releaseID int64, name string, data []byte) (*github.ReleaseAsset, *github.Response, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return gh.Repositories.UploadReleaseAsset(ctx, "acme", "charts", releaseID,
		&github.UploadOptions{Name: name, MediaType: "application/gzip"}, f)
}

// errorCode returns the status and first error code of a GitHub error.
func errorCode(err error) (int, string) {
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		return 0, ""
	}
	code := ""
	if len(er.Errors) > 0 {
		code = er.Errors[0].Code
	}
	return er.Response.StatusCode, code
}

func statusOf(resp *github.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

var linkPart = regexp.MustCompile(`<([^>]*)>; rel="([a-z]+)"`)

// parseLink maps rel to URL for a Link header.
func parseLink(h string) map[string]string {
	out := map[string]string{}
	for _, m := range linkPart.FindAllStringSubmatch(h, -1) {
		out[m[2]] = m[1]
	}
	return out
}

func rawGet(t *testing.T, url string, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func asErr(err error, target **github.ErrorResponse) bool { return errors.As(err, target) }

// errResp extracts the response of a go-github error.
func errResp(err error) *github.Response {
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		return &github.Response{Response: er.Response}
	}
	return nil
}

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
