package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/relctl/relctl/state"
)

type issueJSON struct {
	Number      int       `json:"number"`
	HTMLURL     string    `json:"html_url"`
	Body        *string   `json:"body"`
	PullRequest *struct{} `json:"pull_request"`
}

func (i issueJSON) observe() state.Issue {
	out := state.Issue{Number: i.Number, URL: i.HTMLURL}
	if i.Body != nil {
		out.Body = *i.Body
	}
	return out
}

// OpenIssues lists the open issues carrying label, newest first. Pull
// requests, which GitHub lists among issues, are left out.
func (c *Client) OpenIssues(ctx context.Context, label string) ([]state.Issue, error) {
	op := fmt.Sprintf("list open issues labelled %q in %s", label, c.Repository())
	var out []state.Issue
	q := url.Values{"state": {"open"}, "labels": {label}, "per_page": {"100"}}
	err := listPages(ctx, c, op, fmt.Sprintf("repos/%s/%s/issues?%s", c.owner, c.repo, q.Encode()), func(is []issueJSON) {
		for _, i := range is {
			if i.PullRequest == nil {
				out = append(out, i.observe())
			}
		}
	})
	return out, err
}

// CreateIssue opens an issue.
func (c *Client) CreateIssue(ctx context.Context, title, body string, labels []string) (state.Issue, error) {
	op := fmt.Sprintf("open an issue in %s", c.Repository())
	in := map[string]any{"title": title, "body": body, "labels": labels}
	var out issueJSON
	if err := c.call(ctx, http.MethodPost, fmt.Sprintf("repos/%s/%s/issues", c.owner, c.repo), in, &out); err != nil {
		return state.Issue{}, c.fail(op, c.repoNotFound(), err)
	}
	return out.observe(), nil
}

// UpdateIssue replaces an issue's body.
func (c *Client) UpdateIssue(ctx context.Context, number int, body string) error {
	op := fmt.Sprintf("update issue #%d of %s", number, c.Repository())
	path := fmt.Sprintf("repos/%s/%s/issues/%d", c.owner, c.repo, number)
	if err := c.call(ctx, http.MethodPatch, path, map[string]any{"body": body}, nil); err != nil {
		return c.fail(op, fmt.Sprintf("issue #%d not found in %s", number, c.Repository()), err)
	}
	return nil
}

// CloseIssue comments on an issue, then closes it as completed.
func (c *Client) CloseIssue(ctx context.Context, number int, comment string) error {
	op := fmt.Sprintf("close issue #%d of %s", number, c.Repository())
	notFound := fmt.Sprintf("issue #%d not found in %s", number, c.Repository())
	base := fmt.Sprintf("repos/%s/%s/issues/%d", c.owner, c.repo, number)
	if comment != "" {
		if err := c.call(ctx, http.MethodPost, base+"/comments", map[string]any{"body": comment}, nil); err != nil {
			return c.fail(op, notFound, err)
		}
	}
	if err := c.call(ctx, http.MethodPatch, base, map[string]any{"state": "closed", "state_reason": "completed"}, nil); err != nil {
		return c.fail(op, notFound, err)
	}
	return nil
}
