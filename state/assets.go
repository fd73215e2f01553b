package state

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/relctl/relctl/config"
)

// AssetName predicts the name GitHub stores for an uploaded asset.
//
// GitHub "renames asset filenames that have special characters,
// non-alphanumeric characters, and leading or trailing periods" and does not
// document the rule (docs.github.com, "Upload a release asset";
// softprops/action-gh-release#159). This approximation follows the samples
// recorded in travis-ci/dpl#821, which match Rails' parameterize with "."
// as the separator, and GitHub's statement that a '+' sent as %2B is kept
// (github/rest-api-description#2968; UploadAsset always encodes it so):
//
//   - the characters kept are ASCII letters, digits, '-', '_' and '+';
//   - every run of other characters, '.' included, becomes a single '.'
//     ("a (1).tgz" → "a.1.tgz", "x~y" → "x.y", "a..b" → "a.b", "a@b" → "a.b");
//   - leading and trailing '.' are removed (".env" → "env").
//
// It is an approximation in one known way: GitHub transliterates non-ASCII
// letters ("ż" → "z", "æ" → "ae") where this function treats them as
// special characters. Asset names relctl generates are ASCII. A name that
// normalises to nothing is returned unchanged, since GitHub's result for it
// is unknown.
func AssetName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	pendingDot := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if keptInAssetName(c) {
			if pendingDot && b.Len() > 0 {
				b.WriteByte('.')
			}
			pendingDot = false
			b.WriteByte(c)
			continue
		}
		pendingDot = true
	}
	if b.Len() == 0 {
		return name
	}
	return b.String()
}

func keptInAssetName(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '_' || c == '+'
}

// localAssets lists the files a chart's release carries besides the package:
// the release.assets files from the chart folder, then the release.files
// globs from the spec folder.
func localAssets(spec *config.Spec, c config.Chart) ([]LocalAsset, error) {
	var out []LocalAsset
	for _, a := range spec.Release.Assets {
		la, err := fileAsset(filepath.Join(c.Dir, filepath.FromSlash(a.Name)))
		if errors.Is(err, fs.ErrNotExist) {
			out = append(out, LocalAsset{Name: AssetName(filepath.Base(a.Name)), Path: filepath.Join(c.Dir, a.Name), Missing: true})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("chart %s: asset %s: %w", c.Name, a.Name, err)
		}
		out = append(out, *la)
	}
	for _, pattern := range spec.Release.Files {
		matches, err := filepath.Glob(filepath.Join(spec.Dir, filepath.FromSlash(pattern)))
		if err != nil {
			return nil, fmt.Errorf("release.files %q: %w", pattern, err)
		}
		sort.Strings(matches)
		for _, m := range matches {
			if err := insideDir(spec.Dir, m); err != nil {
				return nil, fmt.Errorf("release.files %q: %w", pattern, err)
			}
			la, err := fileAsset(m)
			if err != nil {
				return nil, fmt.Errorf("release.files %q: %w", pattern, err)
			}
			out = append(out, *la)
		}
	}
	return out, nil
}

func fileAsset(path string) (*LocalAsset, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	base := filepath.Base(path)
	la := &LocalAsset{Name: AssetName(base), Path: path, Size: n, Digest: "sha256:" + hex.EncodeToString(h.Sum(nil))}
	if la.Name != base {
		la.SourceName = base
	}
	return la, nil
}

// insideDir refuses a path that leaves dir, through ".." or a symlink.
func insideDir(dir, path string) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(root, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s is outside %s", path, dir)
	}
	return nil
}

func readOptional(dir, name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, name), err)
	}
	return b, nil
}
