package github

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/relctl/relctl/state"
)

// The chart repository index on the pages branch. It is read with the
// contents API (one request) and written through the Git Data API: blob →
// tree on the head's tree → commit on the head → ref moved without force.
// GitHub moves the ref only when the new commit descends from where it is
// now, so a writer that raced another gets 422 "Update is not a fast
// forward" (state.ErrConflict), reads the index again, merges its records
// into what the other wrote, and tries again: neither loses the other's
// entries, and nothing is cloned.

// indexAttempts bounds the read-merge-write rounds of one WriteIndex: each
// lost race means another writer landed, so a handful is plenty.
const indexAttempts = 8

// ReadFile returns the file at p on ref (a branch, tag or commit sha);
// state.ErrNotFound when the ref or the file is absent.
func (c *Client) ReadFile(ctx context.Context, ref, p string) ([]byte, error) {
	u := fmt.Sprintf("repos/%s/%s/contents/%s?ref=%s", c.owner, c.repo, escapeSegments(p), url.QueryEscape(ref))
	req, err := c.gh.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	// The raw media type: the JSON form carries content only up to 1 MB,
	// and an index of a few thousand entries is larger.
	req.Header.Set("Accept", "application/vnd.github.raw+json")
	var buf bytes.Buffer
	if _, err := c.do(ctx, req, &buf); err != nil {
		return nil, c.fail(fmt.Sprintf("read %s at %s of %s", p, ref, c.Repository()),
			fmt.Sprintf("%s or %s not found in %s", p, ref, c.Repository()), err)
	}
	return buf.Bytes(), nil
}

// DownloadBase is where the repository's release assets download from:
// the web host of the API ("https://github.com/" for api.github.com,
// the GHES host for "<host>/api/v3/"), then "<owner>/<repo>/releases/download/".
func (c *Client) DownloadBase() string {
	return WebBase(c.gh.BaseURL) + url.PathEscape(c.owner) + "/" + url.PathEscape(c.repo) + "/releases/download/"
}

// WebBase is the web root matching an API root.
func WebBase(api *url.URL) string {
	u := *api
	u.RawQuery, u.Fragment = "", ""
	switch {
	case u.Host == "api.github.com":
		u.Host, u.Path = "github.com", "/"
	case strings.HasSuffix(u.Path, "/api/v3/") || strings.HasSuffix(u.Path, "/api/v3"):
		u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "api/v3")
	case strings.HasPrefix(u.Host, "api."):
		u.Host, u.Path = strings.TrimPrefix(u.Host, "api."), "/"
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String()
}

// WriteIndex merges u's records into the index on u.Branch in one commit,
// with u.Files that differ from the branch's, creating the branch when it
// is missing. It returns the commit, "" when the index already held every
// record and every file was as given.
func (c *Client) WriteIndex(ctx context.Context, u state.IndexUpdate) (string, error) {
	for attempt := 1; ; attempt++ {
		sha, err := c.writeIndexOnce(ctx, u)
		raced := errors.Is(err, state.ErrConflict) || errors.Is(err, state.ErrAlreadyExists)
		if !raced || attempt == indexAttempts {
			if raced {
				err = fmt.Errorf("%w (another writer moved %s %d times in a row)", err, u.Branch, attempt)
			}
			return sha, err
		}
		// A short jittered pause, so that two writers that raced do not
		// race again in lockstep.
		if err := c.sleep(ctx, time.Duration(50+rand.IntN(100*attempt))*time.Millisecond); err != nil {
			return "", err
		}
	}
}

func (c *Client) writeIndexOnce(ctx context.Context, u state.IndexUpdate) (string, error) {
	ref := "refs/heads/" + u.Branch
	head, err := c.refTarget(ctx, ref)
	if err != nil {
		return "", err
	}
	var data []byte
	baseTree := ""
	if head != "" {
		cm, err := c.commit(ctx, head)
		if err != nil {
			return "", err
		}
		baseTree = cm.Tree.SHA
		// Read at the commit, not the branch: the merge must be of exactly
		// the index the new commit will replace.
		data, err = c.ReadFile(ctx, head, u.Path)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return "", err
		}
	}
	idx, err := state.ParseIndex(data)
	if err != nil {
		return "", fmt.Errorf("%s on branch %s does not parse as a helm index, so relctl will not write over it: %w", u.Path, u.Branch, err)
	}
	changed, err := idx.Merge(u.Records)
	if err != nil {
		return "", err
	}
	var files []state.BranchFile
	if changed {
		out, err := idx.Encode()
		if err != nil {
			return "", err
		}
		files = append(files, state.BranchFile{Path: u.Path, Data: out})
	}
	for _, f := range u.Files {
		if head != "" {
			have, err := c.ReadFile(ctx, head, f.Path)
			if err != nil && !errors.Is(err, state.ErrNotFound) {
				return "", err
			}
			if err == nil && bytes.Equal(have, f.Data) {
				continue
			}
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return "", nil
	}
	entries := make([]map[string]string, len(files))
	for i, f := range files {
		blob, err := c.createBlob(ctx, f.Data)
		if err != nil {
			return "", err
		}
		entries[i] = map[string]string{"path": f.Path, "mode": "100644", "type": "blob", "sha": blob}
	}
	tree, err := c.createTreeWith(ctx, baseTree, entries)
	if err != nil {
		return "", err
	}
	var parents []string
	if head != "" {
		parents = []string{head}
	}
	commit, err := c.createCommit(ctx, tree, u.Message, parents...)
	if err != nil {
		return "", err
	}
	if head == "" {
		err = c.createRef(ctx, ref, commit)
	} else {
		err = c.updateRef(ctx, ref, commit, false)
	}
	return commit, err
}

// createBlob stores data (base64, so any bytes survive) and returns its sha.
func (c *Client) createBlob(ctx context.Context, data []byte) (string, error) {
	body := map[string]string{"content": base64.StdEncoding.EncodeToString(data), "encoding": "base64"}
	var out struct {
		SHA string `json:"sha"`
	}
	if err := c.call(ctx, http.MethodPost, c.gitPath("blobs"), body, &out); err != nil {
		return "", c.fail("create a blob in "+c.Repository(), c.repoNotFound(), err)
	}
	return out.SHA, nil
}

// createTreeWith makes base (none: empty) with the given blob entries set.
func (c *Client) createTreeWith(ctx context.Context, base string, entries []map[string]string) (string, error) {
	body := map[string]any{"tree": entries}
	if base != "" {
		body["base_tree"] = base
	}
	var out struct {
		SHA string `json:"sha"`
	}
	if err := c.call(ctx, http.MethodPost, c.gitPath("trees"), body, &out); err != nil {
		return "", c.fail("create a tree in "+c.Repository(), c.repoNotFound(), err)
	}
	return out.SHA, nil
}

// escapeSegments escapes each segment of a slash-separated path.
func escapeSegments(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
