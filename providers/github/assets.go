package github

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v62/github"

	"github.com/relctl/relctl/state"
)

// maxAssetSize is GitHub's limit: "each file must be under 2 GiB".
const maxAssetSize = 2 << 30

// UploadAsset uploads size bytes of body as asset name of a release and
// returns the asset as GitHub stored it. GitHub may store another name
// (see NormalizeAssetName); the returned Name is the stored one. The
// Content-Type is ContentType(name).
//
// The body is streamed from its current offset, never held in memory; on a
// retried attempt it is sought back there, so body must not be read by
// anyone else meanwhile. The upload goes to the upload_url GitHub gave for
// the release, not to a URL built here.
//
// A name already taken gives an error wrapping state.ErrAlreadyExists:
// delete that asset, then upload again (NOTES.md). Like CreateRelease, an
// upload is not retried after a network error or an ambiguous 5xx; the
// error wraps state.ErrOutcomeUnknown, and the caller must list the
// release's assets again before trying once more.
func (c *Client) UploadAsset(ctx context.Context, releaseID int64, name string, body io.ReadSeeker, size int64) (state.Asset, error) {
	op := fmt.Sprintf("upload asset %s to release %d of %s", name, releaseID, c.Repository())
	if size < 0 || size >= maxAssetSize {
		return state.Asset{}, fmt.Errorf("%s: size %d bytes: GitHub accepts assets under 2 GiB", op, size)
	}
	target, err := c.uploadTarget(ctx, releaseID, name)
	if err != nil {
		return state.Asset{}, fmt.Errorf("%s: %w", op, err)
	}
	start, err := body.Seek(0, io.SeekCurrent)
	if err != nil {
		return state.Asset{}, fmt.Errorf("%s: find the body's offset: %w", op, err)
	}
	// A LimitedReader is no io.Closer, so the transport cannot close the
	// caller's file; the limit keeps a longer file from breaking
	// Content-Length.
	req, err := c.gh.NewUploadRequest(target, io.LimitReader(body, size), size, ContentType(name))
	if err != nil {
		return state.Asset{}, fmt.Errorf("%s: %w", op, err)
	}
	if size == 0 {
		req.Body = http.NoBody // else net/http sends an unknown length, chunked
	} else {
		req.GetBody = func() (io.ReadCloser, error) {
			if _, err := body.Seek(start, io.SeekStart); err != nil {
				return nil, fmt.Errorf("rewind upload body: %w", err)
			}
			return io.NopCloser(io.LimitReader(body, size)), nil
		}
	}
	var a assetJSON
	if _, err := c.do(ctx, req, &a); err != nil {
		return state.Asset{}, c.fail(op, c.releaseNotFound(releaseID), err)
	}
	return observeAsset(a), nil
}

// uploadTarget expands the release's upload_url template
// ("https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}")
// for name. The template is the one seen when the release was last read,
// or fetched now.
func (c *Client) uploadTarget(ctx context.Context, releaseID int64, name string) (string, error) {
	c.mu.Lock()
	tmpl := c.uploadURLs[releaseID]
	c.mu.Unlock()
	if tmpl == "" {
		rel, err := c.GetRelease(ctx, releaseID)
		if err != nil {
			return "", err
		}
		c.mu.Lock()
		tmpl = c.uploadURLs[rel.ID]
		c.mu.Unlock()
		if tmpl == "" {
			return "", fmt.Errorf("release %d has no upload_url", releaseID)
		}
	}
	if i := strings.IndexByte(tmpl, '{'); i >= 0 {
		tmpl = tmpl[:i]
	}
	u, err := url.Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("release %d upload_url %q: %w", releaseID, tmpl, err)
	}
	if !c.tokenHosts[u.Host] {
		return "", fmt.Errorf("release %d upload_url is on host %q, not the configured API or upload host; refusing to send the token there", releaseID, u.Host)
	}
	u.RawQuery = url.Values{"name": {name}}.Encode()
	return u.String(), nil
}

// DeleteAsset deletes a release asset. An asset already gone gives an
// error wrapping state.ErrNotFound.
func (c *Client) DeleteAsset(ctx context.Context, id int64) error {
	op := fmt.Sprintf("delete asset %d of %s", id, c.Repository())
	if err := c.call(ctx, http.MethodDelete, c.assetPath(id), nil, nil); err != nil {
		return c.fail(op, c.assetNotFound(id), err)
	}
	return nil
}

// AssetDigest downloads an asset and returns "sha256:<hex>" of its bytes.
// The bytes are hashed as they stream in and never stored; more than 2 GiB
// (GitHub's limit) is an error.
func (c *Client) AssetDigest(ctx context.Context, assetID int64) (string, error) {
	h := sha256.New()
	if err := c.download(ctx, assetID, h, maxAssetSize); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// DownloadAsset returns an asset's bytes; more than limit bytes is an error.
// It serves `relctl verify`, which checks small files (signatures,
// certificates, chart packages) against each other.
func (c *Client) DownloadAsset(ctx context.Context, assetID int64, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if err := c.download(ctx, assetID, &buf, limit); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// download streams an asset into w.
//
// GitHub answers the download with a redirect to a storage host and a
// signed URL. That hop is fetched without the token: the storage host must
// not see it, and rejects a request that carries both.
func (c *Client) download(ctx context.Context, assetID int64, w io.Writer, limit int64) error {
	op := fmt.Sprintf("download asset %d of %s", assetID, c.Repository())
	req, err := c.gh.NewRequest(http.MethodGet, c.assetPath(assetID), nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Accept", "application/octet-stream")
	resp, err := c.gh.Client().Do(req.WithContext(ctx))
	if err != nil {
		return c.fail(op, c.assetNotFound(assetID), err)
	}
	if loc := resp.Header.Get("Location"); isRedirect(resp.StatusCode) && loc != "" {
		drain(resp)
		target, err := req.URL.Parse(loc)
		if err != nil {
			return fmt.Errorf("%s: redirect to %q: %w", op, loc, err)
		}
		storage, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		storage.Header.Set("Accept", "application/octet-stream")
		if resp, err = c.plain.Do(storage); err != nil {
			return fmt.Errorf("%s: fetch from %s: %w", op, target.Host, err)
		}
	}
	defer resp.Body.Close()
	if err := gh.CheckResponse(resp); err != nil {
		return c.fail(op, c.assetNotFound(assetID), err)
	}
	if resp.ContentLength > limit {
		return fmt.Errorf("%s: %d bytes is over the %d-byte limit", op, resp.ContentLength, limit)
	}
	n, err := io.Copy(w, io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("%s: read after %d bytes: %w", op, n, err)
	}
	if n > limit {
		return fmt.Errorf("%s: more than the %d-byte limit", op, limit)
	}
	return nil
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

func (c *Client) assetPath(id int64) string {
	return fmt.Sprintf("repos/%s/%s/releases/assets/%d", c.owner, c.repo, id)
}

func (c *Client) assetNotFound(id int64) string {
	return fmt.Sprintf("asset %d not found in %s (or the token cannot see the repository)", id, c.Repository())
}
