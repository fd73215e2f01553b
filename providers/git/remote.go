package git

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Remote is a GitHub repository a git remote points at.
type Remote struct {
	// Host is the server, "github.com" or a GitHub Enterprise host.
	Host string
	// Owner and Name as the URL spells them.
	Owner, Name string
}

// RemoteURL returns the URL of remote name ("origin") of the repository
// holding dir.
func RemoteURL(ctx context.Context, dir, name string) (string, error) {
	out, err := run(ctx, dir, "remote", "get-url", name)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// ParseRemote reads the host, owner and repository of a remote URL in the
// forms git accepts: https://host/o/r(.git), ssh://git@host[:port]/o/r.git
// and the scp-like git@host:o/r.git.
func ParseRemote(raw string) (Remote, error) {
	s := strings.TrimSpace(raw)
	var host, path string
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return Remote{}, fmt.Errorf("remote %q: %w", raw, err)
		}
		host, path = u.Hostname(), u.Path
	} else if at, rest, ok := strings.Cut(s, ":"); ok && !strings.Contains(at, "/") {
		// scp-like: [user@]host:owner/repo
		if _, h, ok := strings.Cut(at, "@"); ok {
			at = h
		}
		host, path = at, rest
	} else {
		return Remote{}, fmt.Errorf("remote %q is not a URL of a hosted repository", raw)
	}
	parts := strings.Split(strings.Trim(strings.TrimSuffix(strings.TrimSuffix(path, "/"), ".git"), "/"), "/")
	if host == "" || len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return Remote{}, fmt.Errorf("remote %q does not name a repository as host/owner/name", raw)
	}
	return Remote{Host: strings.ToLower(host), Owner: parts[0], Name: parts[1]}, nil
}

// DefaultBranch returns the branch origin's HEAD names ("main"), else the
// branch checked out in dir, else "".
func DefaultBranch(ctx context.Context, dir string) string {
	if out, err := run(ctx, dir, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"); err == nil {
		return strings.TrimPrefix(strings.TrimSpace(out), "origin/")
	}
	if out, err := run(ctx, dir, "symbolic-ref", "--quiet", "--short", "HEAD"); err == nil {
		return strings.TrimSpace(out)
	}
	return ""
}

// HasBranch reports whether branch is in this clone, local or as
// origin/<branch>.
func HasBranch(ctx context.Context, dir, branch string) bool {
	for _, rev := range []string{"refs/heads/" + branch, "refs/remotes/origin/" + branch} {
		if _, err := run(ctx, dir, "rev-parse", "--verify", "--quiet", rev); err == nil {
			return true
		}
	}
	return false
}

// BranchHasFile reports whether branch, local or as origin/<branch>, holds
// path at its tip: how a classic chart repository's pages branch with an
// index.yaml is recognised.
func BranchHasFile(ctx context.Context, dir, branch, path string) bool {
	for _, rev := range []string{"refs/heads/" + branch, "refs/remotes/origin/" + branch} {
		if _, err := run(ctx, dir, "cat-file", "-e", rev+":"+path); err == nil {
			return true
		}
	}
	return false
}
