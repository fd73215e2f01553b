package githubtest

import (
	"encoding/json"
	"net/http"
	"strings"
)

func listAssets(c *call) {
	r := c.releaseParam()
	if r == nil {
		return
	}
	assets := make([]*Asset, len(r.Assets))
	for i := range r.Assets {
		assets[i] = &r.Assets[i]
	}
	page := paginate(c, assets, "releases/"+itoa(r.ID)+"/assets")
	out := make([]assetJSON, 0, len(page))
	for _, a := range page {
		out = append(out, c.renderAsset(c.repo, r, a))
	}
	c.writeJSON(http.StatusOK, out)
}

func (c *call) releaseParam() *Release {
	id, ok := c.idParam("release_id")
	if !ok {
		return nil
	}
	r := c.repo.release(id)
	if r == nil {
		c.notFound(c.rt.doc)
	}
	return r
}

func (c *call) assetParam() (*Release, *Asset) {
	id, ok := c.idParam("asset_id")
	if !ok {
		return nil, nil
	}
	r, a := c.repo.asset(id)
	if a == nil {
		c.notFound(c.rt.doc)
	}
	return r, a
}

// locked reports, and answers, an attempt to change the assets of a
// published immutable release. The upload wording is GitHub's
// (softprops/action-gh-release#653); the others follow it.
func (c *call) locked(r *Release, verb string) bool {
	if !r.Immutable || r.Draft {
		return false
	}
	c.fail(http.StatusUnprocessableEntity, "Cannot "+verb+" an immutable release.", docsBase)
	return true
}

// getAsset returns the asset's JSON or, asked for application/octet-stream,
// redirects to the bytes as GitHub does (302 to a storage URL); go-github's
// DownloadReleaseAsset follows it with the http.Client it is given.
func getAsset(c *call) {
	r, a := c.assetParam()
	if a == nil {
		return
	}
	if strings.Contains(c.r.Header.Get("Accept"), "application/octet-stream") {
		c.res.header.Set("Location", c.webBase+"_downloads/"+itoa(a.ID))
		c.res.WriteHeader(http.StatusFound)
		return
	}
	c.writeJSON(http.StatusOK, c.renderAsset(c.repo, r, a))
}

func updateAsset(c *call) {
	r, a := c.assetParam()
	if a == nil {
		return
	}
	if c.locked(r, "update assets of") {
		return
	}
	var in struct {
		Name  *string `json:"name"`
		Label *string `json:"label"`
		State *string `json:"state"`
	}
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			c.badJSON()
			return
		}
	}
	if in.Name != nil {
		name := NormalizeAssetName(*in.Name)
		if name == "" {
			c.invalid(fieldError{Resource: "ReleaseAsset", Code: "missing_field", Field: "name"})
			return
		}
		if other := findAsset(r, name); other != nil && other != a {
			c.invalid(fieldError{Resource: "ReleaseAsset", Code: "already_exists", Field: "name"})
			return
		}
		a.Name = name
	}
	if in.Label != nil {
		a.Label = *in.Label
	}
	if in.State != nil {
		a.State = *in.State
	}
	a.UpdatedAt = c.s.now()
	c.writeJSON(http.StatusOK, c.renderAsset(c.repo, r, a))
}

func deleteAsset(c *call) {
	r, a := c.assetParam()
	if a == nil {
		return
	}
	if c.locked(r, "delete assets from") {
		return
	}
	for i := range r.Assets {
		if r.Assets[i].ID == a.ID {
			r.Assets = append(r.Assets[:i], r.Assets[i+1:]...)
			break
		}
	}
	c.res.WriteHeader(http.StatusNoContent)
}

// uploadAsset stores the raw body as an asset named by ?name= (normalised,
// see NormalizeAssetName) with ?label=.
func uploadAsset(c *call) {
	r := c.releaseParam()
	if r == nil {
		return
	}
	if c.locked(r, "upload assets to") {
		return
	}
	// uploads.github.com answers a missing type with 400
	// {"message":"Invalid Content-Type: ''"} (octokit/octokit.net#149,
	// fastlane#9922) and a body without a length with "Bad Content-Length: ".
	ct := c.r.Header.Get("Content-Type")
	if ct == "" {
		c.fail(http.StatusBadRequest, "Invalid Content-Type: ''", docsBase)
		return
	}
	if c.r.ContentLength < 0 {
		c.fail(http.StatusBadRequest, "Bad Content-Length: ", docsBase)
		return
	}
	name := NormalizeAssetName(c.r.URL.Query().Get("name"))
	if name == "" {
		c.invalid(fieldError{Resource: "ReleaseAsset", Code: "missing_field", Field: "name"})
		return
	}
	// Any asset of that name blocks, "starter" leftovers of a failed upload
	// included: the client must delete it first (NOTES.md).
	if findAsset(r, name) != nil {
		c.invalid(fieldError{Resource: "ReleaseAsset", Code: "already_exists", Field: "name"})
		return
	}
	if len(r.Assets) >= maxAssets {
		c.invalid(fieldError{Resource: "ReleaseAsset", Code: "custom", Field: "release",
			Message: "A release can have at most 1000 assets."})
		return
	}
	now := c.s.now()
	r.Assets = append(r.Assets, Asset{
		ID:          allocate(&c.s.nextAsset, 0),
		Name:        name,
		Label:       c.r.URL.Query().Get("label"),
		ContentType: ct,
		State:       "uploaded",
		Size:        int64(len(c.body)),
		Digest:      digestOf(c.body),
		CreatedAt:   now,
		UpdatedAt:   now,
		Data:        append([]byte(nil), c.body...),
	})
	c.writeJSON(http.StatusCreated, c.renderAsset(c.repo, r, &r.Assets[len(r.Assets)-1]))
}

// maxAssets is GitHub's per-release asset limit (NOTES.md).
const maxAssets = 1000

func findAsset(r *Release, name string) *Asset {
	for i := range r.Assets {
		if r.Assets[i].Name == name {
			return &r.Assets[i]
		}
	}
	return nil
}
