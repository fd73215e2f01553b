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
	"github.com/relctl/relctl/naming"
)

// AssetName predicts the name GitHub stores for an uploaded asset. The rule
// is naming.AssetName, shared with the GitHub emulator; "" means GitHub
// keeps no character of the name, and localAssets refuses such a file.
func AssetName(name string) string { return naming.AssetName(name) }

// errUnnameable says why a file cannot be a release asset: GitHub would
// strip every character of its name.
var errUnnameable = errors.New("its name has no character GitHub keeps in an asset name (ASCII letters, digits, '-', '_', '+'): rename the file")

// localAssets lists the files a chart's release carries besides the package:
// the release.assets files from the chart folder, then the release.files
// globs from the spec folder.
func localAssets(spec *config.Spec, c config.Chart) ([]LocalAsset, error) {
	var out []LocalAsset
	for _, a := range spec.Release.Assets {
		la, err := fileAsset(filepath.Join(c.Dir, filepath.FromSlash(a.Name)))
		if errors.Is(err, fs.ErrNotExist) {
			name := AssetName(filepath.Base(a.Name))
			if name == "" {
				return nil, fmt.Errorf("chart %s: asset %s: %w", c.Name, a.Name, errUnnameable)
			}
			out = append(out, LocalAsset{Name: name, Path: filepath.Join(c.Dir, a.Name), Missing: true})
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
	if AssetName(base) == "" {
		return nil, fmt.Errorf("%s: %w", path, errUnnameable)
	}
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
