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
	"sync"

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
	return newAssetFiles(spec).forChart(c, nil)
}

// assetFiles reads the release files of one observation. The release.files
// globs name the same files for every chart: they are listed and digested
// once, not once per chart (a 1 GiB file was hashed for each).
type assetFiles struct {
	spec *config.Spec

	once  sync.Once
	extra []LocalAsset
	err   error
}

func newAssetFiles(spec *config.Spec) *assetFiles { return &assetFiles{spec: spec} }

// forChart is localAssets of c. read holds files of the chart already read
// by path (its CHANGELOG.md): they are digested from memory, not read again.
func (a *assetFiles) forChart(c config.Chart, read map[string][]byte) ([]LocalAsset, error) {
	var out []LocalAsset
	for _, as := range a.spec.Release.Assets {
		path := filepath.Join(c.Dir, filepath.FromSlash(as.Name))
		var la *LocalAsset
		var err error
		if b, ok := read[path]; ok {
			la, err = memoryAsset(path, b)
		} else {
			la, err = fileAsset(path)
		}
		if errors.Is(err, fs.ErrNotExist) {
			name := AssetName(filepath.Base(as.Name))
			if name == "" {
				return nil, fmt.Errorf("chart %s: asset %s: %w", c.Name, as.Name, errUnnameable)
			}
			out = append(out, LocalAsset{Name: name, Path: filepath.Join(c.Dir, as.Name), Missing: true})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("chart %s: asset %s: %w", c.Name, as.Name, err)
		}
		out = append(out, *la)
	}
	a.once.Do(func() { a.extra, a.err = extraAssets(a.spec) })
	if a.err != nil {
		return nil, a.err
	}
	return append(out, a.extra...), nil
}

// extraAssets are the release.files of the spec, in the order of the
// patterns, each pattern's matches sorted.
func extraAssets(spec *config.Spec) ([]LocalAsset, error) {
	var out []LocalAsset
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

// copyBuffers are the buffers files are digested through: one per file of
// every chart was 32 KiB of garbage each (io.Copy's own).
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

func fileAsset(path string) (*LocalAsset, error) {
	base := filepath.Base(path)
	if AssetName(base) == "" {
		if _, err := os.Stat(path); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", path, errUnnameable)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	h := sha256.New()
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	// Not io.Copy: *os.File's WriteTo would take a buffer of its own.
	n, err := io.CopyBuffer(h, struct{ io.Reader }{f}, *buf)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return newLocalAsset(path, n, h.Sum(nil)), nil
}

// memoryAsset is fileAsset of a file already read whole.
func memoryAsset(path string, content []byte) (*LocalAsset, error) {
	if AssetName(filepath.Base(path)) == "" {
		return nil, fmt.Errorf("%s: %w", path, errUnnameable)
	}
	sum := sha256.Sum256(content)
	return newLocalAsset(path, int64(len(content)), sum[:]), nil
}

func newLocalAsset(path string, size int64, sum []byte) *LocalAsset {
	base := filepath.Base(path)
	la := &LocalAsset{Name: AssetName(base), Path: path, Size: size, Digest: "sha256:" + hex.EncodeToString(sum)}
	if la.Name != base {
		la.SourceName = base
	}
	return la
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
