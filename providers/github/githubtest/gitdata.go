package githubtest

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// The Git Data API: blobs, trees and commits, as GitHub serves them under
// /repos/{owner}/{repo}/git/. Refs are in refs.go. Objects are content
// addressed (gitobjects.go): creating the same blob twice gives the same
// sha, as on GitHub.
//
// The 422 messages "Tree SHA does not exist" and "Parent SHA does not exist
// or is not a commit object" are GitHub's as users report them; the other
// refusals use GitHub's schema-validation wording.

type blobInput struct {
	Content  *string `json:"content"`
	Encoding *string `json:"encoding"`
}

func createBlob(c *call) {
	var in blobInput
	if !c.decodeJSON(&in) {
		return
	}
	if in.Content == nil {
		c.missingField("content")
		return
	}
	data := []byte(*in.Content)
	enc := "utf-8"
	if in.Encoding != nil {
		enc = *in.Encoding
	}
	switch enc {
	case "utf-8":
	case "base64":
		raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(*in.Content), ""))
		if err != nil {
			c.fail(http.StatusUnprocessableEntity, "Invalid request.\n\nContent is not valid Base64.", c.rt.doc)
			return
		}
		data = raw
	default:
		c.fail(http.StatusUnprocessableEntity, "Invalid request.\n\nFor 'properties/encoding', \""+enc+"\" is not one of [\"utf-8\", \"base64\"].", c.rt.doc)
		return
	}
	sha := c.repo.git.putBlob(data)
	url := c.gitURL("blobs", sha)
	c.res.header.Set("Location", url)
	c.writeJSON(http.StatusCreated, map[string]string{"url": url, "sha": sha})
}

// getBlob answers base64 with a line break every 60 characters, as GitHub
// does, or the raw bytes when asked for "application/vnd.github.raw".
func getBlob(c *call) {
	sha := strings.ToLower(c.params["file_sha"])
	data, ok := c.repo.git.blobs[sha]
	if !ok {
		c.notFound(c.rt.doc)
		return
	}
	if strings.Contains(c.r.Header.Get("Accept"), ".raw") {
		c.res.header.Set("Content-Type", "application/vnd.github.raw")
		c.res.WriteHeader(http.StatusOK)
		_, _ = c.res.Write(data)
		return
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var lines []string
	for len(enc) > 60 {
		lines, enc = append(lines, enc[:60]), enc[60:]
	}
	lines = append(lines, enc)
	c.writeJSON(http.StatusOK, map[string]any{
		"sha": sha, "node_id": nodeIDOf("Blob", sha), "size": len(data),
		"url": c.gitURL("blobs", sha), "content": strings.Join(lines, "\n") + "\n", "encoding": "base64",
	})
}

type commitInput struct {
	Message   *string         `json:"message"`
	Tree      *string         `json:"tree"`
	Parents   []string        `json:"parents"`
	Author    *signatureInput `json:"author"`
	Committer *signatureInput `json:"committer"`
}

type signatureInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Date  string `json:"date"`
}

// createCommit stores a commit. Parents must be commits; a phantom (a sha
// the emulator holds nothing for) is accepted as one, see gitStore. Author
// and committer default to the token's user, now, as on GitHub.
func createCommit(c *call) {
	var in commitInput
	if !c.decodeJSON(&in) {
		return
	}
	switch {
	case in.Message == nil:
		c.missingField("message")
		return
	case in.Tree == nil:
		c.missingField("tree")
		return
	}
	tree := strings.ToLower(*in.Tree)
	if _, ok := c.repo.git.tree(tree); !ok {
		c.fail(http.StatusUnprocessableEntity, "Tree SHA does not exist", c.rt.doc)
		return
	}
	parents := make([]string, 0, len(in.Parents))
	for _, p := range in.Parents {
		p = strings.ToLower(p)
		if !isSHA(p) || c.repo.objectType(p) != "commit" {
			c.fail(http.StatusUnprocessableEntity, "Parent SHA does not exist or is not a commit object", c.rt.doc)
			return
		}
		parents = append(parents, p)
	}
	name, email := taggerIdentity(c.s.opts.Login)
	author := signature{name: name, email: email, date: c.s.now()}
	if in.Author != nil {
		a, ok := c.signatureOf(*in.Author, author)
		if !ok {
			return
		}
		author = a
	}
	committer := author
	if in.Committer != nil {
		cm, ok := c.signatureOf(*in.Committer, author)
		if !ok {
			return
		}
		committer = cm
	}
	stored := c.repo.git.putCommit(commitObject{tree: tree, message: *in.Message, parents: parents, author: author, committer: committer})
	body := c.renderCommit(stored)
	c.res.header.Set("Location", body.URL)
	c.writeJSON(http.StatusCreated, body)
}

func (c *call) signatureOf(in signatureInput, def signature) (signature, bool) {
	out := signature{name: in.Name, email: in.Email, date: def.date}
	if in.Date != "" {
		t, err := time.Parse(time.RFC3339, in.Date)
		if err != nil {
			c.fail(http.StatusUnprocessableEntity, "Invalid request.\n\n\""+in.Date+"\" is not a valid date-time.", c.rt.doc)
			return signature{}, false
		}
		out.date = t.UTC()
	}
	return out, true
}

func getCommit(c *call) {
	commit := c.repo.git.commits[strings.ToLower(c.params["commit_sha"])]
	if commit == nil {
		c.notFound(c.rt.doc)
		return
	}
	c.writeJSON(http.StatusOK, c.renderCommit(commit))
}

type commitJSON struct {
	SHA          string           `json:"sha"`
	NodeID       string           `json:"node_id"`
	URL          string           `json:"url"`
	HTMLURL      string           `json:"html_url"`
	Author       taggerJSON       `json:"author"`
	Committer    taggerJSON       `json:"committer"`
	Tree         shaURL           `json:"tree"`
	Message      string           `json:"message"`
	Parents      []parentJSON     `json:"parents"`
	Verification verificationJSON `json:"verification"`
}

type shaURL struct {
	SHA string `json:"sha"`
	URL string `json:"url"`
}

type parentJSON struct {
	SHA     string `json:"sha"`
	URL     string `json:"url"`
	HTMLURL string `json:"html_url"`
}

func (c *call) renderCommit(cm *commitObject) commitJSON {
	out := commitJSON{
		SHA:          cm.sha,
		NodeID:       nodeIDOf("Commit", cm.sha),
		URL:          c.gitURL("commits", cm.sha),
		HTMLURL:      c.webBase + repoPath(c.repo) + "/commit/" + cm.sha,
		Author:       taggerJSON{Name: cm.author.name, Email: cm.author.email, Date: stamp(cm.author.date)},
		Committer:    taggerJSON{Name: cm.committer.name, Email: cm.committer.email, Date: stamp(cm.committer.date)},
		Tree:         shaURL{SHA: cm.tree, URL: c.gitURL("trees", cm.tree)},
		Message:      cm.message,
		Parents:      []parentJSON{},
		Verification: verificationJSON{Reason: "unsigned"},
	}
	for _, p := range cm.parents {
		out.Parents = append(out.Parents, parentJSON{SHA: p, URL: c.gitURL("commits", p), HTMLURL: c.webBase + repoPath(c.repo) + "/commit/" + p})
	}
	return out
}

func (c *call) gitURL(kind, sha string) string {
	return c.apiBase + "repos/" + repoPath(c.repo) + "/git/" + kind + "/" + sha
}
