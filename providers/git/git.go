package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNotRepository is returned when the folder is not inside a git work tree
// (or git is not installed).
var ErrNotRepository = errors.New("not a git repository")

// Head returns the commit checked out in dir.
func Head(ctx context.Context, dir string) (string, error) {
	out, err := run(ctx, dir, "rev-parse", "--verify", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// TopLevel returns the root of the work tree that holds dir.
func TopLevel(ctx context.Context, dir string) (string, error) {
	out, err := run(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", err
	}
	return filepath.Clean(strings.TrimSpace(out)), nil
}

// ChangedSince lists the files, as absolute paths, that differ between the
// merge base of base and HEAD and the work tree: committed, staged and
// unstaged changes, as a pull request's diff shows them plus local edits.
func ChangedSince(ctx context.Context, dir, base string) ([]string, error) {
	top, err := TopLevel(ctx, dir)
	if err != nil {
		return nil, err
	}
	mb, err := run(ctx, dir, "merge-base", base, "HEAD")
	if err != nil {
		return nil, fmt.Errorf("find the merge base of %s and HEAD: %w", base, mergeBaseHint(ctx, dir, err))
	}
	out, err := run(ctx, dir, "diff", "--name-only", "-z", strings.TrimSpace(mb))
	if err != nil {
		return nil, err
	}
	untracked, err := run(ctx, dir, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, list := range []string{out, untracked} {
		for _, f := range strings.Split(list, "\x00") {
			if f != "" {
				files = append(files, filepath.Join(top, filepath.FromSlash(f)))
			}
		}
	}
	return files, nil
}

// mergeBaseHint explains a failed merge-base. In a shallow clone (what
// actions/checkout makes by default, fetch-depth: 1) the base branch is
// absent or shares no fetched commit with HEAD, and git says only "Not a
// valid object name", or nothing at all.
func mergeBaseHint(ctx context.Context, dir string, err error) error {
	if out, e := run(ctx, dir, "rev-parse", "--is-shallow-repository"); e == nil && strings.TrimSpace(out) == "true" {
		return fmt.Errorf("%w (the clone is shallow: fetch the history, e.g. actions/checkout with fetch-depth: 0, or run git fetch --unshallow)", err)
	}
	return err
}

func run(ctx context.Context, dir string, args ...string) (string, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", fmt.Errorf("%w: git is not installed", ErrNotRepository)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "not a git repository") {
			return "", fmt.Errorf("%w: %s", ErrNotRepository, dir)
		}
		if msg == "" {
			msg = err.Error() // merge-base without a common commit says nothing
		}
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return stdout.String(), nil
}
