package githubtest

import (
	"net/url"
	"strings"
)

// routeKind decides which cross-cutting rules apply to a route.
type routeKind int

const (
	// kindAPI routes are api.github.com endpoints: authenticated, rate
	// limited, under "/" or "/api/v3/".
	kindAPI routeKind = iota
	// kindUpload routes are uploads.github.com endpoints: like kindAPI, and
	// also served under "/api/uploads/".
	kindUpload
	// kindStorage routes stand in for the signed storage and browser
	// download URLs GitHub redirects to: no auth, no rate limit.
	kindStorage
)

// route is one endpoint. pattern uses the parameter names of GitHub's REST
// documentation; Route in the request log is method + " " + pattern.
type route struct {
	method  string
	pattern string
	kind    routeKind
	doc     string // documentation_url in error bodies, as GitHub sends it
	handle  func(*call)
	segs    []string
	// display is the pattern as documented: "{tag...}" shown as "{tag}".
	// Set it to log a variant of a route (a trailing slash) under the
	// documented name, so Count sees one endpoint.
	display string
}

const docsBase = "https://docs.github.com/rest"

// routes is ordered: the first match wins, so literal segments ("latest",
// "tags", "assets") come before the parameter they would otherwise match.
// "{tag...}" takes the rest of the path: go-github does not escape the tag,
// so a tag with slashes arrives as several segments.
var routes = compile([]route{
	{method: "GET", pattern: "/repos/{owner}/{repo}/releases", doc: "/releases/releases#list-releases", handle: listReleases},
	{method: "POST", pattern: "/repos/{owner}/{repo}/releases", doc: "/releases/releases#create-a-release", handle: createRelease},
	{method: "GET", pattern: "/repos/{owner}/{repo}/releases/latest", doc: "/releases/releases#get-the-latest-release", handle: getLatestRelease},
	{method: "GET", pattern: "/repos/{owner}/{repo}/releases/tags/{tag...}", doc: "/releases/releases#get-a-release-by-tag-name", handle: getReleaseByTag},
	{method: "GET", pattern: "/repos/{owner}/{repo}/releases/assets/{asset_id}", doc: "/releases/assets#get-a-release-asset", handle: getAsset},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}/releases/assets/{asset_id}", doc: "/releases/assets#update-a-release-asset", handle: updateAsset},
	{method: "DELETE", pattern: "/repos/{owner}/{repo}/releases/assets/{asset_id}", doc: "/releases/assets#delete-a-release-asset", handle: deleteAsset},
	{method: "GET", pattern: "/repos/{owner}/{repo}/releases/{release_id}", doc: "/releases/releases#get-a-release", handle: getRelease},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}/releases/{release_id}", doc: "/releases/releases#update-a-release", handle: updateRelease},
	{method: "DELETE", pattern: "/repos/{owner}/{repo}/releases/{release_id}", doc: "/releases/releases#delete-a-release", handle: deleteRelease},
	{method: "GET", pattern: "/repos/{owner}/{repo}/releases/{release_id}/assets", doc: "/releases/assets#list-release-assets", handle: listAssets},
	// uploads.github.com errors point at the REST root, not the endpoint
	// (release-assets-conflict.json).
	{method: "POST", pattern: "/repos/{owner}/{repo}/releases/{release_id}/assets", kind: kindUpload, handle: uploadAsset},
	// GitHub's Link headers name the repository by ID, so a client following
	// rel="next" calls these (paginate-issues.json: "/repositories/1000/issues?per_page=3&page=2").
	{method: "GET", pattern: "/repositories/{repository_id}/releases", doc: "/releases/releases#list-releases", handle: listReleases},
	{method: "GET", pattern: "/repositories/{repository_id}/releases/{release_id}/assets", doc: "/releases/assets#list-release-assets", handle: listAssets},
	// Git references. "{ref...}" is the name after "refs/" ("tags/v1");
	// go-github escapes each segment, so it arrives as several.
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/refs", doc: "/git/refs#list-matching-references", handle: listRefs},
	// octokit's listRefs sends the trailing slash (git-refs.json).
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/refs/", display: "/repos/{owner}/{repo}/git/refs", doc: "/git/refs#list-matching-references", handle: listRefs},
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/refs/{ref...}", doc: "/git/refs#get-a-reference", handle: getRefLegacy},
	{method: "POST", pattern: "/repos/{owner}/{repo}/git/refs", doc: "/git/refs#create-a-reference", handle: createRef},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}/git/refs/{ref...}", doc: "/git/refs#update-a-reference", handle: updateRef},
	{method: "DELETE", pattern: "/repos/{owner}/{repo}/git/refs/{ref...}", doc: "/git/refs#delete-a-reference", handle: deleteRef},
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/ref/{ref...}", doc: "/git/refs#get-a-reference", handle: getRef},
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/matching-refs/{ref...}", doc: "/git/refs#list-matching-references", handle: listMatchingRefs},
	// go-github asks for every ref with an empty {ref}.
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/matching-refs/", display: "/repos/{owner}/{repo}/git/matching-refs/{ref}", doc: "/git/refs#list-matching-references", handle: listMatchingRefs},
	// The Git Data API's objects (gitdata.go, gittrees.go).
	{method: "POST", pattern: "/repos/{owner}/{repo}/git/blobs", doc: "/git/blobs#create-a-blob", handle: createBlob},
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/blobs/{file_sha}", doc: "/git/blobs#get-a-blob", handle: getBlob},
	{method: "POST", pattern: "/repos/{owner}/{repo}/git/trees", doc: "/git/trees#create-a-tree", handle: createTree},
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/trees/{tree_sha}", doc: "/git/trees#get-a-tree", handle: getTree},
	{method: "POST", pattern: "/repos/{owner}/{repo}/git/commits", doc: "/git/commits#create-a-commit", handle: createCommit},
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/commits/{commit_sha}", doc: "/git/commits#get-a-commit-object", handle: getCommit},
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/tags/{tag_sha}", doc: "/git/tags#get-a-tag", handle: getTag},
	// Link headers of the ref lists, as those of releases, name the repository by ID.
	{method: "GET", pattern: "/repositories/{repository_id}/git/refs", doc: "/git/refs#list-matching-references", handle: listRefs},
	{method: "GET", pattern: "/repositories/{repository_id}/git/refs/{ref...}", doc: "/git/refs#get-a-reference", handle: getRefLegacy},
	{method: "GET", pattern: "/repositories/{repository_id}/git/matching-refs/{ref...}", doc: "/git/refs#list-matching-references", handle: listMatchingRefs},
	{method: "GET", pattern: "/repositories/{repository_id}/git/matching-refs/", display: "/repositories/{repository_id}/git/matching-refs/{ref}", doc: "/git/refs#list-matching-references", handle: listMatchingRefs},
	{method: "GET", pattern: "/repos/{owner}/{repo}/commits/{commit_sha}/pulls", doc: "/commits/commits#list-pull-requests-associated-with-a-commit", handle: listCommitPulls},
	{method: "GET", pattern: "/repos/{owner}/{repo}/issues", doc: "/issues/issues#list-repository-issues", handle: listIssues},
	{method: "POST", pattern: "/repos/{owner}/{repo}/issues", doc: "/issues/issues#create-an-issue", handle: createIssue},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}/issues/comments/{comment_id}", doc: "/issues/comments#update-an-issue-comment", handle: updateIssueComment},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}/issues/{issue_number}", doc: "/issues/issues#update-an-issue", handle: updateIssue},
	{method: "GET", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/comments", doc: "/issues/comments#list-issue-comments", handle: listIssueComments},
	{method: "POST", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/comments", doc: "/issues/comments#create-an-issue-comment", handle: createIssueComment},
	{method: "GET", pattern: "/repos/{owner}/{repo}/attestations/{subject_digest}", doc: "/repos/repos#list-attestations", handle: listAttestations},
	{method: "POST", pattern: "/repos/{owner}/{repo}/labels", doc: "/reference/issues#create-a-label", handle: createLabel},
	{method: "GET", pattern: "/user", doc: "/users/users#get-the-authenticated-user", handle: getAuthenticatedUser},
	// The contents API (contents.go), files only.
	{method: "GET", pattern: "/repos/{owner}/{repo}/contents/{path...}", doc: "/repos/contents#get-repository-content", handle: getContents},
	{method: "GET", pattern: "/_pages/{owner}/{repo}/{path...}", kind: kindStorage, display: "/_pages/{owner}/{repo}/{path}", handle: servePages},
	{method: "GET", pattern: "/_pages/{owner}/{repo}/", kind: kindStorage, display: "/_pages/{owner}/{repo}/{path}", handle: servePages},
	{method: "GET", pattern: "/_downloads/{asset_id}", kind: kindStorage, handle: downloadStorage},
	{method: "GET", pattern: "/{owner}/{repo}/releases/download/{tag}/{name}", kind: kindStorage, handle: downloadBrowser},
})

