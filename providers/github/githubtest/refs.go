package githubtest

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// initialCommit is where every repository's main branch starts: the commit
// git-refs.json shows refs/heads/main at. The emulator keeps no commits, so
// any 40-hex sha stands for one.
const initialCommit = "0000000000000000000000000000000000000001"

var shaPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// isSHA reports whether s is a full, lower-case object name. The emulator
// has no object store: this shape check is all it can do where GitHub
// answers "Object does not exist" for a sha it does not hold.
func isSHA(s string) bool { return shaPattern.MatchString(s) }

// refJSON and gitObjectJSON are the shapes of git-refs.json, in its order.
type refJSON struct {
	Ref    string        `json:"ref"`
	NodeID string        `json:"node_id"`
	URL    string        `json:"url"`
	Object gitObjectJSON `json:"object"`
}

type gitObjectJSON struct {
	SHA  string `json:"sha"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

// objectType is "tag" for the annotated tag objects the repository holds,
// "blob" or "tree" for those made through the Git Data API, and "commit"
// for anything else (stored commits and phantoms alike).
func (rp *repository) objectType(sha string) string {
	if _, ok := rp.tags[sha]; ok {
		return "tag"
	}
	if k := rp.git.kindOf(sha); k != "" {
		return k
	}
	return "commit"
}

func (c *call) gitObject(sha string) gitObjectJSON {
	typ := c.repo.objectType(sha)
	return gitObjectJSON{SHA: sha, Type: typ, URL: c.apiBase + "repos/" + repoPath(c.repo) + "/git/" + typ + "s/" + sha}
}

func (c *call) renderRef(name string) refJSON {
	return refJSON{
		Ref:    name,
		NodeID: nodeIDOf("REF", itoa(c.repo.id)+":"+name),
		URL:    c.apiBase + "repos/" + repoPath(c.repo) + "/git/" + escapeRef(name),
		Object: c.gitObject(c.repo.refs[name]),
	}
}

// escapeRef escapes each segment of a ref name but keeps its slashes, as
// GitHub writes ref URLs.
func escapeRef(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// refsWithPrefix returns the refs whose full name starts with prefix,
// sorted by name as GitHub lists them.
func (c *call) refsWithPrefix(prefix string) []refJSON {
	names := make([]string, 0, len(c.repo.refs))
	for name := range c.repo.refs {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := make([]refJSON, 0, len(names))
	for _, name := range names {
		out = append(out, c.renderRef(name))
	}
	return out
}

// listRefs answers GET git/refs, which GitHub no longer documents but still
// serves and octokit's listRefs calls (git-refs.json, with a trailing slash).
func listRefs(c *call) {
	c.writeJSON(http.StatusOK, paginate(c, c.refsWithPrefix("refs/"), "git/refs"))
}

// listMatchingRefs answers GET git/matching-refs/{ref}: every ref whose name
// after "refs/" starts with {ref}, and [] rather than 404 when none does.
// go-github sends "matching-refs/" with nothing after it for all refs.
func listMatchingRefs(c *call) {
	p := c.params["ref"]
	c.writeJSON(http.StatusOK, paginate(c, c.refsWithPrefix("refs/"+p), "git/matching-refs/"+escapeRef(p)))
}

// getRef answers GET git/ref/{ref}: an exact name only.
func getRef(c *call) {
	name := "refs/" + c.params["ref"]
	if _, ok := c.repo.refs[name]; !ok {
		c.notFound(c.rt.doc)
		return
	}
	c.writeJSON(http.StatusOK, c.renderRef(name))
}

// getRefLegacy answers GET git/refs/{ref}, the older form PyGithub and
// octokit.rb still call: the ref itself when the name is exact, else the
// array of refs starting with it (GitHub's documented behaviour before
// matching-refs split it off), else 404.
func getRefLegacy(c *call) {
	name := "refs/" + c.params["ref"]
	if _, ok := c.repo.refs[name]; ok {
		c.writeJSON(http.StatusOK, c.renderRef(name))
		return
	}
	matches := c.refsWithPrefix(name)
	if len(matches) == 0 {
		c.notFound(c.rt.doc)
		return
	}
	c.writeJSON(http.StatusOK, paginate(c, matches, "git/refs/"+escapeRef(c.params["ref"])))
}

type refInput struct {
	Ref   *string `json:"ref"`
	SHA   *string `json:"sha"`
	Force *bool   `json:"force"`
}

func createRef(c *call) {
	var in refInput
	if !c.decodeJSON(&in) {
		return
	}
	switch {
	case in.Ref == nil:
		c.missingField("ref")
		return
	case in.SHA == nil:
		c.missingField("sha")
		return
	}
	name, sha := *in.Ref, strings.ToLower(*in.SHA)
	if msg := refNameProblem(name); msg != "" {
		c.fail(http.StatusUnprocessableEntity, msg, c.rt.doc)
		return
	}
	if !isSHA(sha) {
		c.fail(http.StatusUnprocessableEntity, "Object does not exist", c.rt.doc)
		return
	}
	if _, ok := c.repo.refs[name]; ok {
		c.fail(http.StatusUnprocessableEntity, "Reference already exists", c.rt.doc)
		return
	}
	if !c.repo.refUpdateAllowed(name, sha) {
		c.fail(http.StatusUnprocessableEntity, "Reference update failed", c.rt.doc)
		return
	}
	c.repo.refs[name] = sha
	ref := c.renderRef(name)
	c.res.header.Set("Location", ref.URL)
	c.writeJSON(http.StatusCreated, ref)
}

// updateRef moves a ref. Without "force" the new commit must descend from
// the one the ref points at, else GitHub's 422 "Update is not a fast
// forward": this is the compare-and-swap that concurrent writers rely on,
// and it is atomic because handlers run one at a time under Server.mu.
// Where a phantom commit (one the emulator holds no history for) hides the
// answer, the update is allowed (gitStore.mayFastForward).
func updateRef(c *call) {
	name := "refs/" + c.params["ref"]
	var in refInput
	if !c.decodeJSON(&in) {
		return
	}
	if _, ok := c.repo.refs[name]; !ok {
		c.fail(http.StatusUnprocessableEntity, "Reference does not exist", c.rt.doc)
		return
	}
	if in.SHA == nil {
		c.missingField("sha")
		return
	}
	sha := strings.ToLower(*in.SHA)
	if !isSHA(sha) {
		c.fail(http.StatusUnprocessableEntity, "Object does not exist", c.rt.doc)
		return
	}
	if !c.repo.refUpdateAllowed(name, sha) {
		c.fail(http.StatusUnprocessableEntity, "Reference update failed", c.rt.doc)
		return
	}
	force := in.Force != nil && *in.Force
	if !force && !c.repo.git.mayFastForward(c.repo.refs[name], sha) {
		c.fail(http.StatusUnprocessableEntity, "Update is not a fast forward", c.rt.doc)
		return
	}
	c.repo.refs[name] = sha
	c.writeJSON(http.StatusOK, c.renderRef(name))
}

// deleteRef answers a missing ref with 422, not 404: GitHub's
// "Reference does not exist".
func deleteRef(c *call) {
	name := "refs/" + c.params["ref"]
	if _, ok := c.repo.refs[name]; !ok {
		c.fail(http.StatusUnprocessableEntity, "Reference does not exist", c.rt.doc)
		return
	}
	delete(c.repo.refs, name)
	c.res.WriteHeader(http.StatusNoContent)
}

// refNameProblem returns GitHub's message for a ref name it refuses to
// create, or "". The first two messages are GitHub's own, checked in this
// order; the last covers git's check-ref-format rules in GitHub's wording
// ("refs//x is not a valid ref name.", octokit/octokit.rb#675).
func refNameProblem(name string) string {
	if !strings.HasPrefix(name, "refs/") {
		return "Reference name must start with 'refs/'."
	}
	if !threeComponents.MatchString(name) {
		return "Reference name must contain at least three slash-separated components."
	}
	if !validRefName(name) {
		return name + " is not a valid ref name."
	}
	return ""
}

var threeComponents = regexp.MustCompile(`^refs/[^/]+/[^/]`)

// validRefName applies the rules of git check-ref-format that a ref name
// sent as JSON can break.
func validRefName(name string) bool {
	if strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.HasSuffix(name, ".") {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return false
		}
	}
	return true
}

// refUpdateAllowed applies the two refusals GitHub reports only as
// "Reference update failed": a branch must point at a commit, not a tag
// object, and a ref cannot sit where another ref's name is a directory
// (refs/heads/a beside refs/heads/a/b), as in a git repository on disk.
func (rp *repository) refUpdateAllowed(name, sha string) bool {
	if strings.HasPrefix(name, "refs/heads/") && rp.objectType(sha) != "commit" {
		return false
	}
	for other := range rp.refs {
		if strings.HasPrefix(other, name+"/") || strings.HasPrefix(name, other+"/") {
			return false
		}
	}
	return true
}

// ensureTag gives a release being published its tag, as GitHub does: a new
// refs/tags/<tag> at target_commitish when that is a full commit sha, else
// at the tip of the branch it names. An existing tag stays where it points,
// since GitHub uses target_commitish only when the tag does not exist yet
// (NOTES.md). A target that names no branch the emulator knows creates no
// tag rather than failing the release.
func (rp *repository) ensureTag(tag, commitish string) {
	name := "refs/tags/" + tag
	if _, ok := rp.refs[name]; ok {
		return
	}
	if sha := rp.resolveCommitish(commitish); sha != "" {
		rp.refs[name] = sha
	}
}

func (rp *repository) resolveCommitish(commitish string) string {
	if commitish == "" {
		commitish = defaultBranch
	}
	if sha := strings.ToLower(commitish); isSHA(sha) {
		return sha
	}
	sha := rp.refs["refs/heads/"+strings.TrimPrefix(commitish, "refs/heads/")]
	if rp.objectType(sha) != "commit" {
		return ""
	}
	return sha
}
