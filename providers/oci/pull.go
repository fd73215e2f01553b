package oci

import (
	"context"
	"fmt"
)

// Tags lists every tag of repository ("host/path/chart"), following the
// registry's pagination, for oci:// chart dependencies: helm resolves a
// version constraint against the tags. An absent repository wraps
// state.ErrNotFound. Credentials come from the same chain as pushes.
func (c *Client) Tags(ctx context.Context, repository string) ([]string, error) {
	op := fmt.Sprintf("list tags of %s", repository)
	repo, err := c.repository(repository)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var out []string
	err = repo.Tags(ctx, "", func(tags []string) error {
		out = append(out, tags...)
		return nil
	})
	if err != nil {
		return nil, c.describe(op, repo.Reference.Registry, err)
	}
	return out, nil
}
