package git

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LastCommitTimes returns, for each of dirs it can answer for, the
// committer time of the last commit that touched the dir: what
// `git log -1 --format=%ct -- .` run in the dir prints, for every dir in one
// git process instead of one each (a process costs about 10 ms of CPU, the
// main cost of packaging a small chart).
//
// It walks the history from HEAD, newest first, reading the files each
// commit changed, and stops once every dir is answered. It answers only
// from the linear part of the history: at the first merge commit it stops,
// because `git log -- <dir>` simplifies history through a merge per path,
// and a walk over all paths at once would not follow the same parent. A dir
// it leaves out (behind a merge, never touched, not in the work tree of the
// first dir, in a nested repository) is for the caller to ask about alone.
// A dir that is not in a repository, or git missing, gives an empty map and
// no error.
func LastCommitTimes(ctx context.Context, dirs []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(dirs) == 0 {
		return out, nil
	}
	top, err := TopLevel(ctx, dirs[0])
	if errors.Is(err, ErrNotRepository) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if t, err := filepath.EvalSymlinks(top); err == nil {
		top = t
	}
	rel := map[string][]string{} // path relative to top, slash-separated → dirs as given
	for _, d := range dirs {
		abs, err := filepath.EvalSymlinks(d)
		if err != nil {
			continue
		}
		r, err := filepath.Rel(top, abs)
		if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			continue
		}
		if nested(top, abs) {
			continue
		}
		r = filepath.ToSlash(r)
		rel[r] = append(rel[r], d)
	}
	if len(rel) == 0 {
		return out, nil
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Renames are listed as a deletion and an addition, as `git log -- .`
	// sees them from either side; the root commit lists every file it
	// adds, as `git log -- .` shows it whatever the user's configuration.
	cmd := exec.CommandContext(ctx, "git", "-c", "log.showRoot=true", "log", "--no-renames", "--no-ext-diff",
		"--format=%x01%ct %P", "--name-only", "-z", "HEAD")
	cmd.Dir = top
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANGUAGE=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return out, nil // git missing: nothing answered
	}
	left := len(rel)
	var (
		when     time.Time
		linear   = true
		afterHdr bool
	)
	r := bufio.NewReaderSize(stdout, 64<<10)
	for left > 0 && linear {
		tok, err := r.ReadString(0)
		if err != nil && (err != io.EOF || tok == "") {
			break
		}
		tok = strings.TrimSuffix(tok, "\x00")
		if hdr, ok := strings.CutPrefix(tok, "\x01"); ok {
			// "<committer time> <parents>"
			f := strings.Fields(hdr)
			if len(f) == 0 {
				linear = false
				break
			}
			secs, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil || len(f) > 2 {
				// A merge (two parents or more) ends what this walk
				// can answer.
				linear = false
				break
			}
			when, afterHdr = time.Unix(secs, 0).UTC(), true
			continue
		}
		if afterHdr {
			tok, afterHdr = strings.TrimPrefix(tok, "\n"), false
		}
		if tok == "" || when.IsZero() {
			continue
		}
		// Every dir holding the file: a chart folder inside another is
		// touched with it.
		for p := tok; p != "." && p != "/" && p != ""; p = path.Dir(p) {
			given, ok := rel[p]
			if !ok {
				continue
			}
			for _, g := range given {
				out[g] = when
			}
			delete(rel, p)
			left--
		}
	}
	cancel()
	_ = cmd.Wait() // killed once answered, or the walk ended: what was read stands
	return out, nil
}

// nested reports whether a repository of its own (a .git entry) lies
// between top and dir, dir included: git log of top does not see its
// history.
func nested(top, dir string) bool {
	for d := dir; d != top && len(d) > len(top); d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return true
		}
	}
	return false
}
