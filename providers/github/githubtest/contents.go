package githubtest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// The repository contents API (GET /repos/{owner}/{repo}/contents/{path}?ref=)
// for files, and GitHub Pages: the files of the pages branch's head served
// anonymously under /_pages/{owner}/{repo}/, as https://<owner>.github.io/<repo>/
// serves them.

// PagesBranch is the branch the emulator serves as GitHub Pages.
const PagesBranch = "gh-pages"

// PagesURL is the Pages site of owner/repo on a started Server
// ("http://127.0.0.1:port/_pages/acme/charts/"); "" for a Server from New.
func (s *Server) PagesURL(owner, repo string) string {
	if s.URL() == "" {
		return ""
	}
	return PagesURLAt(s.URL(), owner, repo)
}

// PagesURLAt is the Pages site of owner/repo on an emulator served at base
// (with a trailing slash).
func PagesURLAt(base, owner, repo string) string {
	return base + "_pages/" + url.PathEscape(owner) + "/" + url.PathEscape(repo) + "/"
}

// resolveRef is the commit a contents request's ref names: a commit sha,
// a branch, or a tag; the default branch when ref is empty.
func (rp *repository) resolveRef(ref string) string {
	if ref == "" {
		ref = defaultBranch
	}
	if sha := strings.ToLower(ref); isSHA(sha) && rp.git.commits[sha] != nil {
		return sha
	}
	for _, name := range []string{"refs/heads/" + ref, "refs/tags/" + ref, ref} {
		if sha, ok := rp.refs[name]; ok && rp.objectType(sha) == "commit" {
			return sha
		}
	}
	return ""
}

// fileAt returns the blob at p in commit's tree.
func (rp *repository) fileAt(commit, p string) (data []byte, sha string, ok bool) {
	c := rp.git.commits[commit]
	if c == nil {
		return nil, "", false
	}
	sha, parts := c.tree, strings.Split(p, "/")
	for i, name := range parts {
		entries, _ := rp.git.tree(sha)
		found := false
		for _, e := range entries {
			if e.name == name && (e.typ == "tree") == (i < len(parts)-1) {
				sha, found = e.sha, true
				break
			}
		}
		if !found {
			return nil, "", false
		}
	}
	data, ok = rp.git.blobs[sha]
	return data, sha, ok
}

// getContents answers a file's contents: JSON with base64 content, or the
// raw bytes for "application/vnd.github.raw" (which GitHub serves up to
// 100 MB, against 1 MB for the JSON form). GitHub says "No commit found
// for the ref <ref>" for a ref that names nothing.
func getContents(c *call) {
	ref := c.r.URL.Query().Get("ref")
	commit := c.repo.resolveRef(ref)
	if commit == "" {
		c.fail(http.StatusNotFound, "No commit found for the ref "+ref, c.rt.doc)
		return
	}
	p := c.params["path"]
	data, sha, ok := c.repo.fileAt(commit, p)
	if !ok {
		c.notFound(c.rt.doc)
		return
	}
	if accept := c.r.Header.Get("Accept"); strings.Contains(accept, "application/vnd.github.raw") || strings.Contains(accept, "application/vnd.github.v3.raw") {
		c.res.header.Set("Content-Type", "application/vnd.github.raw")
		c.res.header.Set("Content-Length", strconv.Itoa(len(data)))
		c.res.WriteHeader(http.StatusOK)
		_, _ = c.res.Write(data)
		return
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var wrapped strings.Builder
	for len(enc) > 60 {
		wrapped.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	wrapped.WriteString(enc + "\n")
	self := c.apiBase + "repos/" + repoPath(c.repo) + "/contents/" + p + "?ref=" + url.QueryEscape(ref)
	c.writeJSON(http.StatusOK, map[string]any{
		"type": "file", "encoding": "base64", "size": len(data), "name": path.Base(p), "path": p,
		"content": wrapped.String(), "sha": sha, "url": self,
		"git_url":  c.gitURL("blobs", sha),
		"html_url": c.webBase + repoPath(c.repo) + "/blob/" + ref + "/" + p,
	})
}

// servePages serves a file of the pages branch's head, anonymously; a path
// ending in "/" serves its index.html, as GitHub Pages does.
func servePages(c *call) {
	rp := c.s.repos[repoKey(c.params["owner"], c.params["repo"])]
	if rp == nil {
		c.notFound("")
		return
	}
	p := c.params["path"]
	if p == "" || strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	commit := rp.refs["refs/heads/"+PagesBranch]
	data, _, ok := rp.fileAt(commit, p)
	if !ok {
		c.res.header.Set("Content-Type", "text/html; charset=utf-8")
		c.res.WriteHeader(http.StatusNotFound)
		_, _ = c.res.Write([]byte("404 File not found\n"))
		return
	}
	ct := "application/octet-stream"
	switch path.Ext(p) {
	case ".yaml", ".yml":
		ct = "application/x-yaml"
	case ".html":
		ct = "text/html; charset=utf-8"
	case ".json":
		ct = "application/json"
	case ".tgz":
		ct = "application/gzip"
	}
	c.res.header.Set("Content-Type", ct)
	c.res.header.Set("Content-Length", strconv.Itoa(len(data)))
	c.res.WriteHeader(http.StatusOK)
	_, _ = c.res.Write(data)
}
