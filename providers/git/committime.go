package git

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CommitTime returns the committer time of commit sha in the repository
// holding dir. The committer time, not the author time, because it is when
// the commit entered history: a rebase or cherry-pick moves it, as it moves
// what is released. It fails when git cannot name the commit (a shallow
// clone without it, no repository): callers fall back to another time.
func CommitTime(ctx context.Context, dir, sha string) (time.Time, error) {
	if sha == "" {
		return time.Time{}, fmt.Errorf("no commit given")
	}
	// "--" would make sha a path; "^{commit}" makes git refuse anything
	// that is not a commit, including an option-shaped string.
	out, err := run(ctx, dir, "show", "-s", "--format=%cI", sha+"^{commit}")
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(out))
	if err != nil {
		return time.Time{}, fmt.Errorf("read the committer time of %s: git printed %q: %w", sha, strings.TrimSpace(out), err)
	}
	return t.UTC(), nil
}
