package github

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/relctl/relctl/state"
)

// maxPages stops a server whose Link headers never end: 1000 pages of 100
// is far beyond any repository relctl manages.
const maxPages = 1000

// ListReleases returns every release of the repository in GitHub's order
// (newest first), with their assets. Drafts are included: GitHub lists them
// to tokens with push access only, and "releases/tags/{tag}" never returns
// them (NOTES.md), which is why relctl lists instead of looking up by tag.
// An asset's Digest is GitHub's "sha256:<hex>", or "" when GitHub has none.
func (c *Client) ListReleases(ctx context.Context) ([]state.Release, error) {
	op := "list releases of " + c.Repository()
	var out []state.Release
	err := listPages(ctx, c, op, fmt.Sprintf("repos/%s/%s/releases?per_page=100", c.owner, c.repo), func(rels []releaseJSON) {
		for _, r := range rels {
			out = append(out, c.observe(r))
		}
	})
	return out, err
}

// listPages GETs first and every rel="next" page after it, handing each
// page's decoded items to add.
func listPages[T any](ctx context.Context, c *Client, op, first string, add func([]T)) error {
	next := first
	seen := map[string]bool{}
	// One buffer for every page: a page of 100 releases is over a MiB of
	// JSON, and go-github's decoder grew a buffer of its own for each, by
	// doubling from 512 bytes (4 MiB of garbage per page). It grows on the
	// first page only; lists of tags or comments are small, and do not get
	// a release list's buffer.
	var body bytes.Buffer
	body.Grow(64 << 10)
	for page := 1; next != ""; page++ {
		if page > maxPages || seen[next] {
			return fmt.Errorf("%s: pagination did not end after page %d", op, page-1)
		}
		seen[next] = true
		req, err := c.gh.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		body.Reset()
		resp, err := c.do(ctx, req, &body) // an io.Writer: go-github copies the body into it
		if err != nil {
			return c.fail(op, c.repoNotFound(), err)
		}
		items, err := decodePage[T](body.Bytes())
		if err != nil {
			return fmt.Errorf("%s: decode page %d: %w", op, page, err)
		}
		add(items)
		if next, err = c.nextPage(resp.Header.Get("Link")); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	return nil
}

// decodePage decodes a page's JSON array; an empty body is no items, as
// go-github's decoder takes it.
func decodePage[T any](b []byte) ([]T, error) {
	var items []T
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, err
	}
	return items, nil
}

// nextPage returns the rel="next" URL of a Link header, "" on the last
// page. The URL is followed as given (GitHub's pagination is opaque: page
// numbers for releases, cursors elsewhere) but only on a host that may
// receive the token.
func (c *Client) nextPage(link string) (string, error) {
	for _, part := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok || !hasRel(params, "next") {
			continue
		}
		target = strings.TrimSpace(target)
		if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			return "", fmt.Errorf("malformed Link header entry %q", part)
		}
		u, err := c.gh.BaseURL.Parse(target[1 : len(target)-1])
		if err != nil {
			return "", fmt.Errorf("next page in the Link header: %w", err)
		}
		if !c.tokenHosts[u.Host] {
			return "", fmt.Errorf("the Link header points the next page to host %q; refusing to send the token there", u.Host)
		}
		return u.String(), nil
	}
	return "", nil
}

// hasRel reports whether Link parameters (`rel="next"; foo=bar`) include rel.
func hasRel(params, rel string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
			if r == rel {
				return true
			}
		}
	}
	return false
}
