package git

import (
	"context"
	"errors"
	"path"
	"path/filepath"
	"strings"
)

// CleanTrees returns, for each of dirs whose content is exactly what HEAD
// holds, the hash of its git tree at HEAD, keyed by the dir as given. A
// dir is left out when anything below it differs from HEAD or is not in
// it: a staged, unstaged, untracked or ignored file (helm would package an
// ignored file; the tree does not hold it), a symbolic link or a submodule
// (their content is not in the tree), or no commit holds the dir at all.
// Dirs outside the work tree of the first one are left out too.
//
// It runs git twice, whatever the number of dirs: once for the status of
// every dir, once to list their trees. A dir that is not in a repository,
// or git missing, gives an empty map and no error.
func CleanTrees(ctx context.Context, dirs []string) (map[string]string, error) {
	out := map[string]string{}
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
	rel := map[string]string{} // path relative to top, slash-separated → dir as given
	var paths []string
	for _, d := range dirs {
		abs, err := filepath.EvalSymlinks(d)
		if err != nil {
			continue
		}
		r, err := filepath.Rel(top, abs)
		if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			continue
		}
		r = filepath.ToSlash(r)
		rel[r] = d
		paths = append(paths, r)
	}
	if len(paths) == 0 {
		return out, nil
	}
	// The literal pathspecs keep a folder named like a glob from matching
	// others.
	args := append([]string{"--literal-pathspecs", "ls-tree", "-r", "-t", "-z", "--full-tree", "HEAD", "--"}, paths...)
	listing, err := run(ctx, top, args...)
	if err != nil {
		// Without a commit yet, nothing is committed: the caller learns
		// why nothing is clean.
		return nil, err
	}
	trees := map[string]string{}
	unclean := map[string]bool{}
	for _, entry := range strings.Split(listing, "\x00") {
		// <mode> SP <type> SP <object> TAB <path>
		meta, path, ok := strings.Cut(entry, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) != 3 {
			continue
		}
		if _, ok := rel[path]; ok && f[1] == "tree" {
			trees[path] = f[2]
			continue
		}
		if f[0] == "120000" || f[0] == "160000" {
			for _, d := range owners(path, rel) {
				unclean[d] = true
			}
		}
	}
	args = append([]string{"--literal-pathspecs", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--no-renames", "--"}, statusScope(paths)...)
	status, err := run(ctx, top, args...)
	if err != nil {
		return nil, err
	}
	for _, entry := range strings.Split(status, "\x00") {
		// XY SP <path>, relative to the top of the work tree.
		if len(entry) < 4 {
			continue
		}
		for _, d := range owners(entry[3:], rel) {
			unclean[d] = true
		}
	}
	for r, hash := range trees {
		if !unclean[r] {
			out[rel[r]] = hash
		}
	}
	return out, nil
}

// statusScope returns the pathspecs git status walks for the chart folders
// paths: the parent of folders that share one (other than the top of the
// work tree), else the folders themselves. git matches each path it visits
// against every pathspec: 500 chart folders given one by one made status
// twice as slow as their parent, `charts`, alone (93 ms against 49 ms
// here). What else the parent holds is listed too, and dropped by owners.
func statusScope(paths []string) []string {
	siblings := map[string]int{}
	for _, p := range paths {
		siblings[path.Dir(p)]++
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		scope := p
		if parent := path.Dir(p); parent != "." && siblings[parent] > 1 {
			scope = parent
		}
		if !seen[scope] {
			seen[scope] = true
			out = append(out, scope)
		}
	}
	return out
}

// owners returns the dirs of rel that hold path: a chart folder inside
// another is packaged with it.
func owners(path string, rel map[string]string) []string {
	var out []string
	for p := strings.TrimSuffix(path, "/"); p != "." && p != "/" && p != ""; p = filepath.ToSlash(filepath.Dir(p)) {
		if _, ok := rel[p]; ok {
			out = append(out, p)
		}
	}
	return out
}
