package helm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	relgit "github.com/relctl/relctl/providers/git"
)

// packageTime is the time written into every tar entry and into the created
// annotation. It must not depend on when or where relctl runs, or a rebuild
// would not reproduce the published digest; hence the order, from the
// reproducible-builds convention: SOURCE_DATE_EPOCH, then the last commit
// touching the chart, then a constant.
func (p *Packager) packageTime(ctx context.Context, dir string) (time.Time, error) {
	if p.opts.SourceDateEpoch != "" {
		secs, err := strconv.ParseInt(strings.TrimSpace(p.opts.SourceDateEpoch), 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("read package time from SOURCE_DATE_EPOCH=%q: want decimal seconds since 1970: %w",
				p.opts.SourceDateEpoch, err)
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	if t, ok := p.batchedCommitTime(ctx, dir); ok {
		return t, nil
	}
	t, ok, err := gitCommitTime(ctx, dir)
	if err != nil {
		return time.Time{}, err
	}
	if ok {
		return t, nil
	}
	return epoch, nil
}

// commitTimes holds the last commit times of the spec's chart folders,
// read once per run.
type commitTimes struct {
	once sync.Once
	m    map[string]time.Time // chart dir → committer time
}

// batchedCommitTime answers for dir from one git walk over the history for
// every chart folder of the spec (relgit.LastCommitTimes): the same answer
// as gitCommitTime, without a git process per chart. ok is false for a dir
// the walk could not answer for (behind a merge, for one); gitCommitTime
// then asks about it alone, and says what is wrong when git fails.
func (p *Packager) batchedCommitTime(ctx context.Context, dir string) (time.Time, bool) {
	p.times.once.Do(func() {
		dirs := []string{dir}
		for _, s := range p.opts.Siblings {
			if s.Dir != dir {
				dirs = append(dirs, s.Dir)
			}
		}
		p.times.m, _ = relgit.LastCommitTimes(ctx, dirs)
	})
	t, ok := p.times.m[dir]
	return t, ok
}

// gitCommitTime returns the committer time of the last commit that touched
// dir. ok is false when git cannot say: git not installed, dir outside any
// repository, or no commit touching it yet. Those are normal situations (a
// tarball of the sources, a new chart) and fall back to the epoch.
//
// The pathspec is "." with the command run inside dir, rather than dir
// itself, because dir may reach the repository through a symlink that git
// would not recognise as inside the work tree.
func gitCommitTime(ctx context.Context, dir string) (time.Time, bool, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return time.Time{}, false, nil
	}
	cmd := exec.CommandContext(ctx, "git", "log", "-1", "--format=%ct", "--", ".")
	cmd.Dir = dir
	// The tests of git's message below need it untranslated.
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANGUAGE=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return time.Time{}, false, fmt.Errorf("read last commit time of %s: %w", dir, ctxErr)
		}
		// Outside a repository, or in one without commits, git says so
		// and exits 128. Any other failure
		// (a repository owned by another user that git refuses as
		// "dubious ownership", a corrupt one) must not silently give the
		// epoch: the same chart would then package differently here than on
		// a machine where git works.
		if msg := stderr.String(); strings.Contains(msg, "not a git repository") || strings.Contains(msg, "does not have any commits yet") {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, fmt.Errorf("read last commit time of %s with git log: %w: %s",
			dir, err, strings.TrimSpace(stderr.String()))
	}
	out := strings.TrimSpace(stdout.String())
	if out == "" {
		return time.Time{}, false, nil
	}
	secs, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read last commit time of %s: git printed %q: %w", dir, out, err)
	}
	return time.Unix(secs, 0).UTC(), true, nil
}
