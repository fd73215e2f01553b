package githubtest

import (
	"net/http"
	"strings"
)

// treeInputEntry is one entry of POST git/trees. A null sha with no content
// deletes the path from base_tree; content makes a blob on the way.
type treeInputEntry struct {
	Path    *string `json:"path"`
	Mode    *string `json:"mode"`
	Type    *string `json:"type"`
	SHA     *string `json:"sha"`
	Content *string `json:"content"`
}

type treeInput struct {
	BaseTree *string          `json:"base_tree"`
	Tree     []treeInputEntry `json:"tree"`
}

// modeTypes are the modes GitHub accepts and the object type each needs.
var modeTypes = map[string]string{
	"100644": "blob", "100755": "blob", "120000": "blob", "040000": "tree", "160000": "commit",
}

// dirNode is a tree being edited: its entries, and the subtrees reached by
// a nested path ("a/b/c"), loaded from the store when first touched.
type dirNode struct {
	entries  map[string]treeEntry
	children map[string]*dirNode
}

func loadDir(g *gitStore, sha string) *dirNode {
	d := &dirNode{entries: map[string]treeEntry{}, children: map[string]*dirNode{}}
	entries, _ := g.tree(sha)
	for _, e := range entries {
		d.entries[e.name] = e
	}
	return d
}

// dir returns the subtree at name, replacing a blob of that name.
func (d *dirNode) dir(g *gitStore, name string) *dirNode {
	if sub := d.children[name]; sub != nil {
		return sub
	}
	sub := loadDir(g, "")
	if e, ok := d.entries[name]; ok && e.typ == "tree" {
		sub = loadDir(g, e.sha)
	}
	d.children[name] = sub
	return sub
}

// set puts e (or removes the path, when e is nil) at parts below d.
func (d *dirNode) set(g *gitStore, parts []string, e *treeEntry) {
	if len(parts) > 1 {
		d.dir(g, parts[0]).set(g, parts[1:], e)
		return
	}
	name := parts[0]
	delete(d.children, name)
	if e == nil {
		delete(d.entries, name)
		return
	}
	e.name = name
	d.entries[name] = *e
}

// write stores every edited subtree, then d. Trees left empty disappear,
// as git cannot hold an empty directory.
func (d *dirNode) write(g *gitStore) string {
	for name, sub := range d.children {
		sha := sub.write(g)
		if len(sub.entries) == 0 {
			delete(d.entries, name)
			continue
		}
		d.entries[name] = treeEntry{mode: "040000", typ: "tree", name: name, sha: sha}
	}
	out := make([]treeEntry, 0, len(d.entries))
	for _, e := range d.entries {
		out = append(out, e)
	}
	return g.putTree(out)
}

func createTree(c *call) {
	var in treeInput
	if !c.decodeJSON(&in) {
		return
	}
	if in.Tree == nil {
		c.missingField("tree")
		return
	}
	g := c.repo.git
	root := loadDir(g, "")
	if in.BaseTree != nil {
		base := strings.ToLower(*in.BaseTree)
		if _, ok := g.tree(base); !ok {
			c.fail(http.StatusUnprocessableEntity, "Invalid request.\n\nbase_tree "+base+" is not a valid tree.", c.rt.doc)
			return
		}
		root = loadDir(g, base)
	}
	for _, in := range in.Tree {
		parts, e, msg := c.treeEdit(in)
		if msg != "" {
			c.fail(http.StatusUnprocessableEntity, msg, c.rt.doc)
			return
		}
		root.set(g, parts, e)
	}
	sha := root.write(g)
	c.res.header.Set("Location", c.gitURL("trees", sha))
	c.writeJSON(http.StatusCreated, c.renderTree(sha, false))
}

// treeEdit checks one input entry and returns its path, the entry to put
// there (nil: delete) or GitHub's refusal.
func (c *call) treeEdit(in treeInputEntry) ([]string, *treeEntry, string) {
	if in.Path == nil || *in.Path == "" {
		return nil, nil, "Invalid request.\n\n\"path\" wasn't supplied."
	}
	parts := strings.Split(*in.Path, "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || p == ".git" {
			return nil, nil, "tree.path contains a malformed path component"
		}
	}
	if in.SHA == nil && in.Content == nil {
		return parts, nil, ""
	}
	mode, typ := "", ""
	if in.Mode != nil {
		mode = *in.Mode
	}
	if in.Type != nil {
		typ = *in.Type
	}
	want, ok := modeTypes[mode]
	if !ok || (typ != "" && typ != want) {
		return nil, nil, "Invalid tree info"
	}
	if in.Content != nil {
		if want != "blob" {
			return nil, nil, "Invalid tree info"
		}
		return parts, &treeEntry{mode: mode, typ: "blob", sha: c.repo.git.putBlob([]byte(*in.Content))}, ""
	}
	sha := strings.ToLower(*in.SHA)
	if !isSHA(sha) || (want != "commit" && c.repo.git.kindOf(sha) != want) {
		return nil, nil, "tree.sha " + *in.SHA + " is not a valid " + want
	}
	return parts, &treeEntry{mode: mode, typ: want, sha: sha}, ""
}

// getTree answers GET git/trees/{tree_sha}, taking a commit sha for its
// tree as GitHub does; ?recursive= (any value) lists subtrees' entries too.
func getTree(c *call) {
	sha := strings.ToLower(c.params["tree_sha"])
	if cm := c.repo.git.commits[sha]; cm != nil {
		sha = cm.tree
	}
	if _, ok := c.repo.git.tree(sha); !ok {
		c.notFound(c.rt.doc)
		return
	}
	c.writeJSON(http.StatusOK, c.renderTree(sha, c.r.URL.Query().Has("recursive")))
}

type treeEntryJSON struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
	Type string `json:"type"`
	SHA  string `json:"sha"`
	Size *int   `json:"size,omitempty"`
	URL  string `json:"url,omitempty"`
}

func (c *call) renderTree(sha string, recursive bool) map[string]any {
	entries := []treeEntryJSON{}
	var walk func(prefix, sha string)
	walk = func(prefix, sha string) {
		list, _ := c.repo.git.tree(sha)
		for _, e := range list {
			j := treeEntryJSON{Path: prefix + e.name, Mode: e.mode, Type: e.typ, SHA: e.sha}
			switch e.typ {
			case "blob":
				n := len(c.repo.git.blobs[e.sha])
				j.Size, j.URL = &n, c.gitURL("blobs", e.sha)
			case "tree":
				j.URL = c.gitURL("trees", e.sha)
			}
			entries = append(entries, j)
			if recursive && e.typ == "tree" {
				walk(prefix+e.name+"/", e.sha)
			}
		}
	}
	// Depth first, in git's order: how GitHub lists a recursive tree.
	walk("", sha)
	return map[string]any{"sha": sha, "url": c.gitURL("trees", sha), "tree": entries, "truncated": false}
}
