package github

import (
	"context"
	"fmt"
	"net/http"

	"github.com/relctl/relctl/state"
)

// ListComments returns an issue's or pull request's comments, oldest first,
// every page.
func (c *Client) ListComments(ctx context.Context, number int) ([]state.Comment, error) {
	op := fmt.Sprintf("list comments of #%d in %s", number, c.Repository())
	var out []state.Comment
	err := listPages(ctx, c, op, fmt.Sprintf("repos/%s/%s/issues/%d/comments?per_page=100", c.owner, c.repo, number), func(cs []struct {
		ID   int64  `json:"id"`
		Body string `json:"body"`
		User *struct {
			Login string `json:"login"`
		} `json:"user"`
	}) {
		for _, cm := range cs {
			sc := state.Comment{ID: cm.ID, Body: cm.Body}
			if cm.User != nil { // null for a deleted ("ghost") account
				sc.Author = cm.User.Login
			}
			out = append(out, sc)
		}
	})
	return out, err
}

// Login is the login of the token's user (GET /user). An installation
// token (a workflow's GITHUB_TOKEN, a GitHub App's) has none: GitHub
// answers 403, returned as an error that matches state.ErrUnauthorized.
func (c *Client) Login(ctx context.Context) (string, error) {
	var u struct {
		Login string `json:"login"`
	}
	if err := c.call(ctx, http.MethodGet, "user", nil, &u); err != nil {
		return "", c.fail("read the token's user", "no user behind the token", err)
	}
	return u.Login, nil
}

// CreateComment comments on an issue or pull request.
func (c *Client) CreateComment(ctx context.Context, number int, body string) error {
	op := fmt.Sprintf("comment on #%d in %s", number, c.Repository())
	path := fmt.Sprintf("repos/%s/%s/issues/%d/comments", c.owner, c.repo, number)
	if err := c.call(ctx, http.MethodPost, path, map[string]any{"body": body}, nil); err != nil {
		return c.fail(op, fmt.Sprintf("#%d not found in %s", number, c.Repository()), err)
	}
	return nil
}

// UpdateComment replaces a comment's body.
func (c *Client) UpdateComment(ctx context.Context, id int64, body string) error {
	op := fmt.Sprintf("update comment %d in %s", id, c.Repository())
	path := fmt.Sprintf("repos/%s/%s/issues/comments/%d", c.owner, c.repo, id)
	if err := c.call(ctx, http.MethodPatch, path, map[string]any{"body": body}, nil); err != nil {
		return c.fail(op, fmt.Sprintf("comment %d not found in %s", id, c.Repository()), err)
	}
	return nil
}
