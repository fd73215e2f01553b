package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/relctl/relctl/state"
)

type refJSON struct {
	Ref    string `json:"ref"`
	Object struct {
		SHA  string `json:"sha"`
		Type string `json:"type"`
	} `json:"object"`
}

// Tags lists every tag of the repository (GET .../git/matching-refs/tags/,
// every page).
func (c *Client) Tags(ctx context.Context) ([]state.TagRef, error) {
	op := "list tags of " + c.Repository()
	var out []state.TagRef
	err := listPages(ctx, c, op, fmt.Sprintf("repos/%s/%s/git/matching-refs/tags/?per_page=100", c.owner, c.repo), func(refs []refJSON) {
		for _, r := range refs {
			out = append(out, state.TagRef{
				Name:      strings.TrimPrefix(r.Ref, "refs/tags/"),
				SHA:       r.Object.SHA,
				Annotated: r.Object.Type == "tag",
			})
		}
	})
	return out, err
}

// TagCommit returns the commit an annotated tag object points at
// (GET .../git/tags/{sha}).
func (c *Client) TagCommit(ctx context.Context, tagSHA string) (string, error) {
	op := fmt.Sprintf("read tag object %s of %s", tagSHA, c.Repository())
	var tag struct {
		Object struct {
			SHA  string `json:"sha"`
			Type string `json:"type"`
		} `json:"object"`
	}
	path := fmt.Sprintf("repos/%s/%s/git/tags/%s", c.owner, c.repo, tagSHA)
	if err := c.call(ctx, http.MethodGet, path, nil, &tag); err != nil {
		return "", c.fail(op, fmt.Sprintf("tag object %s not found in %s", tagSHA, c.Repository()), err)
	}
	if tag.Object.Type != "commit" {
		return "", fmt.Errorf("%s: it points at a %s, not a commit", op, tag.Object.Type)
	}
	return tag.Object.SHA, nil
}

var _ state.TagReader = (*Client)(nil)
