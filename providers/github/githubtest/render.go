package githubtest

import (
	"encoding/base64"
	"net/url"
	"time"
)

// The JSON shapes below list the fields of the recorded responses
// (release-assets.json), in the recorded order, plus the two GitHub added
// in 2025: a release's "immutable" and an asset's "digest" (NOTES.md).

type userJSON struct {
	Login             string `json:"login"`
	ID                int64  `json:"id"`
	NodeID            string `json:"node_id"`
	AvatarURL         string `json:"avatar_url"`
	GravatarID        string `json:"gravatar_id"`
	URL               string `json:"url"`
	HTMLURL           string `json:"html_url"`
	FollowersURL      string `json:"followers_url"`
	FollowingURL      string `json:"following_url"`
	GistsURL          string `json:"gists_url"`
	StarredURL        string `json:"starred_url"`
	SubscriptionsURL  string `json:"subscriptions_url"`
	OrganizationsURL  string `json:"organizations_url"`
	ReposURL          string `json:"repos_url"`
	EventsURL         string `json:"events_url"`
	ReceivedEventsURL string `json:"received_events_url"`
	Type              string `json:"type"`
	SiteAdmin         bool   `json:"site_admin"`
}

type releaseJSON struct {
	URL             string      `json:"url"`
	AssetsURL       string      `json:"assets_url"`
	UploadURL       string      `json:"upload_url"`
	HTMLURL         string      `json:"html_url"`
	ID              int64       `json:"id"`
	Author          userJSON    `json:"author"`
	NodeID          string      `json:"node_id"`
	TagName         string      `json:"tag_name"`
	TargetCommitish string      `json:"target_commitish"`
	Name            *string     `json:"name"`
	Draft           bool        `json:"draft"`
	Immutable       bool        `json:"immutable"`
	Prerelease      bool        `json:"prerelease"`
	CreatedAt       string      `json:"created_at"`
	PublishedAt     *string     `json:"published_at"`
	Assets          []assetJSON `json:"assets"`
	TarballURL      *string     `json:"tarball_url"`
	ZipballURL      *string     `json:"zipball_url"`
	Body            *string     `json:"body"`
}

type assetJSON struct {
	URL                string   `json:"url"`
	ID                 int64    `json:"id"`
	NodeID             string   `json:"node_id"`
	Name               string   `json:"name"`
	Label              string   `json:"label"`
	Uploader           userJSON `json:"uploader"`
	ContentType        string   `json:"content_type"`
	State              string   `json:"state"`
	Size               int64    `json:"size"`
	Digest             *string  `json:"digest"`
	DownloadCount      int64    `json:"download_count"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	BrowserDownloadURL string   `json:"browser_download_url"`
}

// user is the token's identity, Options.Login.
func (c *call) user() userJSON { return c.userFor(c.s.opts.Login) }

// userFor renders the user login.
func (c *call) userFor(login string) userJSON {
	id, typ := loginID(login)
	api := c.apiBase + "users/" + url.PathEscape(login)
	return userJSON{
		Login:             login,
		ID:                id,
		NodeID:            nodeID("U", id),
		AvatarURL:         "https://avatars.githubusercontent.com/u/" + itoa(id) + "?v=4",
		URL:               api,
		HTMLURL:           c.webBase + url.PathEscape(login),
		FollowersURL:      api + "/followers",
		FollowingURL:      api + "/following{/other_user}",
		GistsURL:          api + "/gists{/gist_id}",
		StarredURL:        api + "/starred{/owner}{/repo}",
		SubscriptionsURL:  api + "/subscriptions",
		OrganizationsURL:  api + "/orgs",
		ReposURL:          api + "/repos",
		EventsURL:         api + "/events{/privacy}",
		ReceivedEventsURL: api + "/received_events",
		Type:              typ,
	}
}

// loginID returns the user ID and type behind login. The bot behind
// GITHUB_TOKEN has a well-known ID; any other login gets the fixtures' user ID.
func loginID(login string) (int64, string) {
	if login == "github-actions[bot]" {
		return 41898282, "Bot"
	}
	return 1000, "User"
}

// repoPath is "owner/name" as the repository was created.
func repoPath(rp *repository) string {
	return url.PathEscape(rp.owner) + "/" + url.PathEscape(rp.name)
}

// displayTag is the tag a release's web URLs use: its tag once published,
// "untagged-<hex>" while a draft (goreleaser#3148).
func displayTag(rp *repository, r *Release) string {
	if r.Draft {
		return untaggedName(rp.owner, rp.name, r.ID)
	}
	return r.TagName
}

func (c *call) renderRelease(rp *repository, r *Release) releaseJSON {
	api := c.apiBase + "repos/" + repoPath(rp)
	out := releaseJSON{
		URL:             api + "/releases/" + itoa(r.ID),
		AssetsURL:       api + "/releases/" + itoa(r.ID) + "/assets",
		UploadURL:       c.uploadBase + "repos/" + repoPath(rp) + "/releases/" + itoa(r.ID) + "/assets{?name,label}",
		HTMLURL:         c.webBase + repoPath(rp) + "/releases/tag/" + displayTag(rp, r),
		ID:              r.ID,
		Author:          c.user(),
		NodeID:          nodeID("RE", r.ID),
		TagName:         r.TagName,
		TargetCommitish: r.TargetCommitish,
		Name:            nullable(r.Name),
		Draft:           r.Draft,
		Immutable:       r.Immutable,
		Prerelease:      r.Prerelease,
		CreatedAt:       stamp(r.CreatedAt),
		Assets:          make([]assetJSON, 0, len(r.Assets)),
		Body:            nullable(r.Body),
	}
	if !r.Draft {
		p := stamp(r.PublishedAt)
		out.PublishedAt = &p
		// Archives exist only for a real tag; a draft's are null.
		tb, zb := api+"/tarball/"+r.TagName, api+"/zipball/"+r.TagName
		out.TarballURL, out.ZipballURL = &tb, &zb
	}
	for i := range r.Assets {
		out.Assets = append(out.Assets, c.renderAsset(rp, r, &r.Assets[i]))
	}
	return out
}

func (c *call) renderAsset(rp *repository, r *Release, a *Asset) assetJSON {
	out := assetJSON{
		URL:                c.apiBase + "repos/" + repoPath(rp) + "/releases/assets/" + itoa(a.ID),
		ID:                 a.ID,
		NodeID:             nodeID("RA", a.ID),
		Name:               a.Name,
		Label:              a.Label,
		Uploader:           c.user(),
		ContentType:        a.ContentType,
		State:              a.State,
		Size:               a.Size,
		Digest:             nullable(a.Digest),
		DownloadCount:      a.DownloadCount,
		CreatedAt:          stamp(a.CreatedAt),
		UpdatedAt:          stamp(a.UpdatedAt),
		BrowserDownloadURL: c.webBase + repoPath(rp) + "/releases/download/" + displayTag(rp, r) + "/" + url.PathEscape(a.Name),
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// nullable renders "" as JSON null, as GitHub does for a release created
// without a name or body and for an asset uploaded before digests existed.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nodeID builds a stable GraphQL-style ID with GitHub's type prefix
// ("RE_" release, "RA_" release asset, "U_" user).
func nodeID(kind string, id int64) string {
	return nodeIDOf(kind, itoa(id))
}

// nodeIDOf is nodeID for objects named by a string rather than a number
// ("REF_" git reference, "TAG_" annotated tag).
func nodeIDOf(kind, key string) string {
	return kind + "_" + base64.RawURLEncoding.EncodeToString([]byte("relctl:"+kind+":"+key))
}
