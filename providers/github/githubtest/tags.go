package githubtest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// tagObject is an annotated tag: a git object of its own, which
// refs/tags/<tag> points at and which in turn points at a commit.
type tagObject struct {
	sha, tag, message string
	commit            string // the tagged commit
	tagger            string // login
	date              time.Time
}

// newTagObject names the tag object the way git names objects: the SHA-1 of
// "tag <size>\x00" and its content. The tagger date is left out of the
// content so that seeding the same tag twice yields the same sha whatever
// the clock says.
func newTagObject(tag, commit, login string, now time.Time) *tagObject {
	t := &tagObject{tag: tag, message: tag + "\n", commit: commit, tagger: login, date: now}
	name, email := taggerIdentity(login)
	content := fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger %s <%s>\n\n%s", commit, tag, name, email, t.message)
	sum := sha1.Sum([]byte(fmt.Sprintf("tag %d\x00%s", len(content), content)))
	t.sha = hex.EncodeToString(sum[:])
	return t
}

// taggerIdentity is the name and no-reply address GitHub records for a
// tag made through the API by login.
func taggerIdentity(login string) (name, email string) {
	id, _ := loginID(login)
	return login, itoa(id) + "+" + login + "@users.noreply.github.com"
}

type tagJSON struct {
	NodeID       string           `json:"node_id"`
	Tag          string           `json:"tag"`
	SHA          string           `json:"sha"`
	URL          string           `json:"url"`
	Message      string           `json:"message"`
	Tagger       taggerJSON       `json:"tagger"`
	Object       gitObjectJSON    `json:"object"`
	Verification verificationJSON `json:"verification"`
}

type taggerJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Date  string `json:"date"`
}

// verificationJSON is GitHub's signature report; the emulator's tags are
// never signed.
type verificationJSON struct {
	Verified   bool    `json:"verified"`
	Reason     string  `json:"reason"`
	Signature  *string `json:"signature"`
	Payload    *string `json:"payload"`
	VerifiedAt *string `json:"verified_at"`
}

// getTag answers GET git/tags/{tag_sha} for annotated tag objects. A commit
// sha, or one the repository does not hold, is 404 as on GitHub.
func getTag(c *call) {
	t := c.repo.tags[strings.ToLower(c.params["tag_sha"])]
	if t == nil {
		c.notFound(c.rt.doc)
		return
	}
	name, email := taggerIdentity(t.tagger)
	c.writeJSON(http.StatusOK, tagJSON{
		NodeID:       nodeIDOf("TAG", t.sha),
		Tag:          t.tag,
		SHA:          t.sha,
		URL:          c.apiBase + "repos/" + repoPath(c.repo) + "/git/tags/" + t.sha,
		Message:      t.message,
		Tagger:       taggerJSON{Name: name, Email: email, Date: stamp(t.date)},
		Object:       c.gitObject(t.commit),
		Verification: verificationJSON{Reason: "unsigned"},
	})
}
