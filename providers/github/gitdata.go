package github

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"

	"github.com/relctl/relctl/state"
)

// The Git Data API calls relctl makes: refs as compare-and-swap cells,
// commits and trees to point them at. Names are full ("refs/relctl/x").
//
// GitHub's two refusals that carry meaning are told apart by message only:
// 422 "Reference already exists" (create-ref on a taken name) becomes
// state.ErrAlreadyExists, 422 "Update is not a fast forward" (PATCH with
// force=false after the ref moved) state.ErrConflict.

const (
	msgRefExists      = "Reference already exists"
	msgNotFastForward = "Update is not a fast forward"
)

// gitCommit is the part of a git commit object relctl reads.
type gitCommit struct {
	SHA     string `json:"sha"`
	Message string `json:"message"`
	Tree    struct {
		SHA string `json:"sha"`
	} `json:"tree"`
	Parents []struct {
		SHA string `json:"sha"`
	} `json:"parents"`
	Committer struct {
		Date time.Time `json:"date"`
	} `json:"committer"`
}

// refTarget returns the sha a ref points at, or "" when the ref does not
// exist (GET git/ref/{ref} answers 404).
func (c *Client) refTarget(ctx context.Context, ref string) (string, error) {
	op := fmt.Sprintf("read %s of %s", ref, c.Repository())
	var r refJSON
	err := c.call(ctx, http.MethodGet, c.gitPath("ref/"+strings.TrimPrefix(ref, "refs/")), nil, &r)
	if err != nil {
		err = c.fail(op, "", err)
		if errors.Is(err, state.ErrNotFound) {
			return "", nil
		}
		return "", err
	}
	return r.Object.SHA, nil
}

// createRef creates ref at sha; a ref of that name already there is
// state.ErrAlreadyExists. This is GitHub's only create-if-absent.
func (c *Client) createRef(ctx context.Context, ref, sha string) error {
	op := fmt.Sprintf("create %s in %s", ref, c.Repository())
	body := map[string]string{"ref": ref, "sha": sha}
	if err := c.call(ctx, http.MethodPost, c.gitPath("refs"), body, nil); err != nil {
		return c.refError(op, err)
	}
	return nil
}

// updateRef moves ref to sha. Without force, GitHub moves it only when sha
// descends from the commit it names now, else state.ErrConflict: a
// compare-and-swap against whatever commit sha was built on.
func (c *Client) updateRef(ctx context.Context, ref, sha string, force bool) error {
	op := fmt.Sprintf("move %s of %s", ref, c.Repository())
	body := map[string]any{"sha": sha, "force": force}
	if err := c.call(ctx, http.MethodPatch, c.gitPath("refs/"+strings.TrimPrefix(ref, "refs/")), body, nil); err != nil {
		return c.refError(op, err)
	}
	return nil
}

func (c *Client) refError(op string, err error) error {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity {
		switch er.Message {
		case msgRefExists:
			return &apiError{op: op, reason: "the ref exists", kind: state.ErrAlreadyExists, cause: err}
		case msgNotFastForward:
			return &apiError{op: op, reason: "the ref moved meanwhile", kind: state.ErrConflict, cause: err}
		}
	}
	return c.fail(op, c.repoNotFound(), err)
}

// commit reads a commit object.
func (c *Client) commit(ctx context.Context, sha string) (gitCommit, error) {
	var out gitCommit
	if err := c.call(ctx, http.MethodGet, c.gitPath("commits/"+sha), nil, &out); err != nil {
		return out, c.fail(fmt.Sprintf("read commit %s of %s", sha, c.Repository()),
			fmt.Sprintf("commit %s not found in %s", sha, c.Repository()), err)
	}
	return out, nil
}

// createCommit makes a commit of tree with the given parents; GitHub sets
// author and committer to the token's user, now.
func (c *Client) createCommit(ctx context.Context, tree, message string, parents ...string) (string, error) {
	if parents == nil {
		parents = []string{}
	}
	body := map[string]any{"message": message, "tree": tree, "parents": parents}
	var out gitCommit
	if err := c.call(ctx, http.MethodPost, c.gitPath("commits"), body, &out); err != nil {
		return "", c.fail("create a commit in "+c.Repository(), c.repoNotFound(), err)
	}
	return out.SHA, nil
}

// ensureTree makes sure the tree holding one file, name with content,
// exists, and returns its sha. The sha is computed as git computes it, so
// a tree made by an earlier run is found with a read instead of a write.
func (c *Client) ensureTree(ctx context.Context, name, content string) (string, error) {
	sha := fileTreeSHA(name, content)
	err := c.call(ctx, http.MethodGet, c.gitPath("trees/"+sha), nil, nil)
	if err == nil {
		return sha, nil
	}
	if err = c.fail("read tree "+sha+" of "+c.Repository(), "", err); !errors.Is(err, state.ErrNotFound) {
		return "", err
	}
	body := map[string]any{"tree": []map[string]string{{"path": name, "mode": "100644", "type": "blob", "content": content}}}
	var out struct {
		SHA string `json:"sha"`
	}
	if err := c.call(ctx, http.MethodPost, c.gitPath("trees"), body, &out); err != nil {
		return "", c.fail("create a tree in "+c.Repository(), c.repoNotFound(), err)
	}
	return out.SHA, nil
}

func (c *Client) gitPath(rest string) string {
	return fmt.Sprintf("repos/%s/%s/git/%s", c.owner, c.repo, rest)
}

// fileTreeSHA is git's name for a tree holding one regular file.
func fileTreeSHA(name, content string) string {
	blob, _ := hex.DecodeString(gitObjectSHA("blob", []byte(content)))
	var tree bytes.Buffer
	fmt.Fprintf(&tree, "100644 %s\x00", name)
	tree.Write(blob)
	return gitObjectSHA("tree", tree.Bytes())
}

func gitObjectSHA(kind string, content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}
