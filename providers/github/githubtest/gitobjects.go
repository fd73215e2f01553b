package githubtest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// gitStore holds the git objects created through the Git Data API, named
// as git names them (SHA-1 of "<type> <size>\x00<content>"), so a blob,
// tree or commit made here has the sha git and GitHub would give it.
//
// Commits the emulator never saw (initialCommit, SeedRef's shas, a
// release's target_commitish) are "phantoms": their content and history
// are unknown. They are accepted where a commit is expected, as they always
// were, and any question about their ancestry is answered permissively.
type gitStore struct {
	blobs   map[string][]byte
	trees   map[string][]treeEntry
	commits map[string]*commitObject
}

func newGitStore() *gitStore {
	return &gitStore{blobs: map[string][]byte{}, trees: map[string][]treeEntry{}, commits: map[string]*commitObject{}}
}

// treeEntry is one line of a tree object. mode is git's, zero-padded as
// GitHub shows it ("040000" for a tree).
type treeEntry struct {
	mode, typ, name, sha string
}

type commitObject struct {
	sha, tree, message string
	parents            []string
	author, committer  signature
}

type signature struct {
	name, email string
	date        time.Time
}

func objectSHA(kind string, content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

func (g *gitStore) putBlob(data []byte) string {
	sha := objectSHA("blob", data)
	g.blobs[sha] = append([]byte(nil), data...)
	return sha
}

// emptyTree is git's well-known empty tree, which every repository holds.
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// putTree stores entries in git's order (names compared as if a tree's name
// ended in "/") and returns the tree's sha.
func (g *gitStore) putTree(entries []treeEntry) string {
	sorted := append([]treeEntry(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return sortKey(sorted[i]) < sortKey(sorted[j]) })
	var buf bytes.Buffer
	for _, e := range sorted {
		raw, _ := hex.DecodeString(e.sha)
		fmt.Fprintf(&buf, "%s %s\x00", strings.TrimPrefix(e.mode, "0"), e.name)
		buf.Write(raw)
	}
	sha := objectSHA("tree", buf.Bytes())
	g.trees[sha] = sorted
	return sha
}

func sortKey(e treeEntry) string {
	if e.typ == "tree" {
		return e.name + "/"
	}
	return e.name
}

// tree returns a stored tree; the empty tree always exists.
func (g *gitStore) tree(sha string) ([]treeEntry, bool) {
	if sha == emptyTree {
		return nil, true
	}
	t, ok := g.trees[sha]
	return t, ok
}

// putCommit serialises c as git does and stores it under its sha.
func (g *gitStore) putCommit(c commitObject) *commitObject {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "tree %s\n", c.tree)
	for _, p := range c.parents {
		fmt.Fprintf(&buf, "parent %s\n", p)
	}
	fmt.Fprintf(&buf, "author %s\ncommitter %s\n\n%s", c.author.line(), c.committer.line(), c.message)
	c.sha = objectSHA("commit", buf.Bytes())
	stored := c
	g.commits[c.sha] = &stored
	return &stored
}

func (s signature) line() string {
	return fmt.Sprintf("%s <%s> %d +0000", s.name, s.email, s.date.Unix())
}

// kindOf names the type of a stored object, or "" for a sha the store does
// not hold (a phantom commit, or nothing).
func (g *gitStore) kindOf(sha string) string {
	switch {
	case g.commits[sha] != nil:
		return "commit"
	case sha == emptyTree:
		return "tree"
	}
	if _, ok := g.blobs[sha]; ok {
		return "blob"
	}
	if _, ok := g.trees[sha]; ok {
		return "tree"
	}
	return ""
}

// mayFastForward reports whether moving a ref from old to new is a fast
// forward: new is old, or old is among new's ancestors. It answers false
// only when it can prove it: every commit reachable from new is stored and
// none is old. A phantom in new's history could hide old, so it answers
// true, as the emulator did before it held commits.
func (g *gitStore) mayFastForward(old, new string) bool {
	seen := map[string]bool{}
	queue := []string{new}
	for len(queue) > 0 {
		sha := queue[0]
		queue = queue[1:]
		if sha == old {
			return true
		}
		if seen[sha] {
			continue
		}
		seen[sha] = true
		c := g.commits[sha]
		if c == nil {
			return true
		}
		queue = append(queue, c.parents...)
	}
	return false
}
