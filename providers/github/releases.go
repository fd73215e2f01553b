package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/relctl/relctl/state"
)

// releaseJSON is the part of GitHub's release object relctl reads. It is
// decoded here rather than through go-github's RepositoryRelease, which
// (v62) has neither "immutable" nor the assets' "digest".
type releaseJSON struct {
	ID              int64       `json:"id"`
	TagName         string      `json:"tag_name"`
	TargetCommitish string      `json:"target_commitish"`
	Name            string      `json:"name"`
	Body            string      `json:"body"`
	Draft           bool        `json:"draft"`
	Prerelease      bool        `json:"prerelease"`
	Immutable       bool        `json:"immutable"`
	CreatedAt       time.Time   `json:"created_at"`
	UploadURL       string      `json:"upload_url"`
	Assets          []assetJSON `json:"assets"`
}

// assetJSON is the part of GitHub's release asset object relctl reads.
// Digest is null on assets uploaded before 2025-06 (google/go-github#3627).
type assetJSON struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	State  string `json:"state"`
	Digest string `json:"digest"`
}

// createRequest is the body of POST /repos/{o}/{r}/releases.
type createRequest struct {
	TagName         string `json:"tag_name"`
	TargetCommitish string `json:"target_commitish,omitempty"`
	Name            string `json:"name"`
	Body            string `json:"body"`
	Draft           bool   `json:"draft"`
	Prerelease      bool   `json:"prerelease"`
	MakeLatest      string `json:"make_latest,omitempty"`
}

// updateRequest is the body of PATCH /repos/{o}/{r}/releases/{id}. Every
// field but make_latest and target_commitish is always sent, so an update
// states the whole release and repeating it changes nothing.
type updateRequest struct {
	TargetCommitish string `json:"target_commitish,omitempty"`
	Name            string `json:"name"`
	Body            string `json:"body"`
	Draft           bool   `json:"draft"`
	Prerelease      bool   `json:"prerelease"`
	MakeLatest      string `json:"make_latest,omitempty"`
}

// GetRelease returns one release, drafts included.
func (c *Client) GetRelease(ctx context.Context, id int64) (state.Release, error) {
	op := fmt.Sprintf("get release %d of %s", id, c.Repository())
	var rel releaseJSON
	if err := c.call(ctx, http.MethodGet, c.releasePath(id), nil, &rel); err != nil {
		return state.Release{}, c.fail(op, c.releaseNotFound(id), err)
	}
	return c.observe(rel), nil
}

// CreateRelease creates a release from spec and returns it as GitHub
// stored it. MakeLatest is sent only for a published full release: drafts
// and prereleases are never latest.
//
// Not safe to repeat blindly: GitHub allows several drafts with one tag, so
// a second call makes a second draft. The request is not retried after a
// network error or an ambiguous 5xx, where GitHub may have created the
// release anyway; the error wraps state.ErrOutcomeUnknown, and the caller
// must list releases again before trying once more.
func (c *Client) CreateRelease(ctx context.Context, spec state.ReleaseSpec) (state.Release, error) {
	op := fmt.Sprintf("create release %s in %s", spec.TagName, c.Repository())
	body := createRequest{
		TagName:         spec.TagName,
		TargetCommitish: spec.TargetCommitish,
		Name:            spec.Name,
		Body:            spec.Body,
		Draft:           spec.Draft,
		Prerelease:      spec.Prerelease,
		MakeLatest:      makeLatest(spec),
	}
	var rel releaseJSON
	path := fmt.Sprintf("repos/%s/%s/releases", c.owner, c.repo)
	if err := c.call(ctx, http.MethodPost, path, body, &rel); err != nil {
		return state.Release{}, c.fail(op, c.repoNotFound(), err)
	}
	return c.observe(rel), nil
}

// UpdateRelease sets a release's name, body, draft and prerelease flags to
// spec's (publishing a draft when spec.Draft is false). The tag is not
// changed. TargetCommitish is sent when set; GitHub uses it only if the tag
// does not exist yet, i.e. when a draft is published. MakeLatest is sent
// only when spec.Draft and spec.Prerelease are false; leave it empty on a
// notes-only update so the "Latest" badge is not moved.
func (c *Client) UpdateRelease(ctx context.Context, id int64, spec state.ReleaseSpec) (state.Release, error) {
	op := fmt.Sprintf("update release %d (%s) of %s", id, spec.TagName, c.Repository())
	body := updateRequest{
		TargetCommitish: spec.TargetCommitish,
		Name:            spec.Name,
		Body:            spec.Body,
		Draft:           spec.Draft,
		Prerelease:      spec.Prerelease,
		MakeLatest:      makeLatest(spec),
	}
	var rel releaseJSON
	if err := c.call(ctx, http.MethodPatch, c.releasePath(id), body, &rel); err != nil {
		return state.Release{}, c.fail(op, c.releaseNotFound(id), err)
	}
	return c.observe(rel), nil
}

// DeleteRelease deletes a release and its assets. The git tag, if any,
// stays. A release already gone gives an error wrapping state.ErrNotFound.
func (c *Client) DeleteRelease(ctx context.Context, id int64) error {
	op := fmt.Sprintf("delete release %d of %s", id, c.Repository())
	if err := c.call(ctx, http.MethodDelete, c.releasePath(id), nil, nil); err != nil {
		return c.fail(op, c.releaseNotFound(id), err)
	}
	c.mu.Lock()
	delete(c.uploadURLs, id)
	c.mu.Unlock()
	return nil
}

func makeLatest(spec state.ReleaseSpec) string {
	if spec.Draft || spec.Prerelease {
		return ""
	}
	return spec.MakeLatest
}

// call sends one JSON request to a path relative to the API root.
func (c *Client) call(ctx context.Context, method, path string, body, out any) error {
	req, err := c.gh.NewRequest(method, path, body)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, req, out)
	return err
}

func (c *Client) releasePath(id int64) string {
	return fmt.Sprintf("repos/%s/%s/releases/%d", c.owner, c.repo, id)
}

func (c *Client) repoNotFound() string {
	return fmt.Sprintf("repository %s not found or the token cannot see it", c.Repository())
}

func (c *Client) releaseNotFound(id int64) string {
	return fmt.Sprintf("release %d not found in %s (or the token cannot see the repository)", id, c.Repository())
}

// observe converts GitHub's release to state's, remembering its upload URL
// for UploadAsset.
func (c *Client) observe(r releaseJSON) state.Release {
	if r.UploadURL != "" {
		c.mu.Lock()
		c.uploadURLs[r.ID] = r.UploadURL
		c.mu.Unlock()
	}
	out := state.Release{
		ID:              r.ID,
		TagName:         r.TagName,
		Name:            r.Name,
		Body:            r.Body,
		Draft:           r.Draft,
		Prerelease:      r.Prerelease,
		Immutable:       r.Immutable,
		TargetCommitish: r.TargetCommitish,
		CreatedAt:       r.CreatedAt,
	}
	for _, a := range r.Assets {
		out.Assets = append(out.Assets, observeAsset(a))
	}
	return out
}

func observeAsset(a assetJSON) state.Asset {
	digest := a.Digest
	// Only sha256 is comparable with local files; anything else counts as
	// unknown, so the caller downloads and hashes the asset.
	if !strings.HasPrefix(digest, "sha256:") {
		digest = ""
	}
	return state.Asset{ID: a.ID, Name: a.Name, Size: a.Size, State: a.State, Digest: digest}
}
