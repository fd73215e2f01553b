package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/relctl/relctl/state"
)

// PullRequestsForCommit lists the pull requests that introduced sha
// (GET /repos/{o}/{r}/commits/{sha}/pulls). One page of 100 is plenty: a
// commit belongs to a handful of pull requests at most.
func (c *Client) PullRequestsForCommit(ctx context.Context, sha string) ([]state.PullRequest, error) {
	op := fmt.Sprintf("find the pull request of commit %s in %s", sha, c.Repository())
	var prs []struct {
		Number  int     `json:"number"`
		HTMLURL string  `json:"html_url"`
		Body    *string `json:"body"`
	}
	path := fmt.Sprintf("repos/%s/%s/commits/%s/pulls?per_page=100", c.owner, c.repo, sha)
	if err := c.call(ctx, http.MethodGet, path, nil, &prs); err != nil {
		return nil, c.fail(op, c.repoNotFound(), err)
	}
	out := make([]state.PullRequest, len(prs))
	for i, p := range prs {
		out[i] = state.PullRequest{Number: p.Number, URL: p.HTMLURL}
		if p.Body != nil {
			out[i].Body = *p.Body
		}
	}
	return out, nil
}

// IssueComments returns the bodies of an issue's or pull request's
// comments, oldest first, every page.
func (c *Client) IssueComments(ctx context.Context, number int) ([]string, error) {
	cs, err := c.ListComments(ctx, number)
	out := make([]string, len(cs))
	for i, cm := range cs {
		out[i] = cm.Body
	}
	return out, err
}

// Attestations returns GitHub's attestations for a subject digest
// (GET /repos/{o}/{r}/attestations/{digest}), at most 100. GitHub answers
// 404 when there are none: that is an empty list, not an error.
func (c *Client) Attestations(ctx context.Context, digest string) ([]json.RawMessage, error) {
	op := fmt.Sprintf("list attestations of %s in %s", digest, c.Repository())
	var body struct {
		Attestations []json.RawMessage `json:"attestations"`
	}
	path := fmt.Sprintf("repos/%s/%s/attestations/%s?per_page=100", c.owner, c.repo, digest)
	if err := c.call(ctx, http.MethodGet, path, nil, &body); err != nil {
		err = c.fail(op, "", err)
		if errors.Is(err, state.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return body.Attestations, nil
}

var _ state.LineageReader = (*Client)(nil)