func compile(rs []route) []*route {
	out := make([]*route, len(rs))
	for i := range rs {
		r := rs[i]
		r.segs = strings.Split(strings.TrimPrefix(r.pattern, "/"), "/")
		if r.display == "" {
			r.display = strings.ReplaceAll(r.pattern, "...}", "}")
		}
		if r.doc != "" {
			r.doc = docsBase + r.doc
		}
		out[i] = &r
	}
	return out
}

// name is the route as it appears in LoggedRequest.Route and Fault.
func (rt *route) name() string { return rt.method + " " + rt.display }

// match reports whether the escaped path (prefix already removed) matches,
// returning the unescaped parameters. Segments are unescaped one by one so
// a tag sent as "a%2Fb" and one sent as "a/b" both arrive as "a/b".
func (rt *route) match(method, escapedPath string) (map[string]string, bool) {
	if method != rt.method && !(method == "HEAD" && rt.method == "GET") {
		return nil, false
	}
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	params := map[string]string{}
	for i, seg := range rt.segs {
		if strings.HasSuffix(seg, "...}") {
			if i >= len(parts) {
				return nil, false
			}
			rest := make([]string, 0, len(parts)-i)
			for _, p := range parts[i:] {
				u, err := url.PathUnescape(p)
				if err != nil {
					return nil, false
				}
				rest = append(rest, u)
			}
			v := strings.Join(rest, "/")
			if v == "" {
				return nil, false
			}
			params[strings.TrimSuffix(seg[1:], "...}")] = v
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		if strings.HasPrefix(seg, "{") {
			u, err := url.PathUnescape(parts[i])
			if err != nil || u == "" {
				return nil, false
			}
			params[seg[1:len(seg)-1]] = u
			continue
		}
		if parts[i] != seg {
			return nil, false
		}
	}
	if len(parts) != len(rt.segs) {
		return nil, false
	}
	return params, true
}

// prefix is the GitHub Enterprise Server mount point a request used.
type prefix int

const (
	prefixNone    prefix = iota // github.com layout: "/repos/..."
	prefixAPI                   // GHES "/api/v3/repos/..."
	prefixUploads               // GHES "/api/uploads/repos/..."
)

// findRoute strips a GHES prefix and returns the matching route. Storage
// routes are served at the root only; upload routes under "/" and
// "/api/uploads/" (also under "/api/v3/", which GitHub would refuse, to
// spare clients that point UploadURL at the API base).
func findRoute(method, escapedPath string) (*route, map[string]string, prefix) {
	p, pre := escapedPath, prefixNone
	switch {
	case strings.HasPrefix(p, "/api/v3/"):
		p, pre = strings.TrimPrefix(p, "/api/v3"), prefixAPI
	case strings.HasPrefix(p, "/api/uploads/"):
		p, pre = strings.TrimPrefix(p, "/api/uploads"), prefixUploads
	}
	for _, rt := range routes {
		if rt.kind == kindStorage && pre != prefixNone {
			continue
		}
		if rt.kind == kindAPI && pre == prefixUploads {
			continue
		}
		if params, ok := rt.match(method, p); ok {
			return rt, params, pre
		}
	}
	return nil, nil, pre
}
