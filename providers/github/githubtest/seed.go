package githubtest

import (
	"encoding/json"
	"maps"
	"strings"
)

// Releases returns deep copies of a repository's releases, oldest first
// (creation order), drafts included. It returns nil for an unknown repository.
func (s *Server) Releases(owner, repo string) []Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[repoKey(owner, repo)]
	if rp == nil {
		return nil
	}
	out := make([]Release, 0, len(rp.releases))
	for _, r := range rp.releases {
		out = append(out, cloneRelease(r))
	}
	return out
}

// SeedRelease stores r as if it had been created through the API, creating
// the repository if needed, and returns it with IDs assigned. Zero IDs are
// allocated; a given ID is kept (seed ID 1000 to match the fixtures). Zero
// times default to now; a non-draft gets PublishedAt = CreatedAt and, as
// publishing through the API does, refs/tags/<TagName> at TargetCommitish
// unless that tag exists. Assets get State "uploaded", Size len(Data) and a
// digest of Data unless given or NoDigest is set. Seeding bypasses
// validation: it can build states the API refuses, such as two published
// releases with one tag.
func (s *Server) SeedRelease(owner, repo string, r Release) Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.addRepoLocked(owner, repo)
	now := s.now()
	c := cloneRelease(&r)
	c.ID = allocate(&s.nextRel, c.ID)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if !c.Draft && c.PublishedAt.IsZero() {
		c.PublishedAt = c.CreatedAt
	}
	if c.TargetCommitish == "" {
		c.TargetCommitish = defaultBranch
	}
	for i := range c.Assets {
		a := &c.Assets[i]
		a.ID = allocate(&s.nextAsset, a.ID)
		if a.State == "" {
			a.State = "uploaded"
		}
		if a.Size == 0 {
			a.Size = int64(len(a.Data))
		}
		if a.Digest == "" && !a.NoDigest {
			a.Digest = digestOf(a.Data)
		}
		if a.NoDigest {
			a.Digest = ""
		}
		if a.ContentType == "" {
			a.ContentType = "application/octet-stream"
		}
		if a.CreatedAt.IsZero() {
			a.CreatedAt = c.CreatedAt
		}
		if a.UpdatedAt.IsZero() {
			a.UpdatedAt = a.CreatedAt
		}
	}
	rp.releases = append(rp.releases, &c)
	if !c.Draft {
		// As if published through the API: the tag exists from then on.
		rp.ensureTag(c.TagName, c.TargetCommitish)
	}
	if !c.Draft && !c.Prerelease && (c.MakeLatest == "" || c.MakeLatest == "true") {
		rp.latestID = c.ID
	}
	return cloneRelease(&c)
}

// allocate returns want if non-zero, else the next ID; the counter always
// moves past the returned ID so later allocations never collide.
func allocate(next *int64, want int64) int64 {
	if want == 0 {
		want = *next
	}
	if want >= *next {
		*next = want + 1
	}
	return want
}

// SeedPull records that pull request number, with body, introduced commit
// sha, for GET /repos/{owner}/{repo}/commits/{sha}/pulls.
func (s *Server) SeedPull(owner, repo, sha string, number int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.addRepoLocked(owner, repo)
	sha = strings.ToLower(sha)
	rp.pulls[sha] = append(rp.pulls[sha], pull{Number: number, Body: body})
}

// SeedComment adds a comment by SeedAuthor to issue or pull request
// number, for GET /repos/{owner}/{repo}/issues/{number}/comments.
func (s *Server) SeedComment(owner, repo string, number int, body string) {
	s.SeedCommentBy(owner, repo, number, SeedAuthor, body)
}

// SeedAuthor writes seeded comments: a person, not the token's identity.
const SeedAuthor = "octocat"

// SeedCommentBy adds a comment written by login.
func (s *Server) SeedCommentBy(owner, repo string, number int, login, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.addRepoLocked(owner, repo)
	rp.comments[number] = append(rp.comments[number], comment{Body: body, Author: login})
}

// Comments returns the comment bodies of issue or pull request number,
// oldest first.
func (s *Server) Comments(owner, repo string, number int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[repoKey(owner, repo)]
	if rp == nil {
		return nil
	}
	return commentBodies(rp.comments[number])
}

// SeedAttestation stores a Sigstore bundle for subject digest
// ("sha256:<hex>"), for GET /repos/{owner}/{repo}/attestations/{digest}.
func (s *Server) SeedAttestation(owner, repo, digest string, bundle json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.addRepoLocked(owner, repo)
	rp.attestations[digest] = append(rp.attestations[digest], append(json.RawMessage(nil), bundle...))
}

// SeedRef sets ref ("refs/heads/main", "refs/tags/podinfo-v1.0.0") to point
// at sha (a commit), creating the repository if needed. Like the other
// seeds it bypasses validation, so it can also move a ref the API would
// refuse to.
func (s *Server) SeedRef(owner, repo, ref, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.addRepoLocked(owner, repo)
	rp.refs[ref] = strings.ToLower(sha)
}

// SeedAnnotatedTag creates refs/tags/<tag> pointing at a new annotated tag
// object whose object is the commit commitSHA, and returns the tag
// object's sha. The tag's message is tag + "\n", as "git tag -a -m <tag>"
// writes it, and its sha depends only on tag, commitSHA and the Login
// option, so seeding it again gives the same sha.
func (s *Server) SeedAnnotatedTag(owner, repo, tag, commitSHA string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.addRepoLocked(owner, repo)
	t := newTagObject(tag, strings.ToLower(commitSHA), s.opts.Login, s.now())
	rp.tags[t.sha] = t
	rp.refs["refs/tags/"+tag] = t.sha
	return t.sha
}

// Refs returns a repository's refs, full name to the sha the ref points
// at: a commit, or the tag object for an annotated tag. It returns nil for
// an unknown repository.
func (s *Server) Refs(owner, repo string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[repoKey(owner, repo)]
	if rp == nil {
		return nil
	}
	return maps.Clone(rp.refs)
}
