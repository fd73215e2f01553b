package githubtest

import (
	"net/http"
	"time"
)

// defaultBranch is the target_commitish GitHub fills in when none is sent.
const defaultBranch = "main"

func listReleases(c *call) {
	all := c.repo.newestFirst()
	page := paginate(c, all, "releases")
	out := make([]releaseJSON, 0, len(page))
	for _, r := range page {
		out = append(out, c.renderRelease(c.repo, r))
	}
	c.writeJSON(http.StatusOK, out)
}

func getRelease(c *call) {
	id, ok := c.idParam("release_id")
	if !ok {
		return
	}
	r := c.repo.release(id)
	if r == nil {
		c.notFound(c.rt.doc)
		return
	}
	c.writeJSON(http.StatusOK, c.renderRelease(c.repo, r))
}

// getReleaseByTag sees published releases only: a draft's tag does not exist
// yet, so GitHub answers 404 (NOTES.md).
func getReleaseByTag(c *call) {
	r := c.repo.publishedByTag(c.params["tag"])
	if r == nil {
		c.notFound(c.rt.doc)
		return
	}
	c.writeJSON(http.StatusOK, c.renderRelease(c.repo, r))
}

func getLatestRelease(c *call) {
	r := c.repo.latest()
	if r == nil {
		c.notFound(c.rt.doc)
		return
	}
	c.writeJSON(http.StatusOK, c.renderRelease(c.repo, r))
}

// releaseInput is the writable part of a release. Pointers tell an absent
// field from a zero one, which PATCH needs.
type releaseInput struct {
	TagName         *string `json:"tag_name"`
	TargetCommitish *string `json:"target_commitish"`
	Name            *string `json:"name"`
	Body            *string `json:"body"`
	Draft           *bool   `json:"draft"`
	Prerelease      *bool   `json:"prerelease"`
	MakeLatest      *string `json:"make_latest"`
}

// decodeRelease parses the body, answering GitHub's errors for bad JSON or
// a make_latest outside "true", "false", "legacy".
func (c *call) decodeRelease() (releaseInput, bool) {
	var in releaseInput
	if !c.decodeJSON(&in) {
		return in, false
	}
	if in.MakeLatest != nil {
		switch *in.MakeLatest {
		case "true", "false", "legacy":
		default:
			c.invalid(fieldError{Resource: "Release", Code: "invalid", Field: "make_latest"})
			return in, false
		}
	}
	return in, true
}

func createRelease(c *call) {
	in, ok := c.decodeRelease()
	if !ok {
		return
	}
	if in.TagName == nil || *in.TagName == "" {
		c.invalid(fieldError{Resource: "Release", Code: "missing_field", Field: "tag_name"})
		return
	}
	r := &Release{
		TagName:         *in.TagName,
		TargetCommitish: deref(in.TargetCommitish, defaultBranch),
		Name:            deref(in.Name, ""),
		Body:            deref(in.Body, ""),
		Draft:           in.Draft != nil && *in.Draft,
		Prerelease:      in.Prerelease != nil && *in.Prerelease,
		MakeLatest:      deref(in.MakeLatest, ""),
		CreatedAt:       c.s.now(),
	}
	if r.TargetCommitish == "" {
		r.TargetCommitish = defaultBranch
	}
	// Drafts may share a tag; only publication claims it (NOTES.md).
	if !r.Draft && c.repo.publishedByTag(r.TagName) != nil {
		c.invalid(fieldError{Resource: "Release", Code: "already_exists", Field: "tag_name"})
		return
	}
	r.ID = allocate(&c.s.nextRel, 0)
	if !r.Draft {
		c.publish(r)
	}
	c.repo.releases = append(c.repo.releases, r)
	c.res.header.Set("Location", c.apiBase+"repos/"+repoPath(c.repo)+"/releases/"+itoa(r.ID))
	c.writeJSON(http.StatusCreated, c.renderRelease(c.repo, r))
}

// publish stamps a release going public and creates its tag if missing
// (NOTES.md: a draft's tag does not exist until it is published). The
// immutable flag is taken from the repository setting at this moment and
// never changes afterwards.
func (c *call) publish(r *Release) {
	c.repo.ensureTag(r.TagName, r.TargetCommitish)
	r.Draft = false
	r.PublishedAt = c.s.now()
	r.Immutable = c.s.immutable
	c.markLatest(r)
}

// markLatest applies make_latest: "true" (or unset) makes a published full
// release the latest; "false" and "legacy" leave the choice to GitHub's
// date rule (repository.latest).
func (c *call) markLatest(r *Release) {
	switch {
	case r.Draft || r.Prerelease:
	case r.MakeLatest == "" || r.MakeLatest == "true":
		c.repo.latestID = r.ID
	case c.repo.latestID == r.ID:
		c.repo.latestID = 0
	}
}

func updateRelease(c *call) {
	id, ok := c.idParam("release_id")
	if !ok {
		return
	}
	r := c.repo.release(id)
	if r == nil {
		c.notFound(c.rt.doc)
		return
	}
	in, ok := c.decodeRelease()
	if !ok {
		return
	}
	tag := deref(in.TagName, r.TagName)
	draft := r.Draft
	if in.Draft != nil {
		draft = *in.Draft
	}
	// Immutable releases keep their tag and stay published; title and notes
	// may still change (GitHub docs, immutable releases).
	if r.Immutable && !r.Draft && (tag != r.TagName || draft) {
		field := "tag_name"
		if draft {
			field = "draft"
		}
		c.invalid(fieldError{Resource: "Release", Code: "custom", Field: field,
			Message: "Cannot modify the " + field + " of an immutable release."})
		return
	}
	if tag == "" {
		c.invalid(fieldError{Resource: "Release", Code: "missing_field", Field: "tag_name"})
		return
	}
	if !draft {
		if other := c.repo.publishedByTag(tag); other != nil && other != r {
			c.invalid(fieldError{Resource: "Release", Code: "already_exists", Field: "tag_name"})
			return
		}
	}
	wasDraft, oldTag := r.Draft, r.TagName
	r.TagName = tag
	r.TargetCommitish = deref(in.TargetCommitish, r.TargetCommitish)
	r.Name = deref(in.Name, r.Name)
	r.Body = deref(in.Body, r.Body)
	if in.Prerelease != nil {
		r.Prerelease = *in.Prerelease
	}
	if in.MakeLatest != nil {
		r.MakeLatest = *in.MakeLatest
	}
	switch {
	case wasDraft && !draft:
		c.publish(r)
	case !wasDraft && draft:
		// Back to draft: the tag is released for others to publish.
		r.Draft = true
		r.PublishedAt = time.Time{}
		if c.repo.latestID == r.ID {
			c.repo.latestID = 0
		}
	case !draft && (in.MakeLatest != nil || in.Prerelease != nil):
		c.markLatest(r)
	}
	if !wasDraft && !draft && tag != oldTag {
		// A published release moved to another tag: GitHub creates that
		// tag as it does on publishing, and leaves the old one.
		c.repo.ensureTag(r.TagName, r.TargetCommitish)
	}
	c.writeJSON(http.StatusOK, c.renderRelease(c.repo, r))
}

func deleteRelease(c *call) {
	id, ok := c.idParam("release_id")
	if !ok {
		return
	}
	for i, r := range c.repo.releases {
		if r.ID == id {
			c.repo.releases = append(c.repo.releases[:i], c.repo.releases[i+1:]...)
			if c.repo.latestID == id {
				c.repo.latestID = 0
			}
			c.res.WriteHeader(http.StatusNoContent)
			return
		}
	}
	c.notFound(c.rt.doc)
}

func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}
