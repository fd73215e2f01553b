package githubtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"time"
)

// Release is the emulator's record of one GitHub release, as returned by
// Server.Releases and accepted by Server.SeedRelease.
type Release struct {
	ID              int64
	TagName         string
	TargetCommitish string
	Name            string
	Body            string
	Draft           bool
	Prerelease      bool
	// MakeLatest is the last make_latest value sent ("true", "false",
	// "legacy" or "" when never sent). GitHub does not echo it back.
	MakeLatest string
	// Immutable is set when the release was published while the repository
	// had immutable releases on; GitHub never clears it.
	Immutable   bool
	CreatedAt   time.Time
	PublishedAt time.Time // zero for drafts
	Assets      []Asset
}

// Asset is one file attached to a Release.
type Asset struct {
	ID          int64
	Name        string
	Label       string
	ContentType string
	// State is "uploaded" for a complete asset. GitHub leaves "starter" or
	// "new" assets behind after a failed upload (NOTES.md); seed one to test
	// the clean-up path.
	State string
	Size  int64
	// Digest is "sha256:<hex>". SeedRelease computes it from Data when empty
	// unless NoDigest is set.
	Digest string
	// NoDigest marks an asset uploaded before GitHub started recording
	// digests (2025-06): the JSON carries "digest": null.
	NoDigest      bool
	DownloadCount int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Data          []byte
}

// repository is the per-repository state. Releases are kept in creation
// order; listing sorts a copy.
type repository struct {
	id           int64
	owner, name  string
	releases     []*Release
	latestID     int64 // release explicitly marked latest (make_latest "true")
	pulls        map[string][]pull
	comments     map[int][]comment
	issues       []*Issue
	attestations map[string][]json.RawMessage
	labels       map[string]label
	// refs maps a full ref name ("refs/tags/podinfo-v1.0.0") to the sha it
	// points at: a commit, or an annotated tag object in tags.
	refs map[string]string
	tags map[string]*tagObject // annotated tag objects by sha
	// git holds the blobs, trees and commits made through the Git Data API.
	git *gitStore
}

type pull struct {
	Number int
	Body   string
}

type label struct {
	ID          int64
	Name, Color string
	Description string
}

func (rp *repository) release(id int64) *Release {
	for _, r := range rp.releases {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// asset finds an asset by ID anywhere in the repository, as the
// "releases/assets/{asset_id}" routes do: they carry no release ID.
func (rp *repository) asset(id int64) (*Release, *Asset) {
	for _, r := range rp.releases {
		for i := range r.Assets {
			if r.Assets[i].ID == id {
				return r, &r.Assets[i]
			}
		}
	}
	return nil, nil
}

// publishedByTag returns the published release for tag, if any. GitHub keeps
// at most one, which is what makes a second publish a 422.
func (rp *repository) publishedByTag(tag string) *Release {
	for _, r := range rp.releases {
		if !r.Draft && r.TagName == tag {
			return r
		}
	}
	return nil
}

// newestFirst returns the releases ordered as GitHub lists them: by
// created_at, newest first, ties broken by the higher (later) ID.
func (rp *repository) newestFirst() []*Release {
	out := append([]*Release(nil), rp.releases...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// latest follows GitHub's rule: the release last published with make_latest
// "true" (the default) while it is still a published full release; failing
// that, the newest published full release. Drafts and prereleases are never
// latest (NOTES.md).
func (rp *repository) latest() *Release {
	if r := rp.release(rp.latestID); r != nil && !r.Draft && !r.Prerelease {
		return r
	}
	for _, r := range rp.newestFirst() {
		if !r.Draft && !r.Prerelease {
			return r
		}
	}
	return nil
}

func cloneRelease(r *Release) Release {
	c := *r
	c.Assets = make([]Asset, len(r.Assets))
	for i, a := range r.Assets {
		a.Data = append([]byte(nil), a.Data...)
		c.Assets[i] = a
	}
	return c
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// untaggedName is the stand-in tag GitHub shows in a draft's html_url and
// asset download URLs until it is published (goreleaser#3148). GitHub's hex
// is random; this one is derived from the release so it is stable.
func untaggedName(owner, repo string, id int64) string {
	b, _ := json.Marshal([]any{owner, repo, id})
	sum := sha256.Sum256(b)
	return "untagged-" + hex.EncodeToString(sum[:10])
}
